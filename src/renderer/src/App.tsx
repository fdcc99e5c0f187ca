import { useState } from 'react';
import { JobsBar } from './components/JobsBar';
import { ThemeSwitch } from './components/ThemeSwitch';
import { BrowseScreen } from './screens/browse/BrowseScreen';
import { ExportScreen } from './screens/ExportScreen';
import { ImportScreen } from './screens/ImportScreen';
import { InsightsScreen } from './screens/InsightsScreen';
import { LabelsScreen } from './screens/LabelsScreen';
import { Mine } from './screens/Mine';
import { ModelsScreen } from './screens/ModelsScreen';
import { ProjectOverview } from './screens/ProjectOverview';
import { ProjectList } from './screens/ProjectList';
import { Review } from './screens/Review';
import { useSelectedName, useWorkbench } from './store/workbench';

const TABS = ['Overview', 'Import', 'Browse', 'Models', 'Mine', 'Review', 'Labels', 'Insights', 'Export'] as const;
type Tab = (typeof TABS)[number];

/** One screen, mounted afresh for each project: nothing of another project's state lingers. */
function Screen({ tab }: { tab: Tab }) {
  switch (tab) {
    case 'Overview':
      return <ProjectOverview />;
    case 'Import':
      return <ImportScreen />;
    case 'Browse':
      return <BrowseScreen />;
    case 'Models':
      return <ModelsScreen />;
    case 'Mine':
      return <Mine />;
    case 'Review':
      return <Review />;
    case 'Labels':
      return <LabelsScreen />;
    case 'Insights':
      return <InsightsScreen />;
    case 'Export':
      return <ExportScreen />;
  }
}

export function App() {
  const problem = useWorkbench((s) => s.problem);
  const error = useWorkbench((s) => s.error);
  const selectedId = useWorkbench((s) => s.selectedId);
  const projectName = useSelectedName();
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
        {projectName !== null && (
          <p className="current-project" data-testid="current-project">
            Project <strong>{projectName}</strong> · {tab}
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <Screen key={`${tab}:${selectedId ?? ''}`} tab={tab} />
      </main>
    </div>
  );
}
