import { ProjectOverview } from './screens/ProjectOverview';
import { ProjectList } from './screens/ProjectList';
import { useWorkbench } from './store/workbench';

export function App() {
  const problem = useWorkbench((s) => s.problem);
  const error = useWorkbench((s) => s.error);
  const jobs = useWorkbench((s) => s.jobs);
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
        {Object.values(jobs).map((j) => (
          <span key={j.jobId} className="job" role="status">
            {j.phase} · {j.rowsDone.toLocaleString('en-US')} rows ·{' '}
            {Math.round(j.rowsPerSecond).toLocaleString('en-US')} rows/s
          </span>
        ))}
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
        <ProjectOverview />
      </main>
    </div>
  );
}
