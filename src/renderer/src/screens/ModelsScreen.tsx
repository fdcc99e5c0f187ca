import { useEffect, useMemo, useState } from 'react';
import type { Output } from '../../../shared/api/contract';
import type { Device, RegisteredModel, RescoreResult } from '../../../shared/features/models/contract';
import { deviceNote } from '../../../shared/features/models/device-note';
import { runJob } from '../client/jobs';
import { Alert } from '../components/Alert';
import { ChartView } from '../components/ChartView';
import { histogramConfig } from '../components/charts';
import { FileChooser } from '../components/FileChooser';
import { useAction } from '../hooks/useAction';
import { useWorkbench } from '../store/workbench';
import { inputSummary, ModelMappingForm } from './ModelMappingForm';
import { TipText } from '../components/Tip';

const DEVICES: Device[] = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'];

const DEVICE_TEXT: Record<Device, string> = {
  auto: 'automatic (GPU if usable, else CPU)',
  cpu: 'CPU',
  webgpu: 'WebGPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
};

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** The runs this model made in the project: run, rows, date. */
function Scored({ model }: { model: RegisteredModel }) {
  const runs = useWorkbench((s) => s.stats?.modelRuns) ?? [];
  const mine = runs.filter(
    (r) => r.source === 'rescore' && r.modelName === model.name && r.modelVersion === model.version,
  );
  if (mine.length === 0) return <span className="muted">not yet</span>;
  return (
    <ul className="plain small">
      {mine.map((r) => (
        <li key={r.id}>
          run #{r.id} · {r.predictions.toLocaleString('en-US')} rows · {day(r.createdAt)}
        </li>
      ))}
    </ul>
  );
}

