import { useEffect, useState } from 'react';
import type { ExampleDetail as Detail } from '../../../../shared/features/browse/contract';
import { Alert } from '../../components/Alert';
import { useWorkbench } from '../../store/workbench';
import { TextParts } from '../../components/TextParts';
import { TipText } from '../../components/Tip';

const when = (t: number | null) => (t === null ? '—' : new Date(t).toLocaleString());

/** One example whole: its input, metadata, every run's scores, its label and its history. */
export function ExampleDetail({
  projectId,
  externalId,
  onClose,
}: {
  projectId: number;
  externalId: string;
  onClose: () => void;
}) {
  const client = useWorkbench((s) => s.client);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setDetail(null);
    client?.call('examples.detail', { project: { projectId }, externalId }).then(
      (d) => live && setDetail(d),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [client, projectId, externalId]);
  return (
    <aside className="browse-detail" aria-label={`Example ${externalId}`}>
      <div className="row-actions">
        <h2 className="mono">{externalId}</h2>
        <button type="button" className="link" onClick={onClose}>
          Close
        </button>
      </div>
      <Alert message={error} />
      {detail && (
        <>
          <p className="muted small">
            {when(detail.ts)} · {detail.labelState}
            {detail.label ? `: ${detail.label.join(', ')}` : ''} · queue: {detail.queueState}
            {detail.groundTruth !== null ? ` · ground truth: ${detail.groundTruth}` : ''}
          </p>
          {detail.textParts ? (
            <TextParts parts={detail.textParts} />
          ) : (
            detail.text !== null && <p className="detail-text">{detail.text}</p>
          )}
          {detail.imagePath !== null && <p className="mono small">{detail.imagePath}</p>}
          {detail.predictions.length > 0 && (
            <table className="table compact">
              <caption>Scores by model run</caption>
              <thead>
                <tr>
                  <th scope="col">class</th>
                  {detail.predictions.map((p) => (
                    <th key={p.run} scope="col" className="num">
                      <TipText tip={p.run}>{p.run.split('@').pop()}</TipText>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {Object.keys(detail.predictions[0]!.scores).map((c) => (
                  <tr key={c}>
                    <th scope="row">{c}</th>
                    {detail.predictions.map((p) => (
                      <td key={p.run} className={p.predicted.includes(c) ? 'num strong' : 'num'}>
                        {(p.scores[c] ?? Number.NaN).toFixed(3)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {detail.metadata && (
            <table className="table compact">
              <caption>Metadata</caption>
              <tbody>
                {Object.entries(detail.metadata).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>{typeof v === 'string' ? v : JSON.stringify(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>History</h3>
          {detail.history.length === 0 ? (
            <p className="muted small">No label events yet.</p>
          ) : (
            <ol className="history small">
              {detail.history.map((h) => (
                <li key={h.id}>
                  {when(h.at)} · {h.annotator} · {h.action}
                  {h.labels ? ` ${h.labels.join(', ')}` : ''}
                  {h.comment ? ` — “${h.comment}”` : ''} (schema v{h.schemaVersion})
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </aside>
  );
}
