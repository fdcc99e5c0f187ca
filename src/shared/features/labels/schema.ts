/**
 * Label definitions: one label, and a draft of a label schema version (the immutable label set +
 * guidelines + change note + the mapping from the previous version). Pure: zod and src/shared only.
 *
 * Stored shape (label_schema_versions): labels JSON [{id, name, description, hotkey, color}],
 * guidelines markdown, change_note, mapping_from_previous JSON (LabelChange[] or null).
 */
import { z } from 'zod';
import { TaskTypeSchema, type TaskType } from '../../domain/task';
import { checkMapping, LabelChangeSchema } from './mapping';

export const MAX_LABELS = 200;
export const MIN_LABELS = 2;
export const MAX_GUIDELINES_CHARS = 200_000;
export const MAX_CHANGE_NOTE_CHARS = 2000;
export const MAX_DESCRIPTION_CHARS = 2000;

/** Stable slug: the id events and exports refer to. Names may change freely; ids do not. */
export const LabelIdSchema = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}$/, 'a label id is 1-64 lowercase letters, digits, "-" or "_"');
export type LabelId = z.infer<typeof LabelIdSchema>;

/**
 * Keys the review screen keeps for itself, so that a label can never shadow them:
 *   a = accept, x = reject (binary questions), f = flag, c = comment, z = undo, space = skip.
 * A label hotkey is one of 1-9 or a-z minus these.
 */
export const RESERVED_HOTKEYS: ReadonlyMap<string, string> = new Map([
  ['a', 'accept'],
  ['x', 'reject'],
  ['f', 'flag'],
  ['c', 'comment'],
  ['z', 'undo'],
  [' ', 'skip'],
]);

/** Why `key` cannot be a label hotkey, or null when it can. Expects the key already lower-cased. */
export function hotkeyProblem(key: string): string | null {
  const reserved = RESERVED_HOTKEYS.get(key);
  if (reserved !== undefined) {
    return `hotkey ${JSON.stringify(key)} is reserved for ${reserved} in review`;
  }
  if (!/^[1-9a-z]$/.test(key)) return `hotkey ${JSON.stringify(key)} is not allowed: use one key of 1-9 or a-z`;
  return null;
}

/** One hotkey on its own (case-insensitive: "S" is stored as "s"). */
export const HotkeySchema = z
  .string()
  .toLowerCase()
  .superRefine((key, ctx) => {
    const problem = hotkeyProblem(key);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

export const LabelColorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb')
  .toLowerCase();

/** The name a label is shown with in messages: its name when it has one, else its id or position. */
function labelRef(label: unknown, index?: number): string {
  if (typeof label === 'object' && label !== null) {
    const { name, id } = label as { name?: unknown; id?: unknown };
    if (typeof name === 'string' && name.trim() !== '') return `label ${JSON.stringify(name.trim())}`;
    if (typeof id === 'string' && id !== '') return `label ${JSON.stringify(id)}`;
  }
  return index === undefined ? 'this label' : `label #${index + 1}`;
}

export const LabelSchema = z
  .object({
    id: LabelIdSchema,
    name: z.string().trim().min(1, 'a label needs a name').max(100, 'a label name has at most 100 characters'),
    description: z
      .string()
      .max(MAX_DESCRIPTION_CHARS, `a label description has at most ${MAX_DESCRIPTION_CHARS} characters`)
      .default(''),
    /** Checked below, with the label's name in the message. */
    hotkey: z.string().toLowerCase().nullable().default(null),
    color: LabelColorSchema,
  })
  .superRefine((label, ctx) => {
    if (typeof label.hotkey !== 'string') return;
    const problem = hotkeyProblem(label.hotkey);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['hotkey'], message: `${labelRef(label)}: ${problem}` });
  });
export type Label = z.output<typeof LabelSchema>;
export type LabelInput = z.input<typeof LabelSchema>;

function normalizedName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/** Uniqueness of ids, names (ignoring case) and hotkeys; binary tasks have exactly 2 labels. */
function checkLabelSet(taskType: TaskType | undefined, labels: unknown[], ctx: z.RefinementCtx): void {
  if (taskType === 'binary' && labels.length !== 2) {
    const refs = labels.map((l, i) => labelRef(l, i).replace(/^label /, '')).join(', ');
    ctx.addIssue({
      code: 'custom',
      path: ['labels'],
      message: `a binary task has exactly 2 labels, got ${labels.length}: ${refs}`,
    });
  }
  const seenId = new Map<string, number>();
  const seenName = new Map<string, number>();
  const seenHotkey = new Map<string, number>();
  labels.forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return;
    const { id, name, hotkey } = raw as { id?: unknown; name?: unknown; hotkey?: unknown };
    const here = labelRef(raw, i);
    if (typeof id === 'string') {
      const first = seenId.get(id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', i, 'id'],
          message: `${here}: id ${JSON.stringify(id)} is already used by ${labelRef(labels[first], first)}`,
        });
      } else seenId.set(id, i);
    }
    if (typeof name === 'string' && name.trim() !== '') {
      const key = normalizedName(name);
      const first = seenName.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', i, 'name'],
          message: `${here}: name clashes with ${labelRef(labels[first], first)} (names are compared ignoring case)`,
        });
      } else seenName.set(key, i);
    }
    if (typeof hotkey === 'string') {
      const first = seenHotkey.get(hotkey);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', i, 'hotkey'],
          message: `${here}: hotkey ${JSON.stringify(hotkey)} is already used by ${labelRef(labels[first], first)}`,
        });
      } else seenHotkey.set(hotkey, i);
    }
  });
}

