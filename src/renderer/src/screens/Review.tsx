import { useEffect, useRef, useState } from 'react';
import { Markdown } from '../components/Markdown';
import {
  closeComment,
  decide,
  openComment,
  releaseLeases,
  revisit,
  say,
  setAnnotator,
  startReview,
  toggle,
  toggleHelp,
  undo,
  useReview,
} from '../store/review';
import { useWorkbench } from '../store/workbench';

const KEYS: [string, string][] = [
  ['1–9', 'label (the schema’s hotkeys); multilabel: toggle, then Enter'],
  ['a / x', 'accept / reject the newest model’s label'],
  ['Space', 'skip'],
  ['f', 'flag for a second look'],
  ['c', 'comment'],
  ['z or Backspace', 'undo the last decision'],
  ['?', 'this help'],
];

function AnnotatorPicker() {
  const annotator = useReview((s) => s.annotator);
  const [name, setName] = useState(annotator);
  return (
    <form
      className="annotator"
      onSubmit={(e) => {
        e.preventDefault();
        const chosen = name.trim();
        if (!chosen) return;
        // Keys pressed from now on are labels, not letters of the name (the card takes the focus once loaded).
        (document.activeElement as HTMLElement | null)?.blur();
        // A new name starts the session through the Review screen's effect; the same name restarts it.
        if (chosen !== annotator) setAnnotator(chosen);
        else void startReview();
      }}
    >
      <label htmlFor="annotator">Annotator</label>
      <input id="annotator" value={name} onChange={(e) => setName(e.target.value)} placeholder="your name" />
      <button type="submit">Start reviewing</button>
    </form>
  );
}

function Scores() {
  const current = useReview((s) => s.current);
  const classes = useWorkbench((s) => s.stats?.project.classes) ?? [];
  if (!current?.example) return null;
  return (
    <section className="scores" aria-label="Model scores">
      {current.example.predictions.map((p) => {
        const values = p.scores.length === 1 ? [1 - p.scores[0]!, p.scores[0]!] : p.scores;
        return (
          <div key={p.modelRunId} className="score-run">
            <div className="score-title">
              {p.model} <span className="tag">{p.predicted.join(', ')}</span>
            </div>
            {values.map((v, i) => (
              <div className="bar-row" key={i}>
                <span className="bar-label">{classes[i] ?? i}</span>
                <span className="bar-track" aria-hidden="true">
                  <span className={`bar-fill c${i % 8}`} style={{ width: `${(v * 100).toFixed(1)}%` }} />
                </span>
                <span className="bar-value">{v.toFixed(2)}</span>
              </div>
            ))}
          </div>
        );
      })}
    </section>
  );
}

