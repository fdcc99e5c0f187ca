import { useEffect, useMemo, useRef, useState } from 'react';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import { plainReason } from '../../../shared/features/mining/plain-reason';
import { Markdown } from '../components/Markdown';
import { TextParts } from '../components/TextParts';
import { newestLearnerOnly, queueRefreshedLine } from './learn/learn-words';
import {
  CHANGEABLE,
  closeComment,
  decide,
  openComment,
  releaseLeases,
  revisit,
  say,
  setAnnotator,
  setScoresView,
  startReview,
  toggle,
  toggleHelp,
  undo,
  useReview,
  type ScoresView,
} from '../store/review';
import { useWorkbench } from '../store/workbench';
import { ReviewShortcuts } from './ReviewShortcuts';

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

type Label = LabelSchemaVersion['labels'][number];

/** The current label each model class stands for (renames followed), or null (split or removed). */
function useClassLabels(): (Label | null)[] {
  const classLabels = useReview((s) => s.classLabels);
  const schema = useReview((s) => s.schema);
  return useMemo(() => {
    const byId = new Map(schema?.labels.map((l) => [l.id, l]));
    return classLabels.map((id) => (id === null ? null : (byId.get(id) ?? null)));
  }, [classLabels, schema]);
}

/** A model class under its current label name (the class name where it has no single label now). */
function useClassNamer(): (className: string) => string {
  const classes = useWorkbench((s) => s.stats?.project.classes);
  const labels = useClassLabels();
  return useMemo(() => {
    const names = new Map((classes ?? []).map((c, i) => [c, labels[i]?.name ?? c]));
    return (c: string) => names.get(c) ?? c;
  }, [classes, labels]);
}

const SCORES_VIEWS: { value: ScoresView; text: string }[] = [
  { value: 'all', text: 'every model run' },
  { value: 'newest', text: 'the newest run only' },
  { value: 'hidden', text: 'hidden' },
];

function ScoresViewPicker() {
  const view = useReview((s) => s.scoresView);
  return (
    <label className="scores-view small">
      Show model scores
      <select value={view} onChange={(e) => setScoresView(e.target.value as ScoresView)}>
        {SCORES_VIEWS.map((v) => (
          <option key={v.value} value={v.value}>
            {v.text}
          </option>
        ))}
      </select>
    </label>
  );
}

