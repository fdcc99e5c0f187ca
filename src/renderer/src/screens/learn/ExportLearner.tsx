import { useState } from 'react';
import type { LearnerExport } from '../../../../shared/features/learn/encode-contract';
import { useAction } from '../../hooks/useAction';
import { useWorkbench } from '../../store/workbench';
import { Alert } from '../../components/Alert';
import { defaultExportPath, exportBlocked } from './learn-words';

/** Take the learner out: ONNX with its training lineage, to rescore, gate against production and deploy. */
export function ExportLearner({
  projectId,
  projectName,
  labels,
  representation,
}: {
  projectId: number;
  projectName: string;
  /** Labels the current learner was fitted on; null: no learner yet. */
  labels: number | null;
  representation: string | null;
}) {
  const client = useWorkbench((s) => s.client);
  const mode = useWorkbench((s) => s.mode);
  const embeddings = representation?.startsWith('embeddings:') ?? false;
  const why = exportBlocked(labels, representation);
  const [out, setOut] = useState(() => defaultExportPath(projectName, labels ?? 0, embeddings));
  const [overwrite, setOverwrite] = useState(false);
  const [done, setDone] = useState<LearnerExport | null>(null);
  const [registered, setRegistered] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  if (!client) return null;
  return (
    <section className="card learn-export" aria-label="Export the learner">
      <h2>Take the learner out</h2>
      <p className="muted small">
        ONNX with its classes and training lineage in the file, so it can be registered in Models, rescored and compared
        with the production model in the gate.
        {embeddings && ' For embeddings, a folder: the graph takes the encoder’s inputs, with its tokenizer files.'}
      </p>
      <form
        className="mine-form"
        aria-label="Export the learner as ONNX"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            setDone(null);
            setRegistered(null);
            setDone(await client.call('learn.export', { project: { projectId }, out: out.trim(), overwrite }));
          });
        }}
      >
        <label>
          {embeddings ? 'Folder' : 'File'}
          {mode === 'browser' ? ' (inside the data folder)' : ''}
          <input className="wide" value={out} onChange={(e) => setOut(e.target.value)} spellCheck={false} />
        </label>
        <label className="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Replace an
          existing one
        </label>
        <button
          type="submit"
          disabled={busy || why !== null || out.trim() === ''}
          aria-describedby={why ? 'export-blocked' : undefined}
        >
          {busy ? 'Exporting…' : 'Export as ONNX'}
        </button>
      </form>
      {why && (
        <p className="muted small" id="export-blocked" data-testid="export-blocked">
          {why}
        </p>
      )}
      <Alert message={error} />
      {done && (
        <div role="status" className="small" data-testid="learner-exported">
          <p>
            Wrote {done.version} ({done.trainingExamples.toLocaleString('en-US')} training examples,{' '}
            {done.representation}) to <span className="mono">{done.path}</span>.
          </p>
          {registered ? (
            <p data-testid="learner-registered">
              Registered in Models as {registered}: rescore it there, then compare it with the production model in
              Insights.
            </p>
          ) : (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  const m = await client.call('models.add', { project: { projectId }, path: done.path });
                  // The learner's version already names it (learner@<labels>): say it once.
                  setRegistered(m.version.startsWith(`${m.name}@`) ? m.version : `${m.name}@${m.version}`);
                })
              }
            >
              Register it in Models
            </button>
          )}
        </div>
      )}
    </section>
  );
}