/** The picture of an image example, loaded through the API (checked there) as a data: URL. */
function ExampleImage({ externalId, imagePath }: { externalId: string; imagePath: string }) {
  const client = useWorkbench((s) => s.client);
  const projectId = useWorkbench((s) => s.selectedId);
  const [image, setImage] = useState<{ url: string } | { error: string } | null>(null);
  useEffect(() => {
    if (!client || projectId === null) return;
    let live = true;
    setImage(null);
    client.call('examples.image', { project: { projectId }, externalId }).then(
      (r) => live && setImage({ url: r.dataUrl }),
      (e: Error) => live && setImage({ error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [client, projectId, externalId]);
  if (image && 'error' in image) return <p className="warning">{image.error}</p>;
  return (
    <figure className="example-image">
      {image ? <img src={image.url} alt={`example ${externalId}`} /> : <div className="image-placeholder" />}
      <figcaption className="muted small mono">{imagePath}</figcaption>
    </figure>
  );
}

/** A part's field name as a heading: "subject" → "Subject". */
function partTitle(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The parts an import's text template built the text from, each under its field's name. */
function TextParts({
  parts,
  long,
  toggle,
}: {
  parts: { name: string; text: string }[];
  long: boolean;
  toggle: () => void;
}) {
  const clips = parts.some((p) => p.text.length > 1200);
  return (
    <div className="example-parts" data-testid="example-parts">
      {parts.map((p, i) => (
        <section key={i} className="example-part" data-testid="example-part" aria-label={partTitle(p.name)}>
          <h3 className="part-name">{partTitle(p.name)}</h3>
          <p className="example-text">
            {p.text === '' ? (
              <span className="muted">(empty)</span>
            ) : !long && p.text.length > 1200 ? (
              `${p.text.slice(0, 1200)}…`
            ) : (
              p.text
            )}
          </p>
        </section>
      ))}
      {clips && (
        <button type="button" className="link" onClick={toggle}>
          {long ? 'show less' : 'show all'}
        </button>
      )}
    </div>
  );
}

function ExampleView() {
  const current = useReview((s) => s.current);
  const focusTick = useReview((s) => s.focusTick);
  const [long, setLong] = useState(false);
  const card = useRef<HTMLElement>(null);
  const shown = current?.example != null;
  useEffect(() => {
    if (focusTick > 0 && shown) card.current?.focus({ preventScroll: true });
  }, [focusTick, shown]);
  const ex = current?.example;
  if (!current || !ex) return null;
  const text = ex.text ?? '';
  const clipped = !long && text.length > 1200;
  return (
    <section className="example" aria-label="Example" tabIndex={-1} ref={card} data-testid="review-card">
      <div className="example-meta">
        <span className="mono">{ex.externalId}</span>
        {ex.ts !== null && <span>{new Date(ex.ts).toISOString().slice(0, 16).replace('T', ' ')}</span>}
        <span className="reason" title="why this item is queued">
          {current.item.reason}
        </span>
      </div>
      {ex.textParts && <TextParts parts={ex.textParts} long={long} toggle={() => setLong(!long)} />}
      {ex.text !== null && !ex.textParts && (
        <p className="example-text" data-testid="example-text">
          {clipped ? `${text.slice(0, 1200)}…` : text}{' '}
          {text.length > 1200 && (
            <button type="button" className="link" onClick={() => setLong(!long)}>
              {long ? 'show less' : 'show all'}
            </button>
          )}
        </p>
      )}
      {ex.imagePath !== null && <ExampleImage externalId={ex.externalId} imagePath={ex.imagePath} />}
      {ex.features && ex.text === null && (
        <table className="table compact">
          <tbody>
            {ex.features.slice(0, 40).map((f) => (
              <tr key={f.name}>
                <th scope="row">{f.name}</th>
                <td className="num">{f.value.toFixed(4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ex.metadata && (
        <p className="muted small">
          {Object.entries(ex.metadata)
            .map(([k, v]) => `${k}: ${String(v)}`)
            .join(' · ')}
        </p>
      )}
    </section>
  );
}

function LabelButtons() {
  const schema = useReview((s) => s.schema);
  const selected = useReview((s) => s.selected);
  const multilabel = useWorkbench((s) => s.stats?.project.taskType === 'multilabel');
  if (!schema) return null;
  return (
    <div className="label-buttons" role="group" aria-label="Labels">
      {schema.labels.map((l) => (
        <button
          key={l.id}
          type="button"
          className={selected.includes(l.id) ? 'label-button on' : 'label-button'}
          style={{ borderColor: l.color }}
          title={l.description}
          onClick={() => (multilabel ? toggle(l.id) : decide('label', [l.id]))}
        >
          {l.hotkey && <kbd>{l.hotkey}</kbd>} {l.name}
        </button>
      ))}
      {multilabel && (
        <button type="button" className="primary" onClick={() => decide('label', useReview.getState().selected)}>
          <kbd>Enter</kbd> save
        </button>
      )}
      <button type="button" onClick={() => decide('skip', null)}>
        <kbd>Space</kbd> skip
      </button>
      <button type="button" onClick={() => decide('flag', null)}>
        <kbd>f</kbd> flag
      </button>
      <button type="button" onClick={openComment}>
        <kbd>c</kbd> comment
      </button>
      <button type="button" onClick={() => void undo()}>
        <kbd>z</kbd> undo
      </button>
    </div>
  );
}

/** The comment on the current item: typed here, so no key labels while it is open. */
function CommentBox() {
  const externalId = useReview((s) => s.current?.item.externalId);
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => box.current?.focus(), []);
  const save = () => {
    const comment = text.trim();
    if (comment) decide('comment', null, comment);
    closeComment();
  };
  return (
    <form
      className="comment-box"
      aria-label="Comment"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <label htmlFor="review-comment">Comment on {externalId}</label>
      <textarea
        id="review-comment"
        ref={box}
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            closeComment();
          }
        }}
      />
      <div className="row-actions">
        <button type="submit" className="primary">
          Save comment
        </button>
        <button type="button" onClick={closeComment}>
          Cancel
        </button>
        <span className="muted small">Enter saves · Shift+Enter starts a new line · Escape cancels</span>
      </div>
    </form>
  );
}

/**
 * The labels `a` and `x` act on: the newest model's prediction read through the label schema's
 * mapping (the server follows renames and merges), or a sentence saying why there are none.
 */
function proposedLabels(s: ReturnType<typeof useReview.getState>): string[] | string {
  const newest = s.current?.example?.predictions.at(-1);
  if (!newest) return 'No model has a prediction for this item: choose a label with the number keys.';
  const labels = newest.labels;
  const predicted = newest.predicted.join(', ') || 'nothing';
  if (labels === null) {
    return (
      `The newest model predicted ${predicted}, which has no single label in schema v${s.schema?.version ?? '?'} ` +
      '(it was split or removed): choose a label with the number keys.'
    );
  }
  if (labels.length === 0)
    return 'The newest model predicts no label for this item: choose labels with the number keys.';
  const known = new Set(s.schema?.labels.map((l) => l.id));
  const unknown = labels.filter((l) => !known.has(l));
  if (unknown.length > 0) {
    return `The newest model's label ${unknown.join(', ')} is not in schema v${s.schema?.version ?? '?'}: reload the Review screen.`;
  }
  return labels;
}

function SessionFigures() {
  const labeled = useReview((s) => s.labeled);
  const spentMs = useReview((s) => s.spentMs);
  const startedAt = useReview((s) => s.startedAt);
  const remaining = useReview((s) => s.remaining);
  const perItem = labeled > 0 ? spentMs / labeled / 1000 : 0;
  const hours = (Date.now() - startedAt) / 3_600_000;
  return (
    <div className="session" aria-label="Session">
      <span data-testid="session-labeled">{labeled}</span> labeled · {perItem.toFixed(1)} s per item ·{' '}
      {hours > 0 ? Math.round(labeled / hours) : 0} per hour · <span data-testid="queue-remaining">{remaining}</span>{' '}
      waiting
    </div>
  );
}

const CHANGEABLE = new Set(['label', 'accept', 'reject', 'skip']);

function History() {
  const history = useReview((s) => s.history);
  if (history.length === 0) return null;
  return (
    <section aria-label="Last decisions" className="history">
      <h3>Last decisions</h3>
      <ol>
        {history.map((d, i) => (
          <li key={i} className={d.error ? 'bad' : d.saved ? '' : 'muted'}>
            <span className="mono">{d.externalId}</span> {d.action}
            {d.labels && d.labels.length > 0 && `: ${d.labels.join(', ')}`}{' '}
            {d.error ? `— ${d.error}` : d.saved ? <span className="saved">✓</span> : '…'}
            {d.saved && CHANGEABLE.has(d.action) && (
              <>
                {' '}
                <button type="button" className="link" onClick={() => void revisit(d.externalId)}>
                  Change<span className="sr-only"> the decision on {d.externalId}</span>
                </button>
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function useHotkeys() {
  const multilabel = useWorkbench((s) => s.stats?.project.taskType === 'multilabel');
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || e.ctrlKey || e.metaKey || e.altKey) return;
      const s = useReview.getState();
      if (!s.current || !s.schema) return;
      const label = s.schema.labels.find((l) => l.hotkey === e.key);
      let handled = true;
      if (label) {
        if (multilabel) toggle(label.id);
        else decide('label', [label.id]);
      } else if (e.key === 'Enter' && multilabel) decide('label', s.selected);
      else if (e.key === ' ') decide('skip', null);
      else if (e.key === 'f') decide('flag', null);
      else if (e.key === 'z' || e.key === 'Backspace') void undo();
      else if (e.key === '?') toggleHelp();
      else if (e.key === 'Escape') toggleHelp(false);
      else if (e.key === 'c') openComment();
      else if (e.key === 'a' || e.key === 'x') {
        const proposed = proposedLabels(s);
        if (typeof proposed === 'string') say(proposed);
        else decide(e.key === 'a' ? 'accept' : 'reject', proposed);
      } else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [multilabel]);
}

export function Review() {
  const annotator = useReview((s) => s.annotator);
  const schema = useReview((s) => s.schema);
  const current = useReview((s) => s.current);
  const loading = useReview((s) => s.loading);
  const message = useReview((s) => s.message);
  const help = useReview((s) => s.help);
  const commenting = useReview((s) => s.commenting);
  const projectId = useWorkbench((s) => s.selectedId);
  const [guidelinesOpen, setGuidelinesOpen] = useState(true);
  useHotkeys();
  useEffect(() => {
    if (!annotator || projectId === null) return;
    void startReview();
    // The leases of the annotator and project this effect started with, not the ones now chosen.
    return () => void releaseLeases(projectId, annotator);
  }, [projectId, annotator]);

  return (
    <article className="review" aria-label="Review">
      <div className="review-head">
        <AnnotatorPicker />
        <SessionFigures />
      </div>
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      {!annotator && <p className="muted">Choose your annotator name to start.</p>}
      {annotator && !loading && !current && (
        <p className="empty" data-testid="queue-empty">
          Nothing left to review. Build a queue in <strong>Mine</strong>.
        </p>
      )}
      {current && (
        <div className="review-grid">
          <div className="review-main">
            <ExampleView />
            <LabelButtons />
            {commenting && <CommentBox />}
            <History />
          </div>
          <aside className="review-side">
            <Scores />
            {schema && (
              <section className="guidelines" aria-label="Guidelines">
                <button
                  type="button"
                  className="link"
                  aria-expanded={guidelinesOpen}
                  onClick={() => setGuidelinesOpen(!guidelinesOpen)}
                >
                  Guidelines · schema v{schema.version}
                </button>
                {guidelinesOpen &&
                  (schema.guidelines.trim() ? (
                    <Markdown source={schema.guidelines} />
                  ) : (
                    <p className="muted">No guidelines yet.</p>
                  ))}
              </section>
            )}
          </aside>
        </div>
      )}
      {help && (
        <div className="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={() => toggleHelp(false)}>
          <div className="overlay-body">
            <h3>Keyboard</h3>
            <dl>
              {KEYS.map(([k, what]) => (
                <div key={k}>
                  <dt>
                    <kbd>{k}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </div>
        </div>
      )}
    </article>
  );
}
