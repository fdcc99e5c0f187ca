import { selectProject, useWorkbench } from '../store/workbench';

export function ProjectList({ onImport }: { onImport: () => void }) {
  const projects = useWorkbench((s) => s.projects);
  const selectedId = useWorkbench((s) => s.selectedId);
  const loading = useWorkbench((s) => s.loading);
  if (loading) return <p className="muted">Loading…</p>;
  if (projects.length === 0) {
    return (
      <div className="sidebar-empty">
        <p className="muted">No projects yet.</p>
        <button type="button" className="link" onClick={onImport}>
          Import a log to start one
        </button>
      </div>
    );
  }
  return (
    <ul className="project-list">
      {projects.map((p) => (
        <li key={p.id}>
          <button
            type="button"
            className={p.id === selectedId ? 'project selected' : 'project'}
            aria-current={p.id === selectedId ? 'true' : undefined}
            onClick={() => void selectProject(p.id)}
          >
            <span className="project-name">{p.name}</span>
            <span className="project-meta">
              {p.taskType} · {p.counts.examples.toLocaleString('en-US')} examples
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
