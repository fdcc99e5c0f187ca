import { useEffect, useMemo, useState } from 'react';
import type {
  BrowseFilters,
  BrowsePage,
  BrowseRow,
  LabelState,
  QueueState,
} from '../../../../shared/features/browse/contract';
import { Alert } from '../../components/Alert';
import { useAction } from '../../hooks/useAction';
import { useWorkbench } from '../../store/workbench';
import { BrowseTable, type BrowseColumn } from './BrowseTable';
import { ExampleDetail } from './ExampleDetail';

type SortBy = 'log-order' | 'time' | 'score' | 'confidence';
interface Sort {
  by: SortBy;
  direction: 'asc' | 'desc';
}

const SORT_COLUMN = { time: 'time', score: 'prediction', confidence: 'confidence' };
const CLASS_NAMES = { id: 'mono', text: 'text-cell', prediction: 'num' };
const LABEL_STATES: LabelState[] = ['unlabeled', 'labeled', 'conflict', 'flagged'];
const QUEUE_STATES: QueueState[] = ['not-queued', 'pending', 'leased', 'done', 'skipped'];

function SortHeader({ title, by, sort, onSort }: { title: string; by: SortBy; sort: Sort; onSort: (s: Sort) => void }) {
  const active = sort.by === by;
  const next: Sort = { by, direction: active && sort.direction === 'desc' ? 'asc' : 'desc' };
  return (
    <button type="button" className="link sort" onClick={() => onSort(next)}>
      {title} {active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
    </button>
  );
}

function columnsFor(sort: Sort, onSort: (s: Sort) => void, run: string | null): BrowseColumn[] {
  const cell = (f: (r: BrowseRow) => React.ReactNode) => (info: { row: { original: { row?: BrowseRow } } }) =>
    info.row.original.row ? f(info.row.original.row) : '…';
  return [
    { id: 'id', header: 'example', cell: cell((r) => r.externalId) },
    {
      id: 'time',
      header: () => <SortHeader title="time" by="time" sort={sort} onSort={onSort} />,
      cell: cell((r) => (r.ts === null ? '—' : new Date(r.ts).toISOString().slice(0, 16).replace('T', ' '))),
    },
    {
      id: 'text',
      header: 'text',
      cell: cell((r) => <span title={r.text ?? undefined}>{r.text ?? r.imagePath ?? ''}</span>),
    },
    {
      id: 'prediction',
      header: () => (
        <SortHeader title={`score${run ? ` (${run.split('@').pop()})` : ''}`} by="score" sort={sort} onSort={onSort} />
      ),
      cell: cell((r) => {
        const p = r.predictions.find((x) => x.run === run) ?? r.predictions.at(-1);
        return p ? `${p.predicted.join(', ')} ${p.score.toFixed(3)}` : '—';
      }),
    },
    {
      id: 'confidence',
      header: () => <SortHeader title="other runs" by="confidence" sort={sort} onSort={onSort} />,
      cell: cell((r) =>
        r.predictions
          .filter((p) => p.run !== run)
          .map((p) => `${p.run.split('@').pop()}: ${p.predicted.join(', ')}`)
          .join(' · '),
      ),
    },
    {
      id: 'label',
      header: 'label',
      cell: cell((r) => (r.label ? r.label.join(', ') : <span className="muted">{r.labelState}</span>)),
    },
    { id: 'truth', header: 'ground truth', cell: cell((r) => r.groundTruth ?? '') },
    { id: 'queue', header: 'queue', cell: cell((r) => (r.queueState === 'not-queued' ? '' : r.queueState)) },
  ];
}

/** Every example of the project: search, filter and sort on the server, open one, queue a set. */
export function BrowseScreen() {
  const client = useWorkbench((s) => s.client);
  const project = useWorkbench((s) => s.projects.find((p) => p.id === s.selectedId) ?? null);
  const [filters, setFilters] = useState<BrowseFilters>({});
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort>({ by: 'log-order', direction: 'asc' });
  const [info, setInfo] = useState<BrowsePage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [metaKey, setMetaKey] = useState('');
  const [metaValue, setMetaValue] = useState('');
  const [queueLimit, setQueueLimit] = useState(200);
  const [queued, setQueued] = useState<string | null>(null);
  const queueAction = useAction();

  useEffect(() => {
    const t = setTimeout(() => {
      const s = search.trim();
      setFilters((f) => {
        const { search: _old, ...rest } = f;
        return s ? { ...rest, search: s } : rest;
      });
    }, 300);
    return () => clearTimeout(t);
  }, [search]);

  const key = JSON.stringify([project?.id, filters, sort]);
  useEffect(() => {
    if (!client || !project) return;
    let live = true;
    client.call('examples.browse', { project: { projectId: project.id }, filters, sort, limit: 1 }).then(
      (page) => {
        if (!live) return;
        setInfo(page);
        setError(null);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [client, key]);
  const columns = useMemo(() => columnsFor(sort, setSort, info?.run ?? null), [sort, info?.run]);
  if (!client || !project) return <p className="muted">Import a log to browse its examples.</p>;
  const projectId = project.id;
  const set = <K extends keyof BrowseFilters>(k: K, v: BrowseFilters[K] | undefined) =>
    setFilters((f) => {
      const next = { ...f };
      if (v === undefined) delete next[k];
      else next[k] = v;
      return next;
    });
  const number = (text: string) => (text === '' ? undefined : Number(text));
  const others = (info?.runs ?? []).filter((r) => r.label !== info?.run);

  return (
    <section aria-label="Data browser" className={open ? 'browse with-detail' : 'browse'}>
      <div className="browse-main">
        <form className="browse-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
          <label>
            Search text or id
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="refund, s-00042…"
            />
          </label>
          <label>
            Model run
            <select
              value={filters.run === undefined ? '' : String(filters.run)}
              onChange={(e) => set('run', e.target.value === '' ? undefined : e.target.value)}
            >
              <option value="">newest{info?.run ? ` (${info.run})` : ''}</option>
              {(info?.runs ?? []).map((r) => (
                <option key={r.id} value={r.label}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Predicted class
            <select
              value={filters.predictedClasses?.[0] ?? ''}
              onChange={(e) => set('predictedClasses', e.target.value === '' ? undefined : [e.target.value])}
            >
              <option value="">any</option>
              {project.classes.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            Score of
            <select value={filters.scoreClass ?? ''} onChange={(e) => set('scoreClass', e.target.value || undefined)}>
              <option value="">{project.taskType === 'binary' ? `P(${project.classes[1]})` : 'the top class'}</option>
              {project.classes.map((c) => (
                <option key={c} value={c}>
                  P({c})
                </option>
              ))}
            </select>
          </label>
          <label>
            Score from
            <input
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={filters.scoreMin ?? ''}
              onChange={(e) => set('scoreMin', number(e.target.value))}
            />
          </label>
          <label>
            Score to
            <input
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={filters.scoreMax ?? ''}
              onChange={(e) => set('scoreMax', number(e.target.value))}
            />
          </label>
          <label>
            Disagrees with
            <select
              value={filters.disagreesWith === undefined ? '' : String(filters.disagreesWith)}
              onChange={(e) => set('disagreesWith', e.target.value || undefined)}
            >
              <option value="">—</option>
              {others.map((r) => (
                <option key={r.id} value={r.label}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Label state
            <select
              value={filters.labelStates?.[0] ?? ''}
              onChange={(e) => set('labelStates', e.target.value ? [e.target.value as LabelState] : undefined)}
            >
              <option value="">any</option>
              {LABEL_STATES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Current label
            <select
              value={filters.labels?.[0] ?? ''}
              onChange={(e) => set('labels', e.target.value ? [e.target.value] : undefined)}
            >
              <option value="">any</option>
              {(info?.labels ?? []).map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          {info?.hasGroundTruth && (
            <label>
              Ground truth
              <select
                value={filters.groundTruth?.[0] ?? ''}
                onChange={(e) => set('groundTruth', e.target.value ? [e.target.value] : undefined)}
              >
                <option value="">any</option>
                {project.classes.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </label>
          )}
          <label>
            Queue status
            <select
              value={filters.queueStates?.[0] ?? ''}
              onChange={(e) => set('queueStates', e.target.value ? [e.target.value as QueueState] : undefined)}
            >
              <option value="">any</option>
              {QUEUE_STATES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            From
            <input
              type="datetime-local"
              onChange={(e) => set('from', e.target.value ? Date.parse(e.target.value) : undefined)}
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              onChange={(e) => set('to', e.target.value ? Date.parse(e.target.value) : undefined)}
            />
          </label>
          <label>
            Metadata field
            <select value={metaKey} onChange={(e) => setMetaKey(e.target.value)}>
              <option value="">—</option>
              {(info?.metadataKeys ?? []).map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <label>
            equals
            <span className="inline">
              <input value={metaValue} onChange={(e) => setMetaValue(e.target.value)} aria-label="Metadata value" />
              <button
                type="button"
                disabled={!metaKey || metaValue === ''}
                onClick={() => {
                  set('metadata', { ...filters.metadata, [metaKey]: metaValue });
                  setMetaValue('');
                }}
              >
                Add
              </button>
            </span>
          </label>
        </form>
        {Object.entries(filters.metadata ?? {}).length > 0 && (
          <p className="chips">
            {Object.entries(filters.metadata ?? {}).map(([k, v]) => (
              <button
                key={k}
                type="button"
                className="tag"
                aria-label={`Remove filter ${k} = ${String(v)}`}
                onClick={() => {
                  const { [k]: _gone, ...rest } = filters.metadata ?? {};
                  set('metadata', Object.keys(rest).length > 0 ? rest : undefined);
                }}
              >
                {k} = {String(v)} ✕
              </button>
            ))}
          </p>
        )}
        <Alert message={error} />
        <div className="row-actions">
          <strong data-testid="browse-total">{(info?.total ?? 0).toLocaleString('en-US')}</strong>
          <span className="muted small">examples match{info?.run ? `; scores from ${info.run}` : ''}</span>
          <span className="spacer" />
          <label className="inline small nowrap">
            Queue the first
            <input
              type="number"
              min={1}
              max={100000}
              value={queueLimit}
              onChange={(e) => setQueueLimit(Math.max(1, Number(e.target.value) || 1))}
              aria-label="How many to queue"
            />
          </label>
          <button
            type="button"
            disabled={queueAction.busy || !info || info.total === 0}
            onClick={() =>
              queueAction.run(async () => {
                const r = await client.call('examples.queue', { project: { projectId }, filters, limit: queueLimit });
                setQueued(
                  `Queued ${r.queued.toLocaleString('en-US')} of ${r.matched.toLocaleString('en-US')} matching examples` +
                    (r.alreadyQueued > 0 ? ` (${r.alreadyQueued} were queued already)` : '') +
                    '.',
                );
              })
            }
          >
            Send to review queue
          </button>
        </div>
        <Alert message={queueAction.error} />
        {queued && (
          <p role="status" className="muted small">
            {queued}
          </p>
        )}
        {info && info.total === 0 ? (
          <p className="muted">No example matches these filters: loosen one of them.</p>
        ) : (
          info && (
            <BrowseTable
              total={info.total}
              version={key}
              columns={columns}
              classNames={CLASS_NAMES}
              sorted={sort.by === 'log-order' ? null : { column: SORT_COLUMN[sort.by], direction: sort.direction }}
              selected={open}
              onOpen={(r) => setOpen(r.externalId)}
              fetchRows={(offset, limit) =>
                client
                  .call('examples.browse', { project: { projectId }, filters, sort, offset, limit })
                  .then((p) => p.rows)
              }
            />
          )
        )}
      </div>
      {open && <ExampleDetail projectId={projectId} externalId={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
