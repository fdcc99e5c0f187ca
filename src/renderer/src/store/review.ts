import { create } from 'zustand';
import type { Output } from '../../../shared/api/contract';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import { classLabelIds } from '../../../shared/features/labels/from-classes';
import { useWorkbench } from './workbench';

type Leased = Output<'queue.lease'>['items'][number];

export interface Decision {
  externalId: string;
  action: string;
  labels: string[] | null;
  eventId: number | null;
  saved: boolean;
  error: string | null;
  /** Marked so the history shows which items were flagged or commented. */
  note?: string;
}

/** How the score panel shows the model runs: a lead may hide scores so they do not steer annotators. */
export type ScoresView = 'all' | 'newest' | 'hidden';
export const SCORES_VIEW_KEY = 'flywheel.review.scores';

function storedScoresView(): ScoresView {
  const v = localStorage.getItem(SCORES_VIEW_KEY);
  return v === 'newest' || v === 'hidden' ? v : 'all';
}

/** Where the queue and the annotators stand, read after decisions (never on the key path). */
export interface Progress {
  queue: { done: number; total: number };
  annotators: { name: string; decided: number }[];
  /** The learner's last re-ranking of the queue; null: no learner, or it has not refreshed yet. */
  learner: { refreshedAt: number; labels: number } | null;
}

interface ReviewState {
  annotator: string;
  session: string;
  schema: LabelSchemaVersion | null;
  current: Leased | null;
  /** Leased ahead, so the next item shows at once. */
  buffer: Leased[];
  remaining: number;
  shownAt: number;
  selected: string[];
  history: Decision[];
  labeled: number;
  spentMs: number;
  startedAt: number;
  loading: boolean;
  message: string | null;
  help: boolean;
  /** The inline comment box is open on the current item. */
  commenting: boolean;
  /** Bumped when the review card should take the keyboard focus (a session starts, a comment closes). */
  focusTick: number;
  /** For each model class (project order), the id of the current label it stands for (renames followed). */
  classLabels: (string | null)[];
  /** The earlier answer on the item being decided again (revisit or undo), highlighted on its button. */
  previous: { externalId: string; action: string; labels: string[] | null } | null;
  scoresView: ScoresView;
  progress: Progress | null;
  /** An item to show first when the review starts (chosen on another screen). */
  pendingOpen: string | null;
}

const SESSION = `w-${Math.random().toString(36).slice(2, 10)}`;

export const useReview = create<ReviewState>(() => ({
  annotator: localStorage.getItem('flywheel.annotator') ?? '',
  session: SESSION,
  schema: null,
  current: null,
  buffer: [],
  remaining: 0,
  shownAt: 0,
  selected: [],
  history: [],
  labeled: 0,
  spentMs: 0,
  startedAt: Date.now(),
  loading: false,
  message: null,
  help: false,
  commenting: false,
  focusTick: 0,
  classLabels: [],
  previous: null,
  scoresView: storedScoresView(),
  progress: null,
  pendingOpen: null,
}));

const set = useReview.setState;
const get = useReview.getState;
const PREFETCH = 2;
/** Decisions that count as labeled items in the session figures. */
const COUNTED = new Set(['label', 'accept', 'reject']);
/** Decisions that can be changed from the history. */
export const CHANGEABLE = new Set(['label', 'accept', 'reject', 'skip']);

function client() {
  return useWorkbench.getState().client;
}

function projectId(): number | null {
  return useWorkbench.getState().selectedId;
}

export function setScoresView(view: ScoresView): void {
  localStorage.setItem(SCORES_VIEW_KEY, view);
  set({ scoresView: view });
}

const PROGRESS_EVERY_MS = 3000;
let progressAt = -PROGRESS_EVERY_MS;
let progressLater: ReturnType<typeof setTimeout> | null = null;
/** Reads the queue and per-annotator figures; at most every few seconds, behind the decisions. */
export async function refreshProgress(force = false): Promise<void> {
  const c = client();
  const id = projectId();
  if (!c || id === null) return;
  const wait = progressAt + PROGRESS_EVERY_MS - performance.now();
  if (!force && wait > 0) {
    // One read when the pause ends, so the last decisions show.
    progressLater ??= setTimeout(() => {
      progressLater = null;
      void refreshProgress();
    }, wait);
    return;
  }
  progressAt = performance.now();
  try {
    const [q, agreement] = await Promise.all([
      c.call('queue.stats', { projectId: id }),
      c.call('labels.agreement', { project: { projectId: id } }),
    ]);
    set({
      progress: {
        queue: { done: q.done, total: q.pending + q.leased + q.done + q.skipped + q.expiredLeases },
        annotators: agreement.annotators,
        learner: q.learner,
      },
    });
  } catch {
    // Figures only: the review goes on without them.
  }
}

