import { useEffect, useState, type InputHTMLAttributes } from 'react';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import { changesFromDraft } from '../../../shared/features/labels/draft-mapping';
import { Alert } from '../components/Alert';
import { useAction } from '../hooks/useAction';
import { useWorkbench } from '../store/workbench';
import { changeLines, rowProblems, type DraftRow as Row, type RowField } from './label-draft';

/** The editable text cells of a label row, in column order (where it comes from is a choice). */
const COLUMNS: {
  field: Exclude<keyof Row, 'key' | 'comesFrom'>;
  label: (who: string) => string;
  input: InputHTMLAttributes<HTMLInputElement>;
}[] = [
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
    comesFrom: [l.id],
  }));
}

/** Where a drafted label comes from: old ids chosen from a list (several: a merge). */
function ComesFrom({
  who,
  value,
  oldIds,
  onChange,
}: {
  who: string;
  value: string[];
  oldIds: string[];
  onChange: (ids: string[]) => void;
}) {
  const slots = value.length === 0 ? [''] : value;
  return (
    <div className="comes-from">
      {slots.map((id, i) => (
        <select
          key={i}
          aria-label={i === 0 ? `${who} comes from` : `${who} comes from (${i + 1})`}
          value={id}
          onChange={(e) => {
            const next = [...slots];
            next[i] = e.target.value;
            onChange(next.filter(Boolean));
          }}
        >
          <option value="">{i === 0 ? '(new label)' : '(none)'}</option>
          {oldIds.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ))}
      {value.length > 0 && value.length < oldIds.length && (
        <button
          type="button"
          className="link small"
          onClick={() => onChange([...value, oldIds.find((o) => !value.includes(o))!])}
        >
          + merge another<span className="sr-only"> into {who}</span>
        </button>
      )}
    </div>
  );
}

/** The current schema as annotators see it, with how many examples carry each label now. */
function CurrentSchema({ schema, projectId }: { schema: LabelSchemaVersion; projectId: number }) {
  const client = useWorkbench((s) => s.client);
  const [counts, setCounts] = useState<Record<string, number> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!client) return;
    let live = true;
    client.call('export.preview', { project: { projectId }, split: { kind: 'none' } }).then(
      (p) => {
        if (!live) return;
        const sum: Record<string, number> = {};
        for (const split of Object.values(p.counts))
          for (const [label, n] of Object.entries(split.labels)) sum[label] = (sum[label] ?? 0) + n;
        setCounts(sum);
      },
      (e: Error) => {
        if (!live) return;
        // Nothing labeled yet reads as a refusal to export: here it is simply zero of each.
        if (/no examples to export/.test(e.message)) setCounts({});
        else setProblem('the counts could not be read; reload the screen to try again');
      },
    );
    return () => {
      live = false;
    };
  }, [client, projectId, schema.version]);
  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
  return (
    <section className="card" aria-label="Current schema">
      <h2>Current schema · v{schema.version}</h2>
      <table className="table compact" aria-label="Labels now">
        <thead>
          <tr>
            <th scope="col">label</th>
            <th scope="col">id</th>
            <th scope="col">key</th>
            <th scope="col">description</th>
            <th scope="col" className="count-cell">
              examples
            </th>
          </tr>
        </thead>
        <tbody>
          {schema.labels.map((l) => (
            <tr key={l.id}>
              <td>
                <span className="swatch-dot" style={{ background: l.color }} aria-hidden="true" /> {l.name}
              </td>
              <td className="mono">{l.id}</td>
              <td>{l.hotkey ? <kbd>{l.hotkey}</kbd> : <span className="muted">—</span>}</td>
              <td className="muted">{l.description || '—'}</td>
              <td className="count-cell" data-testid={`count-${l.id}`}>
                {counts ? (counts[l.id] ?? counts[l.name] ?? 0).toLocaleString('en-US') : problem ? '—' : '…'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {problem
          ? `Examples per label: ${problem}.`
          : counts && total === 0
            ? 'No example carries a label yet: label some in Review.'
            : 'Examples counted where annotators agree or a lead adjudicated, as an export would take them.'}
      </p>
    </section>
  );
}

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
        rows.map((r) => ({ id: r.id.trim(), comesFrom: r.comesFrom })),
      )
    : [];
  const lines = latest ? changeLines(latest, rows, changes) : [];
  const problems = rowProblems(rows);
  const hasProblems = Object.keys(problems).length > 0;
  const oldIds = latest?.labels.map((l) => l.id) ?? [];

  const save = () =>
    act(async () => {
      const labels = rows.map((r) => ({
        id: r.id.trim(),
        name: r.name.trim(),
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
      {latest ? (
        <CurrentSchema schema={latest} projectId={projectId} />
      ) : (
        <p className="muted">This project has no label schema yet: import predictions to start one.</p>
      )}
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
                  <td>
                    <ComesFrom
                      who={who}
                      value={r.comesFrom}
                      oldIds={oldIds}
                      onChange={(comesFrom) => edit(r.key, { comesFrom })}
                    />
                  </td>
                  {COLUMNS.map((c) => {
                    const problem = problems[r.key]?.[c.field as RowField];
                    const errorId = `problem-${r.key}-${c.field}`;
                    return (
                      <td key={c.field}>
                        <input
                          aria-label={c.label(who)}
                          value={r[c.field]}
                          aria-invalid={problem ? true : undefined}
                          aria-describedby={problem ? errorId : undefined}
                          onChange={(e) => edit(r.key, { [c.field]: e.target.value })}
                          {...c.input}
                        />
                        {problem && (
                          <span className="field-error" id={errorId}>
                            {problem}
                          </span>
                        )}
                      </td>
                    );
                  })}
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
                  comesFrom: [],
                },
              ]);
            }}
          >
            Add a label
          </button>
          <span className="muted small">
            “Comes from” is the old label a label takes over: another id is a rename, several (merge another) a merge
            (labels carry forward); one old label under several labels is a split (its examples go back to the queue).
          </span>
        </div>
        {lines.length > 0 ? (
          <ul className="small" aria-label="Declared changes">
            {lines.map((line, i) => (
              <li key={`${i}:${line}`}>{line}</li>
            ))}
          </ul>
        ) : (
          <p className="muted small">No change yet: edit a label above, or add one.</p>
        )}
        <label className="block">
          Guidelines (markdown)
          <textarea value={guidelines} rows={5} onChange={(e) => setGuidelines(e.target.value)} />
        </label>
        <label className="block">
          Change note
          <input className="wide" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="button" className="primary" disabled={!note.trim() || hasProblems} onClick={() => void save()}>
          Save new version
        </button>
        {hasProblems ? (
          <span className="muted small"> Fix the fields marked above to save.</span>
        ) : (
          !note.trim() && <span className="muted small"> Write a change note to save.</span>
        )}
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
