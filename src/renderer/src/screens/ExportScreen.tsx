import { useEffect, useState } from 'react';
import type { Output } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { ExportFormat, ExportRecord } from '../../../shared/features/export/contract';
import { runJob } from '../client/jobs';
import { Alert } from '../components/Alert';
import { CountsGrid } from '../components/CountsGrid';
import { useAction } from '../hooks/useAction';
import { useLatestOnly } from '../hooks/useLatestOnly';
import { useWorkbench } from '../store/workbench';

/** Build a dataset export and see past ones. */
export function ExportScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [name, setName] = useState('dataset');
  const [format, setFormat] = useState<ExportFormat>('jsonl');
  const [split, setSplit] = useState<'time' | 'random' | 'none'>('time');
  const [source, setSource] = useState<'human' | 'human+model'>('human');
  const [replace, setReplace] = useState(false);
  const [history, setHistory] = useState<ExportRecord[]>([]);
  const [preview, setPreview] = useState<Output<'export.preview'> | null>(null);
  const { busy, error, run: act } = useAction();
  const latest = useLatestOnly();
  useEffect(() => {
    if (client && projectId !== null) void client.call('export.list', { projectId }).then(setHistory);
  }, [client, projectId]);
  if (!client || projectId === null) return null;
  const policy =
    split === 'time'
      ? { kind: 'time-fractions' as const, fractions: [0.8, 0.1, 0.1] as [number, number, number] }
      : split === 'random'
        ? { kind: 'random' as const, fractions: [0.8, 0.1, 0.1] as [number, number, number], seed: 1 }
        : { kind: 'none' as const };
  const showPreview = () =>
    act(async () => {
      const asked = latest.take();
      const counts = await client.call('export.preview', {
        project: { projectId },
        split: policy,
        labelSource: source,
      });
      if (latest.current(asked)) setPreview(counts);
    });
  const run = () =>
    act(async () => {
      try {
        const status = await runJob(client, () =>
          client.call('export.start', {
            project: { projectId },
            name,
            format,
            split: policy,
            labelSource: source,
            force: replace,
          }),
        );
        if (status.state !== 'succeeded') {
          const e = status.error;
          throw new ApiError(e?.code ?? 'internal', e?.message ?? 'export failed', e?.details);
        }
      } catch (e) {
        throw inWords(e);
      }
      setHistory(await client.call('export.list', { projectId }));
    });
  return (
    <article aria-label="Export">
      <h1>Export a dataset</h1>
      <form
        className="mine-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
            <option value="jsonl">JSONL</option>
            <option value="csv">CSV</option>
            <option value="parquet">Parquet</option>
            <option value="hf">Hugging Face folder</option>
          </select>
        </label>
        <label>
          Split
          <select
            value={split}
            onChange={(e) => {
              setSplit(e.target.value as 'time');
              setPreview(null);
              latest.stale();
            }}
          >
            <option value="time">by time (80/10/10)</option>
            <option value="random">random, seeded</option>
            <option value="none">none</option>
          </select>
        </label>
        <label>
          Labels
          <select
            value={source}
            onChange={(e) => {
              setSource(e.target.value as 'human');
              setPreview(null);
              latest.stale();
            }}
          >
            <option value="human">people’s labels</option>
            <option value="human+model">people’s, else the model’s</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace the
          existing export
        </label>
        <button type="button" disabled={busy} onClick={() => void showPreview()}>
          Preview counts
        </button>
        <button type="submit" className="primary" disabled={busy || !name}>
          {busy ? 'Exporting…' : 'Build export'}
        </button>
      </form>
      <Alert message={error} />
      {preview && <ExportPreviewTable preview={preview} />}
      <h2>Past exports</h2>
      {history.length === 0 && <p className="muted">No exports of this project yet.</p>}
      <table className="table" aria-label="Past exports" hidden={history.length === 0}>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">folder</th>
            <th scope="col">format</th>
            <th scope="col" className="num">
              rows
            </th>
            <th scope="col">files</th>
            <th scope="col">content hash</th>
          </tr>
        </thead>
        <tbody>
          {history.map((x) => (
            <tr key={x.id}>
              <td>{x.id}</td>
              <td className="mono" title={x.path}>
                {x.path}
              </td>
              <td>{x.format}</td>
              <td className="num">{x.rows.toLocaleString('en-US')}</td>
              <td className="small">{x.files.map((f) => `${f.path} (${f.rows})`).join(', ')}</td>
              <td className="mono">{x.contentHash.slice(0, 12)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

/** A refusal as this screen's controls name things: an existing export points to the Replace box. */
function inWords(e: unknown): unknown {
  const details = e instanceof ApiError ? (e.details as { reason?: string; name?: string } | undefined) : undefined;
  if (details?.reason !== 'exists') return e;
  return new Error(
    `An export named "${details.name ?? ''}" already exists. Choose another name, or tick "Replace the existing export" to overwrite it.`,
  );
}

/** Rows per split and label the export would hold, before anything is written. */
function ExportPreviewTable({ preview }: { preview: Output<'export.preview'> }) {
  const splits = Object.keys(preview.counts);
  const labels = [...new Set(splits.flatMap((s) => Object.keys(preview.counts[s]!.labels)))].sort();
  return (
    <section className="card" aria-label="Export preview">
      <p data-testid="export-preview">
        {preview.rows.toLocaleString('en-US')} rows ({preview.labelSources.human.toLocaleString('en-US')} labeled by
        people, {preview.labelSources.model.toLocaleString('en-US')} by the model) · split {preview.split.kind}
      </p>
      <CountsGrid
        label="Rows per split and label"
        corner="label"
        columns={splits}
        rows={labels.map((l) => ({ key: l, counts: splits.map((s) => preview.counts[s]!.labels[l] ?? 0) }))}
        total={splits.map((s) => preview.counts[s]!.rows)}
      />
    </section>
  );
}