export function setAnnotator(name: string): void {
  localStorage.setItem('flywheel.annotator', name);
  set({ annotator: name });
}

async function topUp(): Promise<void> {
  const c = client();
  const id = projectId();
  const { annotator, session, buffer, current } = get();
  if (!c || id === null || !annotator) return;
  const want = PREFETCH - buffer.length - (current ? 0 : 1);
  if (want <= 0) return;
  const r = await c.call('queue.lease', { project: { projectId: id }, annotator, session, count: want });
  const known = new Set([current?.item.id, ...get().buffer.map((b) => b.item.id)]);
  const fresh = r.items.filter((i) => !known.has(i.item.id));
  const next = get();
  if (!next.current && fresh.length > 0) {
    set({
      current: fresh[0]!,
      buffer: [...next.buffer, ...fresh.slice(1)],
      remaining: r.remaining,
      shownAt: performance.now(),
      selected: [],
    });
  } else set({ buffer: [...next.buffer, ...fresh], remaining: r.remaining });
}

/** Starts (or restarts) reviewing the selected project as the chosen annotator. */
export async function startReview(): Promise<void> {
  const c = client();
  const id = projectId();
  if (!c || id === null || !get().annotator) return;
  // A new session: its figures start from zero.
  set({
    loading: true,
    message: null,
    current: null,
    buffer: [],
    labeled: 0,
    spentMs: 0,
    startedAt: Date.now(),
    history: [],
    previous: null,
  });
  try {
    const versions = await c.call('labels.versions', { projectId: id });
    const classes = useWorkbench.getState().stats?.project.classes ?? [];
    set({ schema: versions.at(-1) ?? null, classLabels: versions.length > 0 ? classLabelIds(classes, versions) : [] });
    await topUp();
    const open = get().pendingOpen;
    if (open !== null) {
      set({ pendingOpen: null });
      await showItem(open, `Opened ${open} from the queue`, false);
    }
    void refreshProgress(true);
  } catch (e) {
    set({ message: (e as Error).message });
  } finally {
    // The keys label from here on: the card takes the focus from the annotator field.
    set((s) => ({ loading: false, focusTick: s.focusTick + 1 }));
  }
}

/** A line for the annotator (why a key did nothing, what to do instead). */
export function say(message: string): void {
  set({ message });
}

export function openComment(): void {
  if (get().current) set({ commenting: true });
}

export function closeComment(): void {
  set((s) => ({ commenting: false, focusTick: s.focusTick + 1 }));
}

/** Shows the next buffered item at once; the save and the top-up run behind it. */
function advance(): void {
  const { buffer } = get();
  set({
    current: buffer[0] ?? null,
    buffer: buffer.slice(1),
    shownAt: performance.now(),
    selected: [],
    message: null,
    commenting: false,
    previous: null,
  });
  void topUp().catch((e: unknown) => set({ message: (e as Error).message }));
}

async function save(item: Leased, action: string, labels: string[] | null, comment?: string): Promise<void> {
  const c = client();
  const id = projectId();
  const { annotator, schema, shownAt } = get();
  if (!c || id === null || !schema) return;
  const spent = Math.round(performance.now() - shownAt);
  const decision: Decision = {
    externalId: item.item.externalId,
    action,
    labels,
    eventId: null,
    saved: false,
    error: null,
    ...(action === 'comment' && comment ? { note: comment } : {}),
  };
  set((s) => ({ history: [decision, ...s.history].slice(0, 10) }));
  try {
    const r = await c.call('labels.record', {
      project: { projectId: id },
      externalId: item.item.externalId,
      annotator,
      schemaVersion: schema.version,
      action: action as 'label',
      labels,
      timeSpentMs: spent,
      clientEventId: `${get().session}-${item.item.id}-${Date.now()}`,
      ...(comment ? { comment } : {}),
    });
    decision.eventId = r.eventId;
    decision.saved = true;
    if (action !== 'comment' && action !== 'flag') set((s) => ({ labeled: s.labeled + 1, spentMs: s.spentMs + spent }));
    void refreshProgress();
  } catch (e) {
    decision.error = (e as Error).message;
    set({ message: `Not saved: ${decision.error}` });
  }
  set((s) => ({ history: [...s.history] }));
}

