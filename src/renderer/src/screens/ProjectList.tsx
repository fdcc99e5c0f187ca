import { selectProject, useWorkbench } from '../store/workbench';

export function ProjectList() {
  const projects = useWorkbench((s) => s.projects);
  const selectedId = useWorkbench((s) => s.selectedId);
  const loading = useWorkbench((s) => s.loading);
  if (loading) return <p className="muted">Loading…</p>;
  if (projects.length === 0) {
    return (
      <p className="muted">
        No projects yet. Import a log with <code>flywheel import FILE --project NAME</code>.
      </p>
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
