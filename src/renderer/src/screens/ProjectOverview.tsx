import type { ProjectStats } from '../../../shared/features/projects/contract';
import { useWorkbench } from '../store/workbench';
import { TipText } from '../components/Tip';

const n = (v: number) => v.toLocaleString('en-US');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="figure">
      <div className="figure-value" data-testid={testId}>
        {value}
      </div>
      <div className="figure-label">{label}</div>
    </div>
  );
}

function ClassBars({ counts, total, classes }: { counts: Record<string, number>; total: number; classes: string[] }) {
  return (
    <div className="bars">
      {classes.map((c, i) => {
        const share = total > 0 ? (counts[c] ?? 0) / total : 0;
        return (
          <div className="bar-row" key={c}>
            <span className="bar-label">{c}</span>
            <span className="bar-track" aria-hidden="true">
              <span className={`bar-fill c${i % 8}`} style={{ width: `${(share * 100).toFixed(1)}%` }} />
            </span>
            <span className="bar-value">{(share * 100).toFixed(1)}%</span>
          </div>
        );
      })}
    </div>
  );
}

function ModelRuns({ stats }: { stats: ProjectStats }) {
  if (stats.modelRuns.length === 0) return <p className="muted">No model runs yet.</p>;
  return (
    <div className="cards">
      {stats.modelRuns.map((r) => (
        <section className="card" key={r.id} aria-label={`Model run ${r.modelName} ${r.modelVersion}`}>
          <h3>
            {r.modelName} <span className="tag">{r.modelVersion}</span> <span className="tag subtle">{r.source}</span>
          </h3>
          <p className="muted">{n(r.predictions)} predictions · predicted class share</p>
          <ClassBars counts={r.predictedCounts} total={r.predictions} classes={stats.project.classes} />
        </section>
      ))}
    </div>
  );
}

export function ProjectOverview() {
  const stats = useWorkbench((s) => s.stats);
  const imports = useWorkbench((s) => s.imports);
  if (!stats) return null;
  const { project, counts } = stats;
  return (
    <article aria-labelledby="project-title">
      <h1 id="project-title">{project.name}</h1>
      <p className="muted">
        {project.taskType} · {project.inputKind} input · classes {project.classes.join(', ')}
        {stats.timeRange && ` · ${day(stats.timeRange.from)} → ${day(stats.timeRange.to)}`}
      </p>
      <div className="figures">
        <Figure label="examples" value={n(counts.examples)} testId="count-examples" />
        <Figure label="predictions" value={n(counts.predictions)} testId="count-predictions" />
        <Figure label="model runs" value={n(counts.modelRuns)} testId="count-model-runs" />
        <Figure label="with ground truth" value={n(counts.groundTruth)} testId="count-ground-truth" />
        <Figure label="label events" value={n(counts.labelEvents)} testId="count-label-events" />
      </div>
      {counts.interruptedImports > 0 && (
        <p className="warning" role="status">
          {counts.interruptedImports} interrupted import: run the same import again to resume it.
        </p>
      )}
      <h2>Model runs</h2>
      <ModelRuns stats={stats} />
      <h2>Imports</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">file</th>
            <th scope="col">status</th>
            <th scope="col" className="num">
              imported
            </th>
            <th scope="col" className="num">
              rejected
            </th>
            <th scope="col">when</th>
          </tr>
        </thead>
        <tbody>
          {imports.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>
                <TipText tip={r.sourcePath}>{r.sourcePath.split(/[\\/]/).pop()}</TipText>
              </td>
              <td>
                <span className={`status ${r.status}`}>{r.status}</span>
              </td>
              <td className="num">{n(r.rowsImported)}</td>
              <td className="num">{n(r.rowsRejected)}</td>
              <td>{new Date(r.startedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
