import * as AlertDialog from '@radix-ui/react-alert-dialog';
import type { ExportRecord } from '../../../../shared/features/export/contract';
import { downloadExportFile } from '../../client/download';
import { EmptyState } from '../../components/EmptyState';
import { useWorkbench } from '../../store/workbench';
import { TipText } from '../../components/Tip';

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
  const fail = (e: unknown) => onError((e as Error).message);
  return (
    <li className="card past-export" aria-label={`Export ${x.name}`}>
      <div className="past-export-head">
        <h3>
          {x.name} <span className="muted small">#{x.id}</span>
        </h3>
        <span className="muted small">
          {when(x.createdAt)} · {x.format} · schema v{x.schemaVersion ?? '?'} · {x.rows.toLocaleString('en-US')} rows ·{' '}
          <TipText className="mono" tip={`content hash ${x.contentHash}`}>
            {x.contentHash.slice(0, 12)}
          </TipText>
        </span>
      </div>
      <p className="mono small path">{x.path}</p>
      <p className="small">
        {x.files.map((f) => `${f.split ?? f.path} ${f.rows.toLocaleString('en-US')}`).join(' · ')}
      </p>
      <div className="actions">
        <AlertDialog.Root>
          <AlertDialog.Trigger asChild>
            <button type="button" disabled={busy}>
              Rebuild {x.name}
            </button>
          </AlertDialog.Trigger>
          <AlertDialog.Portal>
            <AlertDialog.Overlay className="overlay" />
            <AlertDialog.Content className="overlay-body dialog">
              <AlertDialog.Title>Rebuild {x.name}?</AlertDialog.Title>
              <AlertDialog.Description>
                Rebuild replaces the folder {x.path} with the recorded options’ current result: labels decided since
                export #{x.id} was built change its files.
              </AlertDialog.Description>
              <div className="dialog-actions">
                <AlertDialog.Cancel asChild>
                  <button type="button">Keep it</button>
                </AlertDialog.Cancel>
                <AlertDialog.Action asChild>
                  <button type="button" className="primary" disabled={busy} onClick={() => onRebuild(x)}>
                    Rebuild now
                  </button>
                </AlertDialog.Action>
              </div>
            </AlertDialog.Content>
          </AlertDialog.Portal>
        </AlertDialog.Root>{' '}
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
