import { useState } from 'react';
import type { ImportPreview, ImportRun } from '../../../shared/features/import/contract';
import type { ImportMapping } from '../../../shared/features/import/mapping';
import { runJob } from '../client/jobs';
import { Alert } from '../components/Alert';
import { FileChooser } from '../components/FileChooser';
import { useAction } from '../hooks/useAction';
import { useSelectedName, useWorkbench } from '../store/workbench';
import { MappingEditor } from './MappingEditor';
import { RejectsTable } from './RejectsTable';

function cell(v: unknown): string {
  return (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')).slice(0, 60);
}

/** Import wizard: a file (typed, chosen or uploaded) → preview, mapping edited and checked → import. */
export function ImportScreen() {
  const client = useWorkbench((s) => s.client);
  // The project list knows the selected project's name at once; stats may still be another project's.
  const current = useSelectedName();
  const [file, setFile] = useState('');
  // Into the selected project, unless the user asks for a new one and names it.
  const [intoNew, setIntoNew] = useState(current === null);
  const [newName, setNewName] = useState('');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<ImportMapping | null>(null);
  const [strict, setStrict] = useState(false);
  const [saveAs, setSaveAs] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [run, setRun] = useState<ImportRun | null>(null);
  const { busy, error, run: act } = useAction();
  if (!client) return null;
  const target = intoNew || current === null ? newName.trim() : current;
  const check = (m: ImportMapping | null) =>
    act(async () => {
      setRun(null);
      const p = await client.call('import.preview', { path: file, project: target, ...(m ? { mapping: m } : {}) });
      setPreview(p);
      setMapping(p.mapping);
    });
  return (
    <article aria-label="Import">
      <h1>Import a prediction log</h1>
      <form
        className="mine-form"
        onSubmit={(e) => {
          e.preventDefault();
          void check(null);
        }}
      >
        <FileChooser
          purpose="log"
          label="File on this machine (JSONL, CSV, Parquet, .gz)"
          value={file}
          onChange={setFile}
          placeholder="/data/logs/2026-11-20.jsonl"
        />
        <fieldset className="import-target">
          <legend>Import into</legend>
          {current !== null && (
            <label className="check">
              <input type="radio" name="import-into" checked={!intoNew} onChange={() => setIntoNew(false)} /> the
              selected project, <strong data-testid="import-target">{current}</strong>
            </label>
          )}
          <label className="check">
            <input type="radio" name="import-into" checked={intoNew} onChange={() => setIntoNew(true)} /> a new project
          </label>
          {intoNew && (
            <label>
              New project name
              <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="e.g. support-tickets" />
            </label>
          )}
        </fieldset>
        <button type="submit" disabled={busy || !file || !target}>
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
          {/* Focusable, so keyboard users can scroll the wide table sideways. */}
          <div className="scroll" tabIndex={0} role="region" aria-label="First rows of the file">
            <table className="table compact" aria-label="First rows">
              <thead>
                <tr>
                  {preview.fields.slice(0, 8).map((f) => (
                    <th key={f} scope="col">
                      {f}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.sample.slice(0, 5).map((row, i) => (
                  <tr key={i}>
                    {preview.fields.slice(0, 8).map((f) => (
                      <td key={f} className="clip">
                        {cell(row[f])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {mapping && <MappingEditor mapping={mapping} fields={preview.fields} onChange={setMapping} />}
          {preview.mappingProblem !== null && (
            <p className="error" role="alert" data-testid="mapping-problem">
              This mapping cannot be imported into {target}: {preview.mappingProblem}
            </p>
          )}
          {preview.classOrderWarning !== null && (
            <p className="warning" role="status" data-testid="class-order-warning">
              {preview.classOrderWarning}
            </p>
          )}
          {preview.sampleRejects.length > 0 ? (
            <>
              <p className="warning">
                {preview.sampleRejects.length} of the first {preview.rowsChecked} rows fail the mapping:
              </p>
              <RejectsTable rejects={preview.sampleRejects} />
            </>
          ) : (
            mapping &&
            preview.mappingProblem === null && (
              <p className="muted small">The first {preview.rowsChecked} rows pass the mapping.</p>
            )
          )}
          {mapping && (
            <div className="row-actions">
              <button type="button" disabled={busy} onClick={() => void check(mapping)}>
                Check mapping
              </button>
              <label className="check">
                <input type="checkbox" checked={strict} onChange={(e) => setStrict(e.target.checked)} /> Strict: import
                nothing if any row is bad
              </label>
              <label>
                Save mapping as{' '}
                <input value={saveAs} onChange={(e) => setSaveAs(e.target.value)} placeholder="(optional)" />
              </label>
              <button
                type="button"
                className="primary"
                disabled={busy || !target}
                onClick={() =>
                  void act(async () => {
                    const status = await runJob(
                      client,
                      () =>
                        client.call('import.start', {
                          path: file,
                          project: target,
                          mapping,
                          strict,
                          ...(saveAs ? { saveMappingAs: saveAs } : {}),
                        }),
                      setJobId,
                    ).finally(() => setJobId(null));
                    if (status.state === 'cancelled') throw new Error('import cancelled: resume it by starting again');
                    if (status.state !== 'succeeded') throw new Error(status.error?.message ?? 'import failed');
                    setRun(status.result as ImportRun);
                  })
                }
              >
                Start import
              </button>
              {jobId && (
                <button type="button" onClick={() => void client.call('jobs.cancel', { jobId })}>
                  Cancel import
                </button>
              )}
            </div>
          )}
        </section>
      )}
      {run && (
        <section aria-label="Import result">
          <p role="status" data-testid="import-result">
            Imported {run.rowsImported.toLocaleString('en-US')} rows ({run.rowsRejected} rejected) into {target}.
          </p>
          {run.rowsRejected > 0 && (
            <>
              <p className="warning">
                Every rejected row is listed in <code>{run.rejectsPath}</code>; the first ones:
              </p>
              <RejectsTable rejects={run.firstRejects} />
            </>
          )}
        </section>
      )}
    </article>
  );
}
