import { useEffect, useState, type ComponentType } from 'react';
import { EmptyState } from './components/EmptyState';
import { JobsBar } from './components/JobsBar';
import { ThemeSwitch } from './components/ThemeSwitch';
import { BrowseScreen } from './screens/browse/BrowseScreen';
import { ExportScreen } from './screens/ExportScreen';
import { ImportScreen } from './screens/ImportScreen';
import { InsightsScreen } from './screens/InsightsScreen';
import { LabelsScreen } from './screens/LabelsScreen';
import { LearnScreen } from './screens/learn/LearnScreen';
import { Mine } from './screens/Mine';
import { ModelsScreen } from './screens/ModelsScreen';
import { ProjectOverview } from './screens/ProjectOverview';
import { ProjectList } from './screens/ProjectList';
import { Review } from './screens/Review';
import { useNavigation } from './store/navigation';
import { useSelectedName, useWorkbench } from './store/workbench';
import { Tip } from './components/Tip';

interface TabSpec {
  name: string;
  screen: ComponentType;
  /** Import creates projects; every other screen works on the selected one. */
  needsProject: boolean;
}

/** The screens, in tab order: a new screen is one more line. */
const TABS = [
  { name: 'Overview', screen: ProjectOverview, needsProject: true },
  { name: 'Import', screen: ImportScreen, needsProject: false },
  { name: 'Browse', screen: BrowseScreen, needsProject: true },
  { name: 'Models', screen: ModelsScreen, needsProject: true },
  { name: 'Mine', screen: Mine, needsProject: true },
  { name: 'Review', screen: Review, needsProject: true },
  { name: 'Learn', screen: LearnScreen, needsProject: true },
  { name: 'Labels', screen: LabelsScreen, needsProject: true },
  { name: 'Insights', screen: InsightsScreen, needsProject: true },
  { name: 'Export', screen: ExportScreen, needsProject: true },
] as const satisfies readonly TabSpec[];
type Tab = (typeof TABS)[number]['name'];

/** Whether the project list is hidden: remembered on this machine. */
export const SIDEBAR_KEY = 'flywheel.sidebar';

function useSidebar(): [open: boolean, toggle: () => void] {
  const [open, setOpen] = useState(() => localStorage.getItem(SIDEBAR_KEY) !== 'collapsed');
  useEffect(() => {
    if (open) localStorage.removeItem(SIDEBAR_KEY);
    else localStorage.setItem(SIDEBAR_KEY, 'collapsed');
  }, [open]);
  return [open, () => setOpen((o) => !o)];
}

export function App() {
  const problem = useWorkbench((s) => s.problem);
  const error = useWorkbench((s) => s.error);
  const selectedId = useWorkbench((s) => s.selectedId);
  const loading = useWorkbench((s) => s.loading);
  const noProjects = useWorkbench((s) => !s.loading && s.projects.length === 0);
  const projectName = useSelectedName();
  const [tab, setTab] = useState<Tab>('Overview');
  const requested = useNavigation((s) => s.requested);
  useEffect(() => {
    const screen = TABS.find((t) => t.name === requested?.screen);
    if (screen) setTab(screen.name);
  }, [requested]);
  const [sidebarOpen, toggleSidebar] = useSidebar();
  if (problem) {
    return (
      <main className="center">
        <h1>Flywheel Workbench</h1>
        <p role="alert">{problem}</p>
      </main>
    );
  }
  const spec = TABS.find((t) => t.name === tab)!;
  const Screen = spec.screen;
  return (
    <div className={sidebarOpen ? 'shell' : 'shell collapsed'}>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="topbar">
        <Tip content={sidebarOpen ? 'Hide the project list' : 'Show the project list'}>
          <button
            type="button"
            className="sidebar-toggle"
            aria-expanded={sidebarOpen}
            aria-controls="project-sidebar"
            onClick={toggleSidebar}
          >
            <span aria-hidden="true">☰</span>
            <span className="visually-hidden">Projects</span>
          </button>
        </Tip>
        <span className="brand" aria-label="Flywheel Workbench">
          <span className="logo" aria-hidden="true">
            ◎
          </span>{' '}
          <span className="brand-name">Flywheel Workbench</span>
        </span>
        <nav className="tabs" aria-label="Screens">
          {TABS.map(({ name }) => (
            <button
              key={name}
              type="button"
              className={name === tab ? 'tab on' : 'tab'}
              aria-current={name === tab ? 'page' : undefined}
              onClick={() => setTab(name)}
            >
              {name}
            </button>
          ))}
        </nav>
        <div className="jobs">
          <JobsBar />
        </div>
        <ThemeSwitch />
      </header>
      <nav className="sidebar" id="project-sidebar" aria-label="Projects" hidden={!sidebarOpen}>
        <ProjectList onImport={() => setTab('Import')} />
      </nav>
      <main className="content" id="main" tabIndex={-1}>
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
        {spec.needsProject && noProjects ? (
          <EmptyState
            title="No projects yet"
            action={
              <button type="button" className="primary" onClick={() => setTab('Import')}>
                Import a prediction log
              </button>
            }
          >
            <p>
              A project starts with a log of your model’s predictions (JSONL, CSV or Parquet). Import one to create your
              first project.
            </p>
          </EmptyState>
        ) : spec.needsProject && (loading || selectedId === null) ? (
          <p className="muted">Loading…</p>
        ) : (
          <Screen key={`${tab}:${selectedId ?? ''}`} />
        )}
      </main>
    </div>
  );
}
