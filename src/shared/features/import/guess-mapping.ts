import { MAX_FEATURE_FIELDS, MAX_METADATA_FIELDS, type ImportMapping } from './mapping';
import type { TaskType } from '../../domain/task';

type Row = Record<string, unknown>;

export interface MappingGuess {
  mapping: ImportMapping | null;
  notes: string[];
  /** Fields of the sample the mapping leaves out because a mapping names at most so many. */
  fieldsDropped: number;
}

const count = (n: number) => n.toLocaleString('en-US');

const ID_NAMES = ['id', 'example_id', 'uid', 'uuid', 'request_id', 'event_id', 'key', 'doc_id', 'record_id'];
/** A mail's or post's heading: proposed before a body-like text field, as `{subject}\n{body}`. */
const HEADING_NAMES = ['subject', 'title', 'headline'];
const BODY_NAMES = ['body', 'message', 'content'];
const TEXT_NAMES = ['text', 'input', 'content', 'body', 'message', 'sentence', 'review', 'document', 'prompt'];
const IMAGE_NAMES = ['image', 'image_path', 'img', 'path', 'file', 'filepath', 'image_url'];
const TIME_NAMES = ['ts', 'timestamp', 'time', 'created_at', 'datetime', 'date', 'event_time', 'logged_at'];
const FEATURE_NAMES = ['features', 'x', 'embedding', 'vector', 'inputs', 'feature_vector'];
const SCORE_NAMES = [
  'scores',
  'probs',
  'probabilities',
  'proba',
  'probability',
  'score',
  'logits',
  'prediction_scores',
];
const BINARY_SCORE_NAMES = ['score', 'probability', 'prob', 'p', 'proba', 'confidence'];
const PRED_NAMES = [
  'predicted_label',
  'prediction',
  'pred',
  'predicted',
  'pred_label',
  'predicted_class',
  'label_pred',
  'y_pred',
];
const TRUTH_NAMES = ['label', 'true_label', 'ground_truth', 'gold', 'y_true', 'target', 'truth', 'actual'];
const MODEL_NAMES = ['model', 'model_name'];
const VERSION_NAMES = ['model_version', 'version', 'model_v'];

const lower = (s: string) => s.toLowerCase();

function pick(fields: string[], names: string[], ok: (f: string) => boolean = () => true): string | undefined {
  for (const n of names) {
    const f = fields.find((x) => lower(x) === n && ok(x));
    if (f) return f;
  }
  return undefined;
}

const values = (rows: Row[], f: string) =>
  rows.map((r) => r[f]).filter((v) => v !== undefined && v !== null && v !== '');
