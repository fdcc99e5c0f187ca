import type { ImportMapping } from './mapping';

/** Keys no log field can have: where a reader puts per-column features and scores as one array. */
export const PACKED_FEATURES = '\u0000features';
export const PACKED_SCORES = '\u0000scores';

export interface PackedMapping {
  mapping: ImportMapping;
  /** Feature columns, in vector order, or null when the mapping reads a vector field already. */
  featureColumns: string[] | null;
  /** Score columns (two or more), in class order, or null. */
  scoreColumns: string[] | null;
  /** The log's own name for a field of the packed mapping ("\0features.3" → "f3"). */
  sourceField(field: string): string;
}

/**
 * Wide tabular rows (a column per feature, a column per class) validate much faster as two
 * arrays than as dozens of separate fields; errors still name the log's own columns.
 */
export function packColumns(m: ImportMapping): PackedMapping {
  const featureColumns = m.features?.kind === 'fields' ? m.features.fields : null;
  const scoreColumns = m.scores.kind === 'columns' && m.scores.columns.length > 1 ? m.scores.columns : null;
  const mapping: ImportMapping = {
    ...m,
    ...(featureColumns ? { features: { kind: 'vector', field: PACKED_FEATURES, dim: featureColumns.length } } : {}),
    ...(scoreColumns ? { scores: { kind: 'vector', field: PACKED_SCORES } } : {}),
  };
  const rename = (field: string, key: string, columns: string[] | null): string | null => {
    if (!columns || !field.startsWith(key)) return null;
    const rest = field.slice(key.length);
    if (rest === '') return columns.join(',');
    const index = Number(rest.slice(1));
    return columns[index] ?? columns.join(',');
  };
  return {
    mapping,
    featureColumns,
    scoreColumns,
    sourceField: (field) =>
      rename(field, PACKED_FEATURES, featureColumns) ?? rename(field, PACKED_SCORES, scoreColumns) ?? field,
  };
}
