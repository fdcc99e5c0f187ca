import { useEffect, useState } from 'react';
import type { Device, RegisteredModel, RescoreResult } from '../../../shared/features/models/contract';
import { runJob } from '../client/jobs';
import { Alert } from '../components/Alert';
import { useAction } from '../hooks/useAction';
import { useWorkbench } from '../store/workbench';

const DEVICES: Device[] = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'];

/** Register ONNX models and rescore the project with them. */
export function ModelsScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [models, setModels] = useState<RegisteredModel[]>([]);
  const [file, setFile] = useState('');
  const [device, setDevice] = useState<Device>('auto');
  const [result, setResult] = useState<RescoreResult | null>(null);
  const { busy, error, run: act } = useAction();
  useEffect(() => {
    if (client && projectId !== null) void client.call('models.list', { projectId }).then(setModels);
  }, [client, projectId]);
  if (!client || projectId === null) return null;
  // Every action ends by reloading the list: a model was added, or a rescore made a run.
  const guard = (fn: () => Promise<void>) =>
    act(async () => {
      await fn();
      setModels(await client.call('models.list', { projectId }));
    });
  return (
    <article aria-label="Models">
      <h1>Models</h1>
      <form
        className="mine-form"
        onSubmit={(e) => {
          e.preventDefault();
          void guard(async () => {
            await client.call('models.add', { project: { projectId }, path: file });
            setFile('');
          });
        }}
      >
        <label>
          ONNX model file on this machine
          <input
            className="wide"
            value={file}
            onChange={(e) => setFile(e.target.value)}
            placeholder="/models/clf-v3.onnx"
          />
        </label>
        <button type="submit" disabled={busy || !file}>
          Add model
        </button>
        <label>
          Device
          <select value={device} onChange={(e) => setDevice(e.target.value as Device)}>
            {DEVICES.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
      </form>
      <Alert message={error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">model</th>
            <th scope="col">input</th>
            <th scope="col">output</th>
            <th scope="col">sha256</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.id}>
              <td>
                {m.name} <span className="tag">{m.version}</span>
              </td>
              <td>
                {m.inputMapping.kind === 'tokens'
                  ? 'text → tokenizer'
                  : `${m.inputMapping.input} ← ${m.inputMapping.kind === 'text' ? 'text' : `${m.inputMapping.dim} features`}`}
              </td>
              <td>
                {m.outputMapping.output} ({m.outputMapping.kind})
              </td>
              <td className="mono">{m.sha256.slice(0, 12)}</td>
              <td>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void guard(async () => {
                      const status = await runJob(client, () =>
                        client.call('models.rescore', { project: { projectId }, model: m.id, device }),
                      );
                      if (status.state !== 'succeeded') throw new Error(status.error?.message ?? 'rescore failed');
                      setResult(status.result as RescoreResult);
                    })
                  }
                >
                  Rescore {m.name}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result && (
        <section role="status" aria-label="Rescore result" data-testid="rescore-result">
          <p>
            {result.rows.toLocaleString('en-US')} examples scored on <strong>{result.device}</strong> (
            {Math.round(result.rowsPerSecond).toLocaleString('en-US')} rows/s) into model run #{result.modelRunId}.
          </p>
          {result.deviceNotes.length > 0 && (
            <ul className="muted small">
              {result.deviceNotes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </section>
      )}
    </article>
  );
}
