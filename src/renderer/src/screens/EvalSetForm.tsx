import { useState } from 'react';
import type { Input } from '../../../shared/api/contract';
import { useWorkbench } from '../store/workbench';

type Create = Input<'evalSets.create'>;

/**
 * `channel=email, lang=de` as metadata equalities: true/false and plain numbers typed as such (as
 * the CLI's --where), the rest as text. Returns an error in words for a part without `=`.
 */
export function parseMetadataFilter(text: string): { metadata?: Create['metadata']; error?: string } {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return {};
  const metadata: NonNullable<Create['metadata']> = {};
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at < 1) return { error: `metadata filter: '${part}' is not KEY=VALUE (e.g. channel=email)` };
    const raw = part.slice(at + 1).trim();
    metadata[part.slice(0, at).trim()] =
      raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return { metadata };
}

/**
 * Freezes a new evaluation set from the UI (what `flywheel eval-set create` does): a name, the label
 * source, a time window, metadata equalities and which curated labels may enter. Errors stay inline.
 */
export function EvalSetForm({ onCreated }: { onCreated: (name: string, n: number) => void }) {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [name, setName] = useState('');
  const [source, setSource] = useState<'truth' | 'curated' | 'both'>('both');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [where, setWhere] = useState('');
  const [provenance, setProvenance] = useState<'any' | 'control' | 'mined'>('any');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="mine-form"
      aria-label="New evaluation set"
      onSubmit={(e) => {
        e.preventDefault();
        if (!client || projectId === null) return;
        const filter = parseMetadataFilter(where);
        if (filter.error) {
          setError(filter.error);
          return;
        }
        setBusy(true);
        setError(null);
        client
          .call('evalSets.create', {
            project: { projectId },
            name: name.trim(),
            source,
            provenance,
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
            ...(filter.metadata ? { metadata: filter.metadata } : {}),
          })
          .then(
            (set) => {
              setName('');
              onCreated(set.name, set.summary.n);
            },
            (e: Error) => setError(e.message),
          )
          .finally(() => setBusy(false));
      }}
    >
      <label>
        Name
        <input
          value={name}
          required
          placeholder="e.g. after-sep-15"
          aria-describedby={error ? 'eval-set-error' : undefined}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <label>
        Reference labels
        <select value={source} onChange={(e) => setSource(e.target.value as typeof source)}>
          <option value="both">ground truth and curated (curated wins)</option>
          <option value="truth">imported ground truth</option>
          <option value="curated">curated labels</option>
        </select>
      </label>
      <label>
        From
        <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To (excluded)
        <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <label>
        Metadata
        <input value={where} placeholder="channel=email, lang=de" onChange={(e) => setWhere(e.target.value)} />
      </label>
      <label>
        Curated labels: queue items
        <select value={provenance} onChange={(e) => setProvenance(e.target.value as typeof provenance)}>
          <option value="any">any queue item</option>
          <option value="control">the random control sample only</option>
          <option value="mined">mined items only</option>
        </select>
      </label>
      <button type="submit" disabled={busy || name.trim() === ''}>
        Create evaluation set
      </button>
      {error && (
        <p id="eval-set-error" className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
