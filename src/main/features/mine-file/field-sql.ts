import { ApiError } from '../../../shared/api/errors';
import type { FieldType } from '../import/field-access';

export type LogFormat = 'jsonl' | 'csv' | 'parquet';

const NUMERIC_JSON = `('DOUBLE', 'BIGINT', 'UBIGINT', 'HUGEINT')`;

/** A SQL string literal. */
export const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** A SQL identifier. */
export const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** A JSON path naming one top-level key (and optionally a key inside it). */
function jsonPath(field: string, key?: string): string {
  for (const name of key === undefined ? [field] : [field, key]) {
    if (/["\\]/.test(name))
      throw new ApiError(
        'bad-mapping',
        `mine-file cannot read the field '${name}': its name holds a quote or backslash`,
      );
  }
  return lit(key === undefined ? `$."${field}"` : `$."${field}"."${key}"`);
}

/**
 * SQL expressions reading one mapped field of a log row, typed as the import's validator reads it:
 * each yields NULL where the row's value is not what the validator accepts there.
 */
export interface FieldSql {
  /** A finite number. */
  num(field: string): string;
  /** A list of finite numbers (DOUBLE[]). */
  list(field: string): string;
  /** The number under `key` of an object field. */
  key(field: string, key: string): string;
  /** How many keys an object field has. */
  keyCount(field: string): string;
  /** A text value. */
  text(field: string): string;
  /** A text, or an integer written as text (ids, labels). */
  textOrInt(field: string): string;
  /** The value as JSON (metadata filters, labels given as lists). */
  json(field: string): string;
}

/** Over a JSON value per field (JSONL rows, Parquet columns turned to JSON, JSON cells of a CSV). */
function jsonFieldSql(value: (field: string) => string, typeOf: (field: string) => string): FieldSql {
  return {
    num: (f) => `CASE WHEN ${typeOf(f)} IN ${NUMERIC_JSON} THEN TRY_CAST(${value(f)} AS DOUBLE) END`,
    list: (f) =>
      `CASE WHEN ${typeOf(f)} = 'ARRAY' AND NOT coalesce(list_bool_or(list_transform(TRY_CAST(${value(f)} AS JSON[]), ` +
      `e -> json_type(e) NOT IN ${NUMERIC_JSON})), false) THEN TRY_CAST(${value(f)} AS DOUBLE[]) END`,
    key: (f, k) =>
      `CASE WHEN json_type(${value(f)}, ${lit(`$."${k.replaceAll('"', '')}"`)}) IN ${NUMERIC_JSON} ` +
      `THEN TRY_CAST(json_extract(${value(f)}, ${lit(`$."${k.replaceAll('"', '')}"`)}) AS DOUBLE) END`,
    keyCount: (f) => `CASE WHEN ${typeOf(f)} = 'OBJECT' THEN len(json_keys(${value(f)})) END`,
    text: (f) => `CASE WHEN ${typeOf(f)} = 'VARCHAR' THEN ${value(f)} ->> '$' END`,
    textOrInt: (f) =>
      `CASE WHEN ${typeOf(f)} = 'VARCHAR' THEN ${value(f)} ->> '$' ` +
      `WHEN ${typeOf(f)} IN ${NUMERIC_JSON} AND TRY_CAST(${value(f)} AS DOUBLE) = trunc(TRY_CAST(${value(f)} AS DOUBLE)) ` +
      `AND abs(TRY_CAST(${value(f)} AS DOUBLE)) <= 9007199254740991 THEN TRY_CAST(TRY_CAST(${value(f)} AS DOUBLE) AS BIGINT)::VARCHAR END`,
    json: (f) => value(f),
  };
}

export function jsonlFieldSql(): FieldSql {
  return jsonFieldSql(
    (f) => `json_extract(__j, ${jsonPath(f)})`,
    (f) => `json_type(__j, ${jsonPath(f)})`,
  );
}

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/**
 * Parquet columns, by their type: a number or a text column is read directly (a text is never a
 * number or a list to the validator, nor a number a text), anything else through its JSON form.
 */
export function parquetFieldSql(types: Map<string, string>): FieldSql {
  const viaJson = jsonFieldSql(
    (f) => `to_json(${ident(f)})`,
    (f) => `json_type(to_json(${ident(f)}))`,
  );
  const type = (f: string) => types.get(f) ?? '';
  const isText = (f: string) => type(f) === 'VARCHAR';
  const isNumber = (f: string) => NUMERIC_TYPE.test(type(f));
  return {
    ...viaJson,
    textOrInt: (f) => (isText(f) ? ident(f) : viaJson.textOrInt(f)),
    key: (f, k) => (isText(f) || isNumber(f) ? 'NULL::DOUBLE' : viaJson.key(f, k)),
    keyCount: (f) => (isText(f) || isNumber(f) ? 'NULL::BIGINT' : viaJson.keyCount(f)),
    json: (f) => (isText(f) ? `to_json(${ident(f)})` : viaJson.json(f)),
    num: (f) =>
      isNumber(f)
        ? `CASE WHEN isfinite(CAST(${ident(f)} AS DOUBLE)) THEN CAST(${ident(f)} AS DOUBLE) END`
        : isText(f)
          ? 'NULL::DOUBLE'
          : viaJson.num(f),
    list: (f) => {
      const inner = /^(.*)\[\]$/.exec(type(f))?.[1];
      return inner && NUMERIC_TYPE.test(inner)
        ? `CASE WHEN list_bool_and(list_transform(${ident(f)}, e -> e IS NOT NULL AND isfinite(CAST(e AS DOUBLE)))) OR len(${ident(f)}) = 0 THEN CAST(${ident(f)} AS DOUBLE[]) END`
        : isText(f) || isNumber(f)
          ? 'NULL::DOUBLE[]'
          : viaJson.list(f);
    },
    text: (f) => (isText(f) ? ident(f) : isNumber(f) ? 'NULL::VARCHAR' : viaJson.text(f)),
  };
}

/**
 * CSV cells, read as text: a number field is converted as the import converts a cell (an empty
 * cell is missing), a JSON field parsed, a text field kept (an empty cell is an empty text).
 */
export function csvFieldSql(): FieldSql {
  const asJson = jsonFieldSql(
    (f) => `TRY_CAST(${ident(f)} AS JSON)`,
    (f) => `json_type(TRY_CAST(${ident(f)} AS JSON))`,
  );
  const number = (f: string) => `TRY_CAST(trim(${ident(f)}) AS DOUBLE)`;
  return {
    ...asJson,
    num: (f) => `CASE WHEN isfinite(${number(f)}) THEN ${number(f)} END`,
    text: (f) => `coalesce(${ident(f)}, '')`,
    textOrInt: (f) => `coalesce(${ident(f)}, '')`,
    json: (f) => `to_json(${ident(f)})`,
  };
}

export type { FieldType };
