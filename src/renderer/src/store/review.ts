import { create } from 'zustand';
import type { Output } from '../../../shared/api/contract';
import type { LabelSchemaVersion } from '../../../shared/features/labels/contract';
import { useWorkbench } from './workbench';

type Leased = Output<'queue.lease'>['items'][number];

export interface Decision {
  externalId: string;
  action: string;
  labels: string[] | null;
  eventId: number | null;
  saved: boolean;
  error: string | null;
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
}));

const set = useReview.setState;
const get = useReview.getState;
const PREFETCH = 2;
/** Decisions that count as labeled items in the session figures. */
const COUNTED = new Set(['label', 'accept', 'reject']);

function client() {
  return useWorkbench.getState().client;
}

function projectId(): number | null {
  return useWorkbench.getState().selectedId;
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
  });
  try {
    const versions = await c.call('labels.versions', { projectId: id });
    set({ schema: versions.at(-1) ?? null });
    await topUp();
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
      message: `Undid the ${last.action} on ${last.externalId}`,
    }));
    if (back.item && current?.item.externalId !== last.externalId) {
      set({
        current: { item: back.item, example: back.example },
        buffer: current ? [current, ...buffer] : buffer,
        shownAt: performance.now(),
        selected: [],
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

/** Gives back what this window leased for a project and annotator (both may have changed since). */
export async function releaseLeases(projectId: number, annotator: string): Promise<void> {
  await client()?.call('queue.release', { project: { projectId }, annotator, session: get().session });
}

/**
 * Brings back an earlier decision's example to decide it again: the new decision is the
 * annotator's latest for it, so it replaces the old one (the event log keeps both).
 */
export async function revisit(externalId: string): Promise<void> {
  const c = client();
  const id = projectId();
  if (!c || id === null || get().current?.item.externalId === externalId) return;
  try {
    const back = await c.call('queue.item', { project: { projectId: id }, externalId });
    if (!back.item) throw new Error(`${externalId} is no longer in the queue`);
    // Read after the wait: keys pressed meanwhile have moved the queue on.
    const { current, buffer } = get();
    if (current?.item.externalId === externalId) return;
    set({
      current: { item: back.item, example: back.example },
      buffer: current ? [current, ...buffer] : buffer,
      shownAt: performance.now(),
      selected: [],
      message: `Changing your decision on ${externalId}: choose again`,
    });
  } catch (e) {
    set({ message: (e as Error).message });
  }
}
