import { useId, useState } from 'react';
import type { FilePurpose } from '../../../shared/features/app/contract';
import { uploadFile } from '../client/upload';
import { useWorkbench } from '../store/workbench';
import { Alert } from './Alert';

const ACCEPT: Record<FilePurpose, string> = {
  log: '.jsonl,.ndjson,.json,.csv,.parquet,.gz',
  model: '.onnx',
  'model-folder': '',
  'model-card': '.json',
};

/** What the pick and upload controls say: a card's name its own, so a form with both stays unambiguous. */
const NOUN: Record<FilePurpose, string> = {
  log: 'file',
  model: 'file',
  'model-folder': 'folder',
  'model-card': 'card',
};

/**
 * A path on this machine, typed or chosen: the OS dialog in the desktop app, an upload into the
 * workbench's data folder in browser mode.
 */
export function FileChooser({
  purpose,
  label,
  value,
  onChange,
  placeholder,
}: {
  purpose: FilePurpose;
  label: string;
  value: string;
  onChange: (path: string) => void;
  placeholder: string;
}) {
  const client = useWorkbench((s) => s.client);
  const mode = useWorkbench((s) => s.mode);
  const uploadId = useId();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pick = async (what: FilePurpose) => {
    setError(null);
    try {
      const chosen = await client!.call('app.pickFile', { purpose: what });
      if (chosen.path) onChange(chosen.path);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      onChange(await uploadFile(file, setProgress));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setProgress(null);
    }
  };
  return (
    <div className="file-chooser">
      <label>
        {label}
        <input className="wide" value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} />
      </label>
      {mode === 'electron' ? (
        <>
          <button type="button" onClick={() => void pick(purpose)}>
            Choose {NOUN[purpose]}…
          </button>
          {purpose === 'model' && (
            <button type="button" onClick={() => void pick('model-folder')}>
              Choose folder…
            </button>
          )}
        </>
      ) : (
        <span className="upload">
          <input
            id={uploadId}
            type="file"
            className="sr-only"
            accept={ACCEPT[purpose]}
            disabled={progress !== null}
            onChange={(e) => void upload(e.target.files?.[0])}
          />
          <label htmlFor={uploadId} className="button-like">
            {progress === null ? `Upload a ${NOUN[purpose]}…` : `Uploading ${Math.round(progress * 100)} %`}
          </label>
        </span>
      )}
      {progress !== null && <progress value={progress} max={1} aria-label="Upload progress" />}
      <Alert message={error} />
    </div>
  );
}
