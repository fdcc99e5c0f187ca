import { useState } from 'react';
import { JobsBar } from './components/JobsBar';
import { ThemeSwitch } from './components/ThemeSwitch';
import { ExportScreen } from './screens/ExportScreen';
import { ImportScreen } from './screens/ImportScreen';
import { InsightsScreen } from './screens/InsightsScreen';
import { LabelsScreen } from './screens/LabelsScreen';
import { Mine } from './screens/Mine';
import { ModelsScreen } from './screens/ModelsScreen';
import { ProjectOverview } from './screens/ProjectOverview';
import { ProjectList } from './screens/ProjectList';
import { Review } from './screens/Review';
import { useWorkbench } from './store/workbench';

const TABS = ['Overview', 'Import', 'Models', 'Mine', 'Review', 'Labels', 'Insights', 'Export'] as const;
type Tab = (typeof TABS)[number];

export function App() {
  const problem = useWorkbench((s) => s.problem);
  const error = useWorkbench((s) => s.error);
  const [tab, setTab] = useState<Tab>('Overview');
  if (problem) {
    return (
      <main className="center">
        <h1>Flywheel Workbench</h1>
        <p role="alert">{problem}</p>
      </main>
    );
  }
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand" aria-label="Flywheel Workbench">
          <span className="logo" aria-hidden="true">
            ◎
          </span>{' '}
          Flywheel Workbench
        </span>
        <nav className="tabs" aria-label="Screens">
          {TABS.map((t) => (
            <button
              key={t}
              type="button"
              className={t === tab ? 'tab on' : 'tab'}
              aria-current={t === tab ? 'page' : undefined}
              onClick={() => setTab(t)}
            >
              {t}
            </button>
          ))}
        </nav>
        <JobsBar />
        <ThemeSwitch />
      </header>
      <nav className="sidebar" aria-label="Projects">
        <ProjectList />
      </nav>
      <main className="content">
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {tab === 'Overview' && <ProjectOverview />}
        {tab === 'Import' && <ImportScreen />}
        {tab === 'Models' && <ModelsScreen />}
        {tab === 'Mine' && <Mine />}
        {tab === 'Review' && <Review />}
        {tab === 'Labels' && <LabelsScreen />}
        {tab === 'Insights' && <InsightsScreen />}
        {tab === 'Export' && <ExportScreen />}
      </main>
    </div>
  );
}