/** One line per device the rescore tried first, with the runtime's own words behind a disclosure. */
function DeviceNotes({ notes }: { notes: string[] }) {
  return (
    <ul className="small" aria-label="Devices tried first">
      {notes.map((n) => {
        const note = deviceNote(n);
        return (
          <li key={n} className="device-line">
            {note.line}
            {note.native !== note.line && (
              <>
                {' '}
                <details>
                  <summary>runtime message</summary>
                  <code className="mono small">{note.native}</code>
                </details>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** Register ONNX models, check and edit their mappings, rescore the project with them. */
export function ModelsScreen() {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [models, setModels] = useState<RegisteredModel[]>([]);
  const [histograms, setHistograms] = useState<Output<'insights.histograms'> | null>(null);
  const [file, setFile] = useState('');
  const [name, setName] = useState('');
  const [version, setVersion] = useState('');
  const [cardFile, setCardFile] = useState('');
  const [addedLine, setAddedLine] = useState<string | null>(null);
  const [device, setDevice] = useState<Device>('auto');
  const [editing, setEditing] = useState<number | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [result, setResult] = useState<RescoreResult | null>(null);
  /** What the last model added was assumed to be rather than read from it (e.g. its class order). */
  const [warnings, setWarnings] = useState<string[]>([]);
  const { busy, error, run: act } = useAction();
  const chart = useMemo(() => (histograms?.length ? histogramConfig(histograms) : null), [histograms]);
  useEffect(() => {
    if (!client || projectId === null) return;
    void client.call('models.list', { projectId }).then(setModels);
    void client.call('insights.histograms', { project: { projectId } }).then(setHistograms, () => setHistograms(null));
  }, [client, projectId, result]);
  if (!client || projectId === null) return null;
  const reload = async () => {
    setModels(await client.call('models.list', { projectId }));
    setEditing(null);
  };
  // Every action ends by reloading the list: a model was added, or a rescore made a run.
  const guard = (fn: () => Promise<void>) =>
    act(async () => {
      await fn();
      await reload();
    });
  const rescore = (m: RegisteredModel) =>
    guard(async () => {
      const status = await runJob(
        client,
        () => client.call('models.rescore', { project: { projectId }, model: m.id, device }),
        setJobId,
      ).finally(() => setJobId(null));
      if (status.state === 'cancelled')
        throw new Error('rescore cancelled: starting it again resumes where it stopped');
      if (status.state !== 'succeeded') throw new Error(status.error?.message ?? 'rescore failed');
      setResult(status.result as RescoreResult);
    });
  return (
    <article aria-label="Models">
      <h1>Models</h1>
      <form
        className="mine-form"
        onSubmit={(e) => {
          e.preventDefault();
          void guard(async () => {
            setWarnings([]);
            setAddedLine(null);
            const added = await client.call('models.add', {
              project: { projectId },
              path: file,
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(version.trim() ? { version: version.trim() } : {}),
              ...(cardFile.trim() ? { card: cardFile.trim() } : {}),
            });
            setWarnings(added.warnings.map((w) => `${added.name} ${added.version}: ${w}`));
            setAddedLine(
              `Added ${added.name}@${added.version}: ${Object.entries(added.from)
                .map(([what, where]) => `${what} from ${where === 'config.json' ? where : `the ${where}`}`)
                .join(', ')}.`,
            );
            setFile('');
            setCardFile('');
            setName('');
            setVersion('');
          });
        }}
      >
        <FileChooser
          purpose="model"
          label="ONNX model file (or Hugging Face folder) on this machine"
          value={file}
          onChange={setFile}
          placeholder="/models/clf-v3.onnx"
        />
        <FileChooser
          purpose="model-card"
          label="Model card (optional JSON: name, version, classes, threshold, lineage, input)"
          value={cardFile}
          onChange={setCardFile}
          placeholder="/models/clf-v3.card.json"
        />
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="from the model" size={16} />
        </label>
        <label>
          Version
          <input value={version} onChange={(e) => setVersion(e.target.value)} placeholder="from the model" size={13} />
        </label>
        <button type="submit" disabled={busy || !file}>
          Add model
        </button>
      </form>
      <p className="muted small">
        Name and version default to the model card, else what the model file states (else its file name and the first
        characters of its checksum); what you type here wins over both.
      </p>
      <label className="inline-field">
        Rescore on{' '}
        <select value={device} onChange={(e) => setDevice(e.target.value as Device)}>
          {DEVICES.map((d) => (
            <option key={d} value={d}>
              {DEVICE_TEXT[d]}
            </option>
          ))}
        </select>
      </label>
      <Alert message={error} />
      {addedLine && (
        <p role="status" className="muted small" data-testid="model-added">
          {addedLine}
        </p>
      )}
      {warnings.length > 0 && (
        <ul role="status" aria-label="Model warnings" className="muted small">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {models.length === 0 ? (
        <p className="muted">No model yet: add an ONNX file or a Hugging Face folder above to rescore the examples.</p>
      ) : (
        <table className="table models-table">
          <thead>
            <tr>
              <th scope="col">model</th>
              <th scope="col">reads</th>
              <th scope="col">gives</th>
              <th scope="col">has scored</th>
              <th scope="col">actions</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.id}>
                <td>
                  <strong>{m.name}</strong> <span className="tag">{m.version}</span>
                  <div className="muted small mono">
                    <TipText tip={`sha256 ${m.sha256}`}>{m.sha256.slice(0, 12)}</TipText>
                  </div>
                </td>
                <td>{inputSummary(m)}</td>
                <td>
                  {m.outputMapping.kind}
                  {m.outputMapping.output !== m.outputMapping.kind && (
                    <span className="muted"> from {m.outputMapping.output}</span>
                  )}
                  {m.outputMapping.modelClasses && (
                    <div className="muted small">{m.outputMapping.modelClasses.join(', ')}</div>
                  )}
                </td>
                <td>
                  <Scored model={m} />
                </td>
                <td>
                  <div className="row-actions">
                    <button type="button" disabled={busy} onClick={() => void rescore(m)}>
                      Rescore<span className="sr-only"> {m.name}</span>
                    </button>
                    <button type="button" className="link" onClick={() => setEditing(editing === m.id ? null : m.id)}>
                      {editing === m.id ? 'Close' : 'Edit mappings'}
                      <span className="sr-only"> of {m.name}</span>
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing !== null && models.find((m) => m.id === editing) && (
        <ModelMappingForm
          key={editing}
          model={models.find((m) => m.id === editing)!}
          projectId={projectId}
          onSaved={reload}
          act={act}
        />
      )}
      {jobId && (
        <div className="row-actions">
          <span className="muted">Rescoring… progress is in the top bar.</span>
          <button type="button" onClick={() => void client.call('jobs.cancel', { jobId })}>
            Cancel rescore
          </button>
        </div>
      )}
      {result && (
        <section role="status" aria-label="Rescore result" data-testid="rescore-result">
          <p>
            {result.rows.toLocaleString('en-US')} examples scored on <strong>{result.device}</strong> (
            {Math.round(result.rowsPerSecond).toLocaleString('en-US')} rows/s) into model run #{result.modelRunId}.
            {result.tokenizer && ` Text tokenized by ${result.tokenizer}.`}
          </p>
          {result.deviceNotes.length > 0 && <DeviceNotes notes={result.deviceNotes} />}
        </section>
      )}
      {chart && (
        <section className="card" aria-label="Score distributions per model run">
          <h2>Score distribution per model run</h2>
          <ChartView config={chart} label="Histogram of top-class probability per model run" />
        </section>
      )}
    </article>
  );
}
