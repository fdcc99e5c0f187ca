import { useEffect, useMemo, useState } from 'react';
import type { Output } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { ExportRecord } from '../../../shared/features/export/contract';
import { runJob } from '../client/jobs';
import { Alert } from '../components/Alert';
import { CountsGrid } from '../components/CountsGrid';
import { useAction } from '../hooks/useAction';
import { useLatestOnly } from '../hooks/useLatestOnly';
import { useWorkbench } from '../store/workbench';
import { NEW_DRAFT, optionsOf, type ExportDraft } from './export/export-draft';
import { ExportForm, type ExportChoices } from './export/ExportForm';
import { exportWarnings, type SplitCounts } from './export/export-warnings';
import { PastExports } from './export/PastExports';

type Preview = Output<'export.preview'>;
interface JobResult {
  exportId: number;
  path: string;
  rows: number;
  files: { path: string; split: string | null; rows: number }[];
  contentHash: string;
  scores?: { run: { id: number; name: string; version: string }; unscored: number }[];
}

const n = (v: number) => v.toLocaleString('en-US');

/** What a finished export or rebuild says: where it is and how many rows each split holds. */
function doneLine(verb: string, r: JobResult, before?: ExportRecord): string {
  const splits = r.files.map((f) => `${f.split ?? f.path} ${n(f.rows)}`).join(', ');
  const same =
    before === undefined
      ? ''
      : before.contentHash === r.contentHash
        ? ' Same content as before.'
        : ' The content differs from before: labels changed since.';
  const scores = (r.scores ?? [])
    .map(
      (s) =>
        ` Scores of ${s.run.name}@${s.run.version} (run${s.run.id}_…): ` +
        (s.unscored === 0 ? 'every row.' : `${n(s.unscored)} rows not scored by this run, their cells left empty.`),
    )
    .join('');
  return `${verb} ${r.path}: ${n(r.rows)} rows (${splits}).${scores}${same}`;
}

