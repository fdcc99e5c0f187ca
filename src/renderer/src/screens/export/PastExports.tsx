import { useState } from 'react';
import type { ExportRecord } from '../../../../shared/features/export/contract';
import { downloadExportFile } from '../../client/download';
import { EmptyState } from '../../components/EmptyState';
import { useWorkbench } from '../../store/workbench';

const when = (ms: number) => new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Recorded exports: rows per split, rebuild, the folder (desktop) or its files (browser), the manifest. */
export function PastExports({
  history,
  busy,
  onRebuild,
  onError,
}: {
  history: ExportRecord[];
  busy: boolean;
  onRebuild: (x: ExportRecord) => void;
  onError: (message: string) => void;
}) {
  if (history.length === 0) {
    return (
      <EmptyState title="No exports yet">
        <p>Preview the counts above, then build the first export of this project: it is listed here with its files.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="past-exports" aria-label="Past exports">
      {history.map((x) => (
        <PastExport key={x.id} x={x} busy={busy} onRebuild={onRebuild} onError={onError} />
      ))}
    </ul>
  );
}

function PastExport({
  x,
  busy,
  onRebuild,
  onError,
}: {
  x: ExportRecord;
  busy: boolean;
  onRebuild: (x: ExportRecord) => void;
  onError: (message: string) => void;
}) {
  const client = useWorkbench((s) => s.client);
  const mode = useWorkbench((s) => s.mode);
  const [confirming, setConfirming] = useState(false);
  const fail = (e: unknown) => onError((e as Error).message);
  return (
    <li className="card past-export" aria-label={`Export ${x.name}`}>
      <div className="past-export-head">
        <h3>
          {x.name} <span className="muted small">#{x.id}</span>
        </h3>
        <span className="muted small">
          {when(x.createdAt)} · {x.format} · schema v{x.schemaVersion ?? '?'} · {x.rows.toLocaleString('en-US')} rows ·{' '}
          <span className="mono" title={`content hash ${x.contentHash}`}>
            {x.contentHash.slice(0, 12)}
          </span>
        </span>
      </div>
      <p className="mono small path" title={x.path}>
        {x.path}
      </p>
      <p className="small">
        {x.files.map((f) => `${f.split ?? f.path} ${f.rows.toLocaleString('en-US')}`).join(' · ')}
      </p>
      <div className="actions">
        {confirming ? (
          <span role="group" aria-label="Confirm the rebuild">
            Rebuild replaces this folder with the recorded options’ current result.{' '}
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => {
                setConfirming(false);
                onRebuild(x);
              }}
            >
              Rebuild now
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" disabled={busy} onClick={() => setConfirming(true)}>
            Rebuild {x.name}
          </button>
        )}
        {mode === 'electron' ? (
          <button type="button" onClick={() => void client?.call('export.openFolder', { exportId: x.id }).catch(fail)}>
            Open folder
          </button>
        ) : (
          <span className="downloads">
            Download:{' '}
            {['manifest.json', ...x.files.map((f) => f.path)].map((f) => (
              <button
                key={f}
                type="button"
                className="link"
                onClick={() => void downloadExportFile(x.id, f).catch(fail)}
              >
                {f}
              </button>
            ))}
          </span>
        )}
      </div>
      <details>
        <summary>Manifest</summary>
        <pre className="manifest" tabIndex={0} aria-label={`Manifest of ${x.name}`}>
          {JSON.stringify(x.manifest, null, 2)}
        </pre>
      </details>
    </li>
  );
}