function Scores() {
  const current = useReview((s) => s.current);
  const view = useReview((s) => s.scoresView);
  const schema = useReview((s) => s.schema);
  const classes = useWorkbench((s) => s.stats?.project.classes) ?? [];
  const labels = useClassLabels();
  if (!current?.example) return null;
  if (view === 'hidden') {
    return (
      <section className="scores" aria-label="Model scores">
        <p className="muted small">Model scores are hidden (change this in the Review header).</p>
      </section>
    );
  }
  const byId = new Map(schema?.labels.map((l) => [l.id, l.name]));
  const predictions = newestLearnerOnly(current.example.predictions);
  const shown = view === 'newest' ? predictions.slice(-1) : predictions;
  return (
    <section className="scores" aria-label="Model scores">
      {shown.map((p) => {
        const values = p.scores.length === 1 ? [1 - p.scores[0]!, p.scores[0]!] : p.scores;
        const says =
          p.labels === null
            ? `${p.predicted.join(', ')} (no single label now)`
            : p.labels.map((l) => byId.get(l) ?? l).join(', ');
        return (
          <div key={p.modelRunId} className="score-run">
            <div className="score-title">
              {p.model} <span className="tag">{says || 'nothing'}</span>
            </div>
            {values.map((v, i) => {
              const label = labels[i];
              return (
                <div className="bar-row" key={i}>
                  <span className="bar-label">{label?.name ?? classes[i] ?? i}</span>
                  <span className="bar-track" aria-hidden="true">
                    <span
                      className={label ? 'bar-fill' : `bar-fill c${i % 8}`}
                      style={{ width: `${(v * 100).toFixed(1)}%`, ...(label ? { background: label.color } : {}) }}
                    />
                  </span>
                  <span className="bar-value">{v.toFixed(2)}</span>
                </div>
              );
            })}
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

function QueueReason() {
  const item = useReview((s) => s.current?.item);
  const namer = useClassNamer();
  if (!item) return null;
  const plain = plainReason(item.reason, item.priority, namer);
  // The numbers show on hover and on keyboard focus. Plain CSS, not a tooltip component: this renders
  // with every new item, on the path from a key press to the next card.
  return (
    <span className="reason-wrap">
      <span className="reason tip-text" tabIndex={0} aria-describedby="queue-reason-detail" data-testid="queue-reason">
        Queued because {plain.text}
      </span>
      <span className="reason-detail tip" id="queue-reason-detail" role="tooltip" data-testid="queue-reason-detail">
        {plain.detail}
      </span>
    </span>
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
        <QueueReason />
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
  const previous = useReview((s) => (s.previous?.externalId === s.current?.item.externalId ? s.previous : null));
  const multilabel = useWorkbench((s) => s.stats?.project.taskType === 'multilabel');
  if (!schema) return null;
  const earlier = new Set(previous?.labels ?? []);
  const act = (key: 'a' | 'x') => {
    const proposed = proposedLabels(useReview.getState());
    if (typeof proposed === 'string') say(proposed);
    else decide(key === 'a' ? 'accept' : 'reject', proposed);
  };
  return (
    <div className="review-actions">
      <div className="label-buttons" role="group" aria-label="Labels">
        {schema.labels.map((l) => (
          <div key={l.id} className="label-cell">
            <button
              type="button"
              className={`label-button${selected.includes(l.id) ? ' on' : ''}${earlier.has(l.id) ? ' was' : ''}`}
              style={{ ['--label-color' as string]: l.color }}
              aria-describedby={l.description ? `label-desc-${l.id}` : undefined}
              onClick={() => (multilabel ? toggle(l.id) : decide('label', [l.id]))}
            >
              <span className="swatch" aria-hidden="true" />
              {l.hotkey && <kbd>{l.hotkey}</kbd>} {l.name}
              {earlier.has(l.id) && <span className="sr-only"> (your earlier answer)</span>}
            </button>
            {l.description && (
              <span className="label-desc" id={`label-desc-${l.id}`}>
                {l.description}
              </span>
            )}
          </div>
        ))}
        {multilabel && (
          <button type="button" className="primary" onClick={() => decide('label', useReview.getState().selected)}>
            <kbd>Enter</kbd> save
          </button>
        )}
      </div>
      <div className="label-buttons" role="group" aria-label="Other actions">
        <button type="button" className={previous?.action === 'accept' ? 'was' : undefined} onClick={() => act('a')}>
          <kbd>a</kbd> accept model
        </button>
        <button type="button" className={previous?.action === 'reject' ? 'was' : undefined} onClick={() => act('x')}>
          <kbd>x</kbd> reject model
        </button>
        <button
          type="button"
          className={previous?.action === 'skip' ? 'was' : undefined}
          onClick={() => decide('skip', null)}
        >
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
        <button type="button" onClick={() => toggleHelp()}>
          <kbd>?</kbd> keys
        </button>
      </div>
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

function Bar({ label, value, total, testId }: { label: string; value: number; total: number; testId?: string }) {
  const share = total > 0 ? Math.min(1, value / total) : 0;
  return (
    <div className="progress-row" data-testid={testId}>
      <span className="progress-label">{label}</span>
      <span className="bar-track" aria-hidden="true">
        <span className="bar-fill progress-fill" style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </span>
      <span className="progress-value">
        {value.toLocaleString('en-US')} / {total.toLocaleString('en-US')}
      </span>
    </div>
  );
}

/** Since the annotator started, the whole queue and each annotator, as bars. */
function ProgressBars() {
  const labeled = useReview((s) => s.labeled);
  const remaining = useReview((s) => s.remaining);
  const progress = useReview((s) => s.progress);
  const annotator = useReview((s) => s.annotator);
  const most = Math.max(1, ...(progress?.annotators.map((a) => a.decided) ?? []));
  return (
    <section className="progress card" aria-label="Progress">
      <h3>Progress</h3>
      <Bar label="since you started" value={labeled} total={labeled + remaining} testId="progress-session" />
      {progress && (
        <Bar label="the queue" value={progress.queue.done} total={progress.queue.total} testId="progress-queue" />
      )}
      {progress && progress.annotators.length > 0 && (
        <>
          <h4 className="muted small">Decided per annotator (current schema)</h4>
          {progress.annotators.map((a) => (
            <Bar
              key={a.name}
              label={a.name === annotator ? `${a.name} (you)` : a.name}
              value={a.decided}
              total={most}
            />
          ))}
        </>
      )}
      {/* One line, always there once the figures are: the first refresh fills it without moving anything. */}
      {progress && (
        <p
          className="muted small learner-line"
          data-testid="learner-line"
          title={progress.learner ? queueRefreshedLine(progress.learner) : undefined}
        >
          {progress.learner ? queueRefreshedLine(progress.learner) : ''}
        </p>
      )}
    </section>
  );
}

function History() {
  const history = useReview((s) => s.history);
  if (history.length === 0) return null;
  const flagged = new Set(history.filter((d) => d.action === 'flag' && !d.error).map((d) => d.externalId));
  const commented = new Map(
    history.filter((d) => d.action === 'comment' && !d.error).map((d) => [d.externalId, d.note ?? '']),
  );
  return (
    <section aria-label="Last decisions" className="history">
      <h3>Last decisions</h3>
      <ol>
        {history.map((d, i) => (
          <li key={i} className={d.error ? 'bad' : d.saved ? '' : 'muted'}>
            <span className="mono">{d.externalId}</span>{' '}
            {d.action === 'flag' ? (
              <span className="mark flag">⚑ flagged</span>
            ) : d.action === 'comment' ? (
              <>
                <span className="mark note">✎ commented</span> <q className="note-text">{d.note}</q>
              </>
            ) : (
              d.action
            )}
            {d.labels && d.labels.length > 0 && `: ${d.labels.join(', ')}`}{' '}
            {flagged.has(d.externalId) && d.action !== 'flag' && d.action !== 'comment' && (
              <span className="mark flag">⚑ flagged</span>
            )}{' '}
            {commented.has(d.externalId) && d.action !== 'flag' && d.action !== 'comment' && (
              <>
                <span className="mark note">✎ commented</span>{' '}
                <q className="note-text">{commented.get(d.externalId)}</q>
              </>
            )}{' '}
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
      // While the shortcuts dialog is open, keys are not decisions ("?" closes it, the dialog takes Escape).
      if (s.help) {
        if (e.key === '?') {
          toggleHelp(false);
          e.preventDefault();
        }
        return;
      }
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
        <div className="review-head-side">
          <SessionFigures />
          <ScoresViewPicker />
        </div>
      </div>
      {/* Always there, so a message never pushes the card and its buttons down. */}
      <p className={message ? 'notice review-message' : 'review-message'} role="status">
        {message}
      </p>
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
            <ProgressBars />
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
      <ReviewShortcuts />
    </article>
  );
}