const allNumbers = (vs: unknown[]) => vs.length > 0 && vs.every((v) => typeof v === 'number' && Number.isFinite(v));
const numArrays = (vs: unknown[]) =>
  vs.length > 0 && vs.every((v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'));

/** Groups columns such as p_negative / prob_spam / score_3 by their common prefix. */
function scoreColumnGroup(fields: string[], rows: Row[]): { columns: string[]; classes: string[] } | null {
  const prefixes = ['p_', 'prob_', 'proba_', 'probability_', 'score_', 'scores_', 'logit_'];
  for (const prefix of prefixes) {
    const columns = fields.filter((f) => lower(f).startsWith(prefix) && allNumbers(values(rows, f)));
    if (columns.length >= 1) return { columns, classes: columns.map((c) => c.slice(prefix.length)) };
  }
  return null;
}

function distinctLabels(rows: Row[], field: string | undefined): string[] {
  if (!field) return [];
  const seen = new Set<string>();
  for (const v of values(rows, field)) {
    if (Array.isArray(v)) v.forEach((x) => seen.add(String(x)));
    else seen.add(String(v));
  }
  return [...seen];
}

/** Orders label names by the score position they win most often (argmax agreement). */
function classesFromArgmax(rows: Row[], scoreField: string, predField: string, k: number): string[] | null {
  const votes = new Map<string, number[]>();
  for (const r of rows) {
    const s = r[scoreField];
    const p = r[predField];
    if (!Array.isArray(s) || s.length !== k || typeof p !== 'string') continue;
    let best = 0;
    for (let i = 1; i < k; i++) if ((s[i] as number) > (s[best] as number)) best = i;
    const v = votes.get(p) ?? new Array<number>(k).fill(0);
    v[best]!++;
    votes.set(p, v);
  }
  const classes = new Array<string | undefined>(k).fill(undefined);
  for (const [label, v] of votes) {
    const pos = v.indexOf(Math.max(...v));
    if (classes[pos] === undefined) classes[pos] = label;
  }
  return classes.every((c) => c !== undefined) ? (classes as string[]) : null;
}

/** Guesses how a log maps onto the workbench from its first rows. Always shown for confirmation. */
export function guessMapping(fields: string[], rows: Row[], hint: { classes?: string[] } = {}): MappingGuess {
  const notes: string[] = [];
  const used = new Set<string>();
  const take = (f: string | undefined) => {
    if (f) used.add(f);
    return f;
  };
  const idField = take(pick(fields, ID_NAMES));
  if (!idField) {
    return { mapping: null, notes: [`no id field found (looked for ${ID_NAMES.join(', ')})`], fieldsDropped: 0 };
  }

  const strings = (f: string) => values(rows, f).every((v) => typeof v === 'string');
  const text = take(pick(fields, TEXT_NAMES, strings));
  const heading =
    text && BODY_NAMES.includes(lower(text))
      ? take(pick(fields, HEADING_NAMES, (f) => strings(f) && !/[{}]/.test(f)))
      : undefined;
  const textTemplate = heading && !/[{}]/.test(text!) ? `{${heading}}\n{${text}}` : undefined;
  if (heading && !textTemplate) used.delete(heading);
  if (textTemplate) notes.push(`the text is built as ${JSON.stringify(textTemplate)}: Review shows each part apart`);
  const imagePath = text ? undefined : take(pick(fields, IMAGE_NAMES, strings));
  const timestampField = take(pick(fields, TIME_NAMES));
  const pred = take(pick(fields, PRED_NAMES));
  const truth = take(pick(fields, TRUTH_NAMES, (f) => f !== pred));
  const modelField = take(pick(fields, MODEL_NAMES, strings));
  const versionField = take(pick(fields, VERSION_NAMES));

  let features: ImportMapping['features'];
  const vectorField = pick(fields, FEATURE_NAMES, (f) => numArrays(values(rows, f)));
  if (vectorField) {
    const dims = new Set(values(rows, vectorField).map((v) => (v as unknown[]).length));
    if (dims.size === 1) {
      features = { kind: 'vector', field: take(vectorField)!, dim: [...dims][0]! };
    } else notes.push(`'${vectorField}' holds vectors of different lengths; not used as features`);
  } else {
    const cols = fields.filter((f) => /^(f|feat|feature|x)_?\d+$/i.test(f) && allNumbers(values(rows, f)));
    if (cols.length > MAX_FEATURE_FIELDS) {
      notes.push(
        `${count(cols.length)} numeric feature columns: a mapping names at most ${count(MAX_FEATURE_FIELDS)}, ` +
          'so they are not read as features — write them as one list field (a vector) to use them',
      );
    } else if (cols.length > 0) {
      cols.forEach((c) => used.add(c));
      features = { kind: 'fields', fields: cols };
    }
  }

  let scores: ImportMapping['scores'] | undefined;
  let classes: string[] | null = null;
  let taskType: TaskType = 'multiclass';
  let transform: ImportMapping['scoreTransform'] = 'none';
  const labelNames = distinctLabels(rows, pred);
  const truthNames = distinctLabels(rows, truth);
  const multilabel = pred !== undefined && values(rows, pred).some((v) => Array.isArray(v));
  const scoreField = pick(fields, SCORE_NAMES, (f) => {
    const vs = values(rows, f);
    return numArrays(vs) || vs.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  });
  const group = scoreColumnGroup(fields, rows);
  if (scoreField) {
    const first = values(rows, scoreField)[0];
    take(scoreField);
    if (Array.isArray(first)) {
      const k = first.length;
      scores = { kind: 'vector', field: scoreField };
      if (k === 1) {
        taskType = 'binary';
        classes = labelNames.length === 2 ? [...labelNames].sort() : ['negative', 'positive'];
        notes.push(`one score per row: read as P(${classes[1]}) of a binary task — check which class is positive`);
      } else if (pred && !multilabel) {
        classes = classesFromArgmax(rows, scoreField, pred, k);
        if (classes)
          notes.push(`class order ${classes.join(', ')} inferred from which score wins for each predicted label`);
      }
      if (!classes && hint.classes?.length === k && labelNames.every((l) => hint.classes!.includes(l))) {
        classes = [...hint.classes];
        notes.push(`scores read in the project's class order: ${classes.join(', ')}`);
      }
      if (!classes) {
        const names = [...new Set([...labelNames, ...truthNames])];
        if (names.length === k) classes = names.sort();
        else classes = Array.from({ length: k }, (_, i) => `class_${i}`);
        notes.push(`class names for the ${k} scores could not be inferred: using ${classes.join(', ')} — edit them`);
      }
      if (k === 2) taskType = 'binary';
    } else {
      scores = { kind: 'object', field: scoreField };
      classes = Object.keys(first as object);
      if (classes.length === 2) taskType = 'binary';
    }
  } else if (group) {
    group.columns.forEach((c) => used.add(c));
    scores = { kind: 'columns', columns: group.columns };
    classes = group.classes;
    if (group.columns.length === 1) {
      taskType = 'binary';
      const other = labelNames.find((l) => l !== group.classes[0]) ?? `not_${group.classes[0]}`;
      classes = [other, group.classes[0]!];
    } else if (group.columns.length === 2) taskType = 'binary';
  } else {
    const single = pick(
      fields,
      BINARY_SCORE_NAMES.concat(fields.filter((f) => /_(score|prob|probability)$/i.test(f)).map(lower)),
      (f) => allNumbers(values(rows, f)),
    );
    if (single) {
      take(single);
      scores = { kind: 'columns', columns: [single] };
      taskType = 'binary';
      const m = /^(.+?)_(score|prob|probability)$/i.exec(single);
      const positive = m ? m[1]! : (labelNames[1] ?? 'positive');
      const negative = labelNames.find((l) => l !== positive) ?? `not_${positive}`;
      classes = [negative, positive];
      notes.push(`'${single}' read as P(${positive}); ${negative} is the negative class`);
    }
  }
  if (!scores || !classes) {
    return {
      mapping: null,
      notes: [...notes, 'no score field found: name it in the mapping (a vector, an object, or one column per class)'],
      fieldsDropped: 0,
    };
  }
  if (multilabel) {
    taskType = 'multilabel';
    notes.push('predicted labels are lists: a multilabel task');
  }
  const scoreValues = (scores.kind === 'columns' ? scores.columns : [scores.field]).flatMap((f) => values(rows, f));
  const numbers = scoreValues.flatMap((v) =>
    Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : [v],
  );
  if (numbers.some((v) => typeof v === 'number' && (v < 0 || v > 1))) {
    const width = classes.length;
    const oneScore =
      scores.kind === 'columns'
        ? scores.columns.length === 1
        : Array.isArray(scoreValues[0]) && (scoreValues[0] as unknown[]).length === 1;
    transform = taskType === 'multilabel' || oneScore ? 'sigmoid' : 'softmax';
    notes.push(`scores fall outside [0, 1]: read as logits with ${transform} over ${oneScore ? 1 : width} values`);
  }
  if (!text && !imagePath && !features) notes.push('no input field found (text, image path or features)');
  const inputKind = text ? 'text' : imagePath ? 'image' : 'tabular';
  const unused = fields.filter((f) => !used.has(f) && f !== idField);
  const metadata = unused.slice(0, MAX_METADATA_FIELDS);
  const fieldsDropped = unused.length - metadata.length;
  if (fieldsDropped > 0) {
    notes.push(
      `${count(unused.length)} other fields: the first ${count(MAX_METADATA_FIELDS)} are kept as metadata, ` +
        `${count(fieldsDropped)} fields are dropped (not imported) — name the ones you need in the mapping's metadata`,
    );
  }
  const mapping: ImportMapping = {
    id: idField,
    inputKind,
    ...(textTemplate ? { textTemplate } : text ? { text } : {}),
    ...(imagePath ? { imagePath } : {}),
    ...(features ? { features } : {}),
    ...(timestampField ? { timestamp: { field: timestampField, unit: 'auto' as const } } : {}),
    taskType,
    classes,
    scores,
    scoreTransform: transform,
    ...(pred ? { predictedLabel: pred } : {}),
    ...(truth ? { groundTruth: truth } : {}),
    model: {
      ...(modelField ? { nameField: modelField } : { name: 'imported-model' }),
      ...(versionField ? { versionField } : { version: 'unknown' }),
    },
    metadata,
    sumTolerance: 0.01,
  };
  if (!modelField) notes.push("no model name field: predictions are recorded as model 'imported-model' — set the name");
  if (!versionField) notes.push("no model version field: recorded as version 'unknown' — set the version");
  if (!text && !imagePath && !features) return { mapping: null, notes, fieldsDropped: 0 };
  return { mapping, notes, fieldsDropped };
}
