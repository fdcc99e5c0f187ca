import { useEffect, useState, type InputHTMLAttributes } from 'react';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import { changesFromDraft } from '../../../shared/features/labels/draft-mapping';
import { describeChange } from '../../../shared/features/labels/mapping';
import { Alert } from '../components/Alert';
import { useAction } from '../hooks/useAction';
import { useWorkbench } from '../store/workbench';

interface Row {
  /** Stable key: the previous version's id, or new-N for an added label. */
  key: string;
  id: string;
  name: string;
  hotkey: string;
  color: string;
  description: string;
  /** Old ids this label takes over, comma separated (blank: a new label). */
  comesFrom: string;
}

/** The editable cells of a label row, in column order. */
const COLUMNS: {
  field: Exclude<keyof Row, 'key'>;
  label: (who: string) => string;
  input: InputHTMLAttributes<HTMLInputElement>;
}[] = [
  { field: 'comesFrom', label: (w) => `${w} comes from`, input: { size: 14, placeholder: '(new)' } },
  { field: 'id', label: (w) => `id of ${w}`, input: { size: 12 } },
  { field: 'name', label: (w) => `name of ${w}`, input: { size: 14 } },
  { field: 'hotkey', label: (w) => `hotkey of ${w}`, input: { size: 2, maxLength: 1 } },
  { field: 'color', label: (w) => `colour of ${w}`, input: { type: 'color' } },
  { field: 'description', label: (w) => `description of ${w}`, input: { size: 18 } },
];

const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#f08c00', '#0c8599', '#c92a2a', '#5c940d'];

function rowsOf(v: LabelSchemaVersion): Row[] {
  return v.labels.map((l) => ({
    key: l.id,
    id: l.id,
    name: l.name,
    hotkey: l.hotkey ?? '',
    color: l.color,
    description: l.description,
    comesFrom: l.id,
  }));
}

const ids = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** Label schema history, diffs, and a new version: renames and merges carry labels forward, splits requeue. */
export function LabelsScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [versions, setVersions] = useState<LabelSchemaVersion[]>([]);
  const [diffs, setDiffs] = useState<Record<number, string[]>>({});
  const [rows, setRows] = useState<Row[]>([]);
  const [added, setAdded] = useState(0);
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
      setRows(rowsOf(latest));
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
  const edit = (key: string, change: Partial<Row>) =>
    setRows(rows.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const changes = latest
    ? changesFromDraft(
        latest.labels.map((l) => l.id),
        rows.map((r) => ({ id: r.id, comesFrom: ids(r.comesFrom) })),
      )
    : [];

  const save = () =>
    act(async () => {
      const labels = rows.map((r) => ({
        id: r.id,
        name: r.name,
        hotkey: r.hotkey || null,
        color: r.color,
        description: r.description,
      }));
      const created = await client.call('labels.create', {
        project: { projectId },
        draft: { labels, guidelines, changeNote: note, mappingFromPrevious: changes },
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
        <table className="table compact" aria-label="Labels of the new version">
          <thead>
            <tr>
              <th scope="col">comes from</th>
              <th scope="col">id</th>
              <th scope="col">name</th>
              <th scope="col">hotkey</th>
              <th scope="col">colour</th>
              <th scope="col">description</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const who = r.key.startsWith('new-') ? `new label ${r.key.slice(4)}` : r.key;
              return (
                <tr key={r.key}>
                  {COLUMNS.map((c) => (
                    <td key={c.field}>
                      <input
                        aria-label={c.label(who)}
                        value={r[c.field]}
                        onChange={(e) => edit(r.key, { [c.field]: e.target.value })}
                        {...c.input}
                      />
                    </td>
                  ))}
                  <td>
                    <button type="button" className="link" onClick={() => setRows(rows.filter((x) => x.key !== r.key))}>
                      Remove<span className="sr-only"> {who}</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="row-actions">
          <button
            type="button"
            onClick={() => {
              const n = added + 1;
              setAdded(n);
              setRows([
                ...rows,
                {
                  key: `new-${n}`,
                  id: '',
                  name: '',
                  hotkey: '',
                  color: PALETTE[(rows.length + n) % PALETTE.length]!,
                  description: '',
                  comesFrom: '',
                },
              ]);
            }}
          >
            Add a label
          </button>
          <span className="muted small">
            “Comes from” names the old ids a label takes over: another id is a rename, several a merge (labels carry
            forward); one old id under several labels is a split (its examples go back to the queue).
          </span>
        </div>
        {changes.length > 0 && (
          <ul className="small" aria-label="Declared changes">
            {changes.map((c, i) => (
              <li key={`${i}:${describeChange(c)}`}>{describeChange(c)}</li>
            ))}
          </ul>
        )}
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