/** Build a dataset export with every option of the engine, see what it would hold, and manage past ones. */
export function ExportScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const stats = useWorkbench((s) => s.stats);
  const [draft, setDraft] = useState<ExportDraft>(NEW_DRAFT);
  const [choices, setChoices] = useState<ExportChoices>({ versions: [], modelRuns: [], annotators: [] });
  const [labelNames, setLabelNames] = useState<Record<string, string>>({});
  const [history, setHistory] = useState<ExportRecord[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewProblem, setPreviewProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const { busy, error, run: act } = useAction();
  const latest = useLatestOnly();

  useEffect(() => {
    if (!client || projectId === null) return;
    void client.call('export.list', { projectId }).then(setHistory);
    void Promise.all([
      client.call('labels.versions', { projectId }),
      client.call('labels.agreement', { project: { projectId } }).catch(() => null),
    ]).then(([versions, agreement]) => {
      setLabelNames(Object.fromEntries(versions.flatMap((v) => v.labels.map((l) => [l.id, l.name]))));
      setChoices((c) => ({
        ...c,
        versions: versions.map((v) => v.version),
        annotators: agreement?.annotators.map((a) => a.name) ?? [],
      }));
    });
  }, [client, projectId]);
  useEffect(() => {
    setChoices((c) => ({
      ...c,
      modelRuns: (stats?.modelRuns ?? []).map((r) => ({ id: r.id, name: `${r.modelName}@${r.modelVersion}` })),
    }));
  }, [stats]);

  // The preview follows the options: it answers in milliseconds for a project of ordinary size.
  const options = useMemo(() => {
    try {
      return { ok: true as const, value: optionsOf(draft) };
    } catch (e) {
      return { ok: false as const, message: (e as Error).message };
    }
  }, [draft]);
  const optionsKey = JSON.stringify(options);
  useEffect(() => {
    if (!client || projectId === null) return;
    const asked = latest.take();
    if (!options.ok) {
      setPreview(null);
      setPreviewProblem(options.message);
      return;
    }
    const timer = setTimeout(() => {
      client
        .call('export.preview', { project: { projectId }, ...options.value })
        .then((p) => {
          if (!latest.current(asked)) return;
          setPreview(p);
          setPreviewProblem(null);
        })
        .catch((e: unknown) => {
          if (!latest.current(asked)) return;
          setPreview(null);
          setPreviewProblem((inWords(e) as Error).message);
        });
    }, 200);
    return () => clearTimeout(timer);
  }, [client, projectId, optionsKey]);

  if (!client || projectId === null) return null;
  const refresh = async () => setHistory(await client.call('export.list', { projectId }));
  const finish = async (start: () => Promise<{ jobId: string }>): Promise<JobResult> => {
    const status = await runJob(client, start);
    if (status.state !== 'succeeded') {
      const e = status.error;
      throw new ApiError(e?.code ?? 'internal', e?.message ?? 'The export stopped without saying why.', e?.details);
    }
    return status.result as JobResult;
  };
  const build = () =>
    act(async () => {
      setDone(null);
      if (!options.ok) throw new Error(options.message);
      try {
        const r = await finish(() =>
          client.call('export.start', {
            project: { projectId },
            name: draft.name,
            format: draft.format,
            force: draft.replace,
            ...options.value,
            ...(draft.scoreRuns.length > 0 ? { withScores: draft.scoreRuns } : {}),
          }),
        );
        setDone(doneLine('Exported to', r));
      } catch (e) {
        throw inWords(e);
      }
      await refresh();
    });
  const rebuild = (x: ExportRecord) =>
    act(async () => {
      setDone(null);
      const r = await finish(() => client.call('export.again', { exportId: x.id, force: true }));
      setDone(doneLine(`Rebuilt ${x.name} in`, r, x));
      await refresh();
    });
  const warnings = preview ? exportWarnings(preview.counts as SplitCounts, preview.split, labelNames) : [];
  return (
    <article aria-label="Export">
      <h1>Export a dataset</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void build();
        }}
      >
        <ExportForm draft={draft} choices={choices} onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))} />
        <div className="actions">
          <label className="check">
            <input
              type="checkbox"
              checked={draft.replace}
              onChange={(e) => setDraft((d) => ({ ...d, replace: e.target.checked }))}
            />{' '}
            Replace an existing export of this name
          </label>
          <button type="submit" className="primary" disabled={busy || !draft.name || !options.ok}>
            {busy ? 'Exporting…' : 'Build export'}
          </button>
        </div>
      </form>
      <Alert message={error} />
      <Alert message={listError} />
      {done && (
        <p className="success" role="status" data-testid="export-done">
          {done}
        </p>
      )}
      <section className="card" aria-label="Export preview">
        <h2>What the export would hold</h2>
        {previewProblem ? (
          <p className="warning">{previewProblem}</p>
        ) : preview ? (
          <ExportPreviewTable preview={preview} labelNames={labelNames} />
        ) : (
          <p className="muted">Counting…</p>
        )}
        {warnings.length > 0 && (
          <ul className="warnings" aria-label="Warnings">
            {warnings.map((w) => (
              <li key={w} className="warning">
                {w}
              </li>
            ))}
          </ul>
        )}
      </section>
      <h2>Past exports</h2>
      <PastExports history={history} busy={busy} onRebuild={(x) => void rebuild(x)} onError={setListError} />
    </article>
  );
}

/** A refusal as this screen's controls name things: an existing export points to the Replace box. */
function inWords(e: unknown): unknown {
  const details = e instanceof ApiError ? (e.details as { reason?: string; name?: string } | undefined) : undefined;
  if (details?.reason === 'nothing-to-export')
    return new Error(
      'No example matches these options. Loosen the filters (agreement, annotators, time window), or take labels from “people, else the model”.',
    );
  if (details?.reason !== 'exists') return e;
  return new Error(
    `An export named "${details.name ?? ''}" already exists. Choose another name, or tick "Replace an existing export of this name".`,
  );
}

/** Rows per split and label the export would hold, before anything is written. */
function ExportPreviewTable({ preview, labelNames }: { preview: Preview; labelNames: Record<string, string> }) {
  const splits = Object.keys(preview.counts);
  const labels = [...new Set(splits.flatMap((s) => Object.keys(preview.counts[s]!.labels)))].sort();
  return (
    <>
      <p data-testid="export-preview">
        {n(preview.rows)} rows ({n(preview.labelSources.human)} labeled by people, {n(preview.labelSources.model)} by
        the model) · {splits.map((s) => `${s} ${n(preview.counts[s]!.rows)}`).join(' · ')}
      </p>
      <CountsGrid
        label="Rows per split and label"
        corner="label"
        columns={splits}
        rows={labels.map((l) => ({
          key: labelNames[l] ?? l,
          counts: splits.map((s) => preview.counts[s]!.labels[l] ?? 0),
        }))}
        total={splits.map((s) => preview.counts[s]!.rows)}
      />
    </>
  );
}