/** A decision on the current item: label, accept, reject or skip moves on; flag and comment stay. */
export function decide(
  action: 'label' | 'accept' | 'reject' | 'skip' | 'flag' | 'comment',
  labels: string[] | null,
  comment?: string,
): void {
  const { current } = get();
  if (!current) return;
  const stays = action === 'flag' || action === 'comment';
  void save(current, action, labels, comment);
  if (!stays) advance();
}

/** Undo of the latest saved decision: its item comes back to the screen, leased again. */
export async function undo(): Promise<void> {
  const c = client();
  const id = projectId();
  const { history, annotator, schema, current, buffer } = get();
  const last = history.find((d) => d.saved);
  if (!c || id === null || !schema || !last) return;
  try {
    await c.call('labels.record', {
      project: { projectId: id },
      externalId: last.externalId,
      annotator,
      schemaVersion: schema.version,
      action: 'undo',
      labels: null,
    });
    const back = await c.call('queue.item', { project: { projectId: id }, externalId: last.externalId });
    set((s) => ({
      history: s.history.filter((d) => d !== last),
      labeled: COUNTED.has(last.action) ? Math.max(0, s.labeled - 1) : s.labeled,
      message: `Undid the ${last.action} on ${last.externalId}: choose again`,
    }));
    if (back.item && current?.item.externalId !== last.externalId) {
      set({
        current: { item: back.item, example: back.example },
        buffer: current ? [current, ...buffer] : buffer,
        shownAt: performance.now(),
        selected: [],
        previous: { externalId: last.externalId, action: last.action, labels: last.labels },
      });
    }
  } catch (e) {
    set({ message: (e as Error).message });
  }
}

export function toggle(labelId: string): void {
  set((s) => ({
    selected: s.selected.includes(labelId) ? s.selected.filter((l) => l !== labelId) : [...s.selected, labelId],
  }));
}

export function toggleHelp(show?: boolean): void {
  set((s) => ({ help: show ?? !s.help }));
}

/** Gives the card the focus again (after a dialog or the comment box), so the keys label. */
export function focusCard(): void {
  set((s) => ({ focusTick: s.focusTick + 1 }));
}

/** Gives back what this window leased for a project and annotator (both may have changed since). */
export async function releaseLeases(projectId: number, annotator: string): Promise<void> {
  await client()?.call('queue.release', { project: { projectId }, annotator, session: get().session });
}

/** An earlier decision in words: "label Negative", "skip". */
function answerText(d: { action: string; labels: string[] | null }): string {
  const names = new Map(get().schema?.labels.map((l) => [l.id, l.name]));
  const labels = (d.labels ?? []).map((id) => names.get(id) ?? id).join(', ');
  return labels ? `${d.action} ${labels}` : d.action;
}

/** Shows one example now (its queue item, fetched), keeping what was on screen next in line. */
async function showItem(externalId: string, message: string, withPrevious: boolean): Promise<void> {
  const c = client();
  const id = projectId();
  if (!c || id === null || get().current?.item.externalId === externalId) return;
  try {
    const back = await c.call('queue.item', { project: { projectId: id }, externalId });
    if (!back.item) throw new Error(`${externalId} is no longer in the queue`);
    // Read after the wait: keys pressed meanwhile have moved the queue on.
    const { current, buffer, history } = get();
    if (current?.item.externalId === externalId) return;
    const earlier = withPrevious
      ? history.find((d) => d.externalId === externalId && d.saved && CHANGEABLE.has(d.action))
      : undefined;
    set({
      current: { item: back.item, example: back.example },
      buffer: current ? [current, ...buffer.filter((b) => b.item.externalId !== externalId)] : buffer,
      shownAt: performance.now(),
      selected: [],
      message: earlier ? `${message} (your earlier answer, outlined: ${answerText(earlier)})` : message,
      previous: earlier ? { externalId, action: earlier.action, labels: earlier.labels } : null,
    });
  } catch (e) {
    set({ message: (e as Error).message });
  }
}

/**
 * Brings back an earlier decision's example to decide it again: the new decision is the
 * annotator's latest for it, so it replaces the old one (the event log keeps both).
 */
export function revisit(externalId: string): Promise<void> {
  return showItem(externalId, `Changing your decision on ${externalId}: choose again`, true);
}

/** Asks the Review screen to show this queue item first (e.g. a row chosen on the Mine screen). */
export function openInReview(externalId: string): void {
  set({ pendingOpen: externalId });
}
