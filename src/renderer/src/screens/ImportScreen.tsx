import { useState } from 'react';
import type { ImportPreview, ImportRun } from '../../../shared/features/import/contract';
import { runJob } from '../client/jobs';
import { Alert } from '../components/Alert';
import { useAction } from '../hooks/useAction';
import { useWorkbench } from '../store/workbench';

/** Import wizard: a file on this machine → preview with the guessed mapping → import with progress. */
export function ImportScreen() {
  const client = useWorkbench((s) => s.client);
  const current = useWorkbench((s) => s.stats?.project.name) ?? '';
  const [file, setFile] = useState('');
  const [project, setProject] = useState(current);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [run, setRun] = useState<ImportRun | null>(null);
  const { busy, error, run: act } = useAction();
  if (!client) return null;
  const mapping = preview?.mapping;
  return (
    <article aria-label="Import">
      <h1>Import a prediction log</h1>
      <form
        className="mine-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            setRun(null);
            setPreview(await client.call('import.preview', { path: file, project: project || 'imported' }));
          });
        }}
      >
        <label>
          File on this machine (JSONL, CSV, Parquet, .gz)
          <input
            className="wide"
            value={file}
            onChange={(e) => setFile(e.target.value)}
            placeholder="/data/logs/2026-11-20.jsonl"
          />
        </label>
        <label>
          Project
          <input value={project} onChange={(e) => setProject(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !file}>
          Preview
        </button>
      </form>
      <Alert message={error} />
      {preview && (
        <section aria-label="Preview">
          <p className="muted">
            {preview.format}
            {preview.compression !== 'none' && ` (${preview.compression})`} · {(preview.sizeBytes / 2 ** 20).toFixed(1)}{' '}
            MB · {preview.fields.length} fields
          </p>
          {mapping ? (
            <p data-testid="import-mapping">
              id <code>{mapping.id}</code> · {mapping.taskType} over {mapping.classes.join(', ')} · input{' '}
              {mapping.inputKind}
            </p>
          ) : (
            <p className="error">No mapping could be guessed: {preview.notes.join('; ')}</p>
          )}
          {preview.notes.length > 0 && mapping && <p className="muted small">{preview.notes.join(' · ')}</p>}
          {preview.sampleRejects.length > 0 && (
            <p className="warning">
              {preview.sampleRejects.length} bad rows in the sample, e.g. row {preview.sampleRejects[0]!.row}:{' '}
              {preview.sampleRejects[0]!.field} — {preview.sampleRejects[0]!.reason}
            </p>
          )}
          <div className="scroll">
            <table className="table compact">
              <thead>
                <tr>
                  {preview.fields.slice(0, 6).map((f) => (
                    <th key={f} scope="col">
                      {f}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.sample.slice(0, 5).map((row, i) => (
                  <tr key={i}>
                    {preview.fields.slice(0, 6).map((f) => (
                      <td key={f} className="clip">
                        {(typeof row[f] === 'string' ? (row[f] as string) : (JSON.stringify(row[f]) ?? '')).slice(
                          0,
                          60,
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {mapping && (
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  const status = await runJob(client, () =>
                    client.call('import.start', { path: file, project: project || 'imported', mapping }),
                  );
                  if (status.state !== 'succeeded') throw new Error(status.error?.message ?? 'import failed');
                  setRun(status.result as ImportRun);
                })
              }
            >
              Start import
            </button>
          )}
        </section>
      )}
      {run && (
        <p role="status" data-testid="import-result">
          Imported {run.rowsImported.toLocaleString('en-US')} rows ({run.rowsRejected} rejected) into {project}.
        </p>
      )}
    </article>
  );
}
