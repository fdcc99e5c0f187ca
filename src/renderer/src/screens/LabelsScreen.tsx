import { useEffect, useState } from 'react';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import { Alert } from '../components/Alert';
import { useAction } from '../hooks/useAction';
import { useWorkbench } from '../store/workbench';

interface Row {
  from: string;
  id: string;
  name: string;
}

/** Label schema history, diffs, and a new version (renames carry labels forward). */
export function LabelsScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [versions, setVersions] = useState<LabelSchemaVersion[]>([]);
  const [diffs, setDiffs] = useState<Record<number, string[]>>({});
  const [rows, setRows] = useState<Row[]>([]);
  const [guidelines, setGuidelines] = useState('');
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const { error, run: act } = useAction();

  const load = async () => {
    if (!client || projectId === null) return;
    const all = await client.call('labels.versions', { projectId });
    setVersions(all);
    const latest = all.at(-1);
    if (latest) {
      setRows(latest.labels.map((l) => ({ from: l.id, id: l.id, name: l.name })));
      setGuidelines(latest.guidelines);
    }
    const d: Record<number, string[]> = {};
    for (const v of all.slice(1)) {
      d[v.version] = (
        await client.call('labels.diff', { project: { projectId }, from: v.version - 1, to: v.version })
      ).lines;
    }
    setDiffs(d);
  };
  useEffect(() => {
    void load();
  }, [client, projectId]);
  if (!client || projectId === null) return null;
  const latest = versions.at(-1);

  const save = () =>
    act(async () => {
      if (!latest) return;
      const labels = rows.map((r) => {
        const before = latest.labels.find((l) => l.id === r.from)!;
        return { ...before, id: r.id, name: r.name };
      });
      const mapping = rows
        .filter((r) => r.id !== r.from)
        .map((r) => ({ kind: 'rename' as const, from: r.from, to: r.id }));
      const created = await client.call('labels.create', {
        project: { projectId },
        draft: { labels, guidelines, changeNote: note, mappingFromPrevious: mapping },
      });
      setMessage(
        `Version ${created.version} saved: ${created.carryForward.carried} labels carried forward, ${created.carryForward.requeued} examples back in the queue.`,
      );
      setNote('');
      await load();
    });

  return (
    <article aria-label="Label schema">
      <h1>Label schema</h1>
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      <Alert message={error} />
      <section aria-label="New version" className="card">
        <h2>New version (after v{latest?.version})</h2>
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">was</th>
              <th scope="col">id</th>
              <th scope="col">name</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.from}>
                <td className="mono">{r.from}</td>
                <td>
                  <input
                    aria-label={`id of ${r.from}`}
                    value={r.id}
                    onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, id: e.target.value } : x)))}
                  />
                </td>
                <td>
                  <input
                    aria-label={`name of ${r.from}`}
                    value={r.name}
                    onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">A changed id is a rename: labels carry forward to it.</p>
        <label className="block">
          Guidelines (markdown)
          <textarea value={guidelines} rows={5} onChange={(e) => setGuidelines(e.target.value)} />
        </label>
        <label className="block">
          Change note
          <input className="wide" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="button" className="primary" disabled={!note.trim()} onClick={() => void save()}>
          Save new version
        </button>
      </section>
      <h2>History</h2>
      <ol className="versions" reversed>
        {[...versions].reverse().map((v) => (
          <li key={v.id}>
            <strong>v{v.version}</strong> · {v.labels.map((l) => l.name).join(', ')}
            {v.changeNote && <span className="muted"> — {v.changeNote}</span>}
            {diffs[v.version] && diffs[v.version]!.length > 0 && (
              <ul className="small">
                {diffs[v.version]!.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </article>
  );
}