/**
 * What an editor submits to create a version. `mappingFromPrevious` is null for the first version
 * of a project and a list (possibly empty: only guidelines or colours changed) for every later one;
 * every later version needs a change note.
 */
export const LabelSchemaVersionDraftSchema = z
  .object({
    taskType: TaskTypeSchema,
    labels: z
      .array(LabelSchema)
      .min(MIN_LABELS, `a label schema has at least ${MIN_LABELS} labels`)
      .max(MAX_LABELS, `a label schema has at most ${MAX_LABELS} labels`),
    guidelines: z
      .string()
      .max(MAX_GUIDELINES_CHARS, `guidelines have at most ${MAX_GUIDELINES_CHARS} characters`)
      .default(''),
    changeNote: z
      .string()
      .trim()
      .max(MAX_CHANGE_NOTE_CHARS, `a change note has at most ${MAX_CHANGE_NOTE_CHARS} characters`)
      .default(''),
    mappingFromPrevious: z.array(LabelChangeSchema).nullable().default(null),
  })
  .superRefine((draft, ctx) => {
    if (Array.isArray(draft.labels)) checkLabelSet(draft.taskType, draft.labels, ctx);
    if (draft.mappingFromPrevious !== null && draft.mappingFromPrevious !== undefined && draft.changeNote === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['changeNote'],
        message: 'a change note is required for every version after the first',
      });
    }
  });
export type LabelSchemaVersionDraft = z.output<typeof LabelSchemaVersionDraftSchema>;
export type LabelSchemaVersionDraftInput = z.input<typeof LabelSchemaVersionDraftSchema>;

/** The part of a stored version that another version is compared with. */
export interface LabelSetVersion {
  taskType?: TaskType;
  labels: Label[];
  guidelines: string;
}

/**
 * Gives every label without a hotkey the next digit 1..9 (in label order) that no other label
 * uses. Labels keep explicit hotkeys; when the digits run out the rest stay without one.
 */
export function withDefaultHotkeys<T extends { hotkey: string | null }>(labels: readonly T[]): T[] {
  const used = new Set(labels.flatMap((l) => (l.hotkey === null ? [] : [l.hotkey])));
  let digit = 1;
  return labels.map((label) => {
    if (label.hotkey !== null) return label;
    while (digit <= 9 && used.has(String(digit))) digit++;
    if (digit > 9) return label;
    const hotkey = String(digit);
    used.add(hotkey);
    return { ...label, hotkey };
  });
}

/** One zod issue as a line: "labels.2.hotkey: label "Spam": hotkey "a" is reserved for accept in review". */
export function formatIssue(issue: { path: readonly PropertyKey[]; message: string }): string {
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

export type DraftValidation = { ok: true; draft: LabelSchemaVersionDraft } | { ok: false; problems: string[] };

/**
 * Everything a new version must satisfy: the draft schema, default hotkeys, and, against the
 * previous version (null for the first), the same task type and a complete mapping (see
 * checkMapping). Problems come back as lines that name the field and the label.
 */
export function validateDraft(input: unknown, previous: LabelSetVersion | null): DraftValidation {
  const parsed = LabelSchemaVersionDraftSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map(formatIssue) };
  const draft: LabelSchemaVersionDraft = { ...parsed.data, labels: withDefaultHotkeys(parsed.data.labels) };
  const problems: string[] = [];
  if (previous === null) {
    if (draft.mappingFromPrevious !== null) {
      problems.push('mappingFromPrevious: the first version has no previous version to map from');
    }
  } else {
    if (previous.taskType !== undefined && previous.taskType !== draft.taskType) {
      problems.push(`taskType: the task type cannot change (was ${previous.taskType}, now ${draft.taskType})`);
    }
    if (draft.mappingFromPrevious === null) {
      problems.push('mappingFromPrevious: a later version declares how its labels map from the previous version');
    } else {
      for (const p of checkMapping(previous.labels, draft.labels, draft.mappingFromPrevious)) {
        problems.push(`mappingFromPrevious: ${p}`);
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, draft };
}
