import type { ImportMapping } from '../../../shared/features/import/mapping';
import { parseTemplate } from '../../../shared/domain/text-template';

export type FieldType = 'number' | 'json' | 'string';

/** The fields a mapping reads, with the type a text cell must be converted to. */
export function mappedFields(m: ImportMapping): Map<string, FieldType> {
  const fields = new Map<string, FieldType>();
  const add = (name: string | undefined, type: FieldType) => {
    if (name !== undefined && !fields.has(name)) fields.set(name, type);
  };
  add(m.id, 'string');
  add(m.text, 'string');
  if (m.textTemplate) for (const f of parseTemplate(m.textTemplate).fields) add(f, 'string');
  add(m.imagePath, 'string');
  if (m.features?.kind === 'fields') for (const f of m.features.fields) add(f, 'number');
  if (m.features?.kind === 'vector') add(m.features.field, 'json');
  if (m.scores.kind === 'columns') for (const c of m.scores.columns) add(c, 'number');
  else add(m.scores.field, 'json');
  add(m.timestamp?.field, 'string');
  add(m.predictedLabel, 'string');
  add(m.groundTruth, 'string');
  add(m.model.nameField, 'string');
  add(m.model.versionField, 'string');
  for (const f of m.metadata) add(f, 'string');
  return fields;
}

const asString = (cell: string): unknown => cell;

const asNumber = (cell: string): unknown => {
  const n = Number(cell); // Number() ignores surrounding spaces; "abc" and "NaN" stay NaN for validation to name
  return n === 0 && cell.trim() === '' ? undefined : n;
};

const asJson = (cell: string): unknown => {
  try {
    return JSON.parse(cell) as unknown;
  } catch {
    return cell;
  }
};

/** The converter of a text cell to its field's type. */
export function cellConverter(type: FieldType): (cell: string) => unknown {
  return type === 'string' ? asString : type === 'number' ? asNumber : asJson;
}

/**
 * What an empty CSV cell holds: an empty string for a text field (as "" in JSONL or Parquet: an
 * empty text is a text, an empty label is no label), missing for a number or a JSON value.
 */
export function emptyCell(type: FieldType): '' | undefined {
  return type === 'string' ? '' : undefined;
}

/** Converts one text cell; undefined means "missing". NaN survives so validation can name it. */
export function convertCell(cell: string | undefined, type: FieldType): unknown {
  if (cell === undefined) return undefined;
  return cell === '' ? emptyCell(type) : cellConverter(type)(cell);
}

/** A CSV row's mapped fields as the import converts them (a preview checks a sample with this). */
export function convertCells(cells: Record<string, string>, fields: Map<string, FieldType>): Record<string, unknown> {
  const row: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, type] of fields) {
    const value = convertCell(cells[name], type);
    if (value !== undefined) row[name] = value;
  }
  return row;
}

/** Field names that would reach an object's prototype if used as plain keys. */
export const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
