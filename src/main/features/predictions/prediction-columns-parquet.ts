import type { PredictionRow } from '../../store/prediction-reads';
import { ByteBuilder } from '../export/byte-builder';
import {
  encodeColumnChunk,
  PhysicalType,
  Repetition,
  type RowGroupInfo,
  type SchemaNode,
} from '../export/parquet/parquet-format';
import { floats } from '../export/row-format';
import type { PredictionsLayout } from './layout';
import { classScores, flatColumns, predictedNames } from './prediction-lines';

const UTF8 = 0;
const TIMESTAMP_MILLIS = 9;
const STRING: SchemaNode['logicalType'] = [[1, { struct: [] }]];
const TIMESTAMP_UTC_MILLIS: SchemaNode['logicalType'] = [
  [
    8,
    {
      struct: [
        [1, { bool: true }],
        [2, { struct: [[1, { struct: [] }]] }],
      ],
    },
  ],
];

type Kind = 'string' | 'optional-string' | 'timestamp' | 'float' | 'optional-float';

interface Column {
  name: string;
  kind: Kind;
  values: ByteBuilder;
  defs: number[];
}

function schemaNode(name: string, kind: Kind): SchemaNode {
  const repetition = kind === 'string' || kind === 'float' ? Repetition.REQUIRED : Repetition.OPTIONAL;
  if (kind === 'timestamp')
    return {
      name,
      type: PhysicalType.INT64,
      repetition,
      convertedType: TIMESTAMP_MILLIS,
      logicalType: TIMESTAMP_UTC_MILLIS,
    };
  if (kind === 'float' || kind === 'optional-float') return { name, type: PhysicalType.FLOAT, repetition };
  return { name, type: PhysicalType.BYTE_ARRAY, repetition, convertedType: UTF8, logicalType: STRING };
}

/** The flat Parquet layout of a predictions file: the CSV's columns, typed. */
function columnKinds(layout: PredictionsLayout): [string, Kind][] {
  return flatColumns(layout).map((name, i, all) => {
    if (name === 'id' || name === 'model' || name === 'model_version') return [name, 'string'];
    if (name === 'ts') return [name, 'timestamp'];
    if (name === 'text' || name === 'image_path' || name === 'predicted') return [name, 'optional-string'];
    const firstScore = all.length - 2 - layout.classes.length;
    return [name, i >= firstScore ? 'float' : 'optional-float'];
  });
}

export function predictionsSchema(layout: PredictionsLayout): SchemaNode[] {
  const kinds = columnKinds(layout);
  return [{ name: 'schema', children: kinds.length }, ...kinds.map(([name, kind]) => schemaNode(name, kind))];
}

/** Rows of one row group, gathered column by column. */
export class PredictionColumns {
  private readonly columns: Column[];
  rows = 0;

  constructor(private readonly layout: PredictionsLayout) {
    this.columns = columnKinds(layout).map(([name, kind]) => ({
      name,
      kind,
      values: new ByteBuilder(1 << 16),
      defs: [],
    }));
  }

  add(row: PredictionRow): void {
    const layout = this.layout;
    const cells: (string | number | null)[] = [row.external_id, row.ts];
    if (layout.inputKind === 'text') cells.push(row.text);
    if (layout.inputKind === 'image') cells.push(row.image_path);
    if (layout.featureNames.length > 0) {
      const f = row.features ? floats(row.features) : null;
      layout.featureNames.forEach((_, i) => cells.push(f ? f[i]! : null));
    }
    cells.push(predictedNames(layout, row.predicted).join('|'));
    cells.push(...classScores(layout, row.scores));
    cells.push(layout.model.name, layout.model.version);
    this.rows++;
    cells.forEach((value, i) => put(this.columns[i]!, value));
  }

  encode(): { bytes: Uint8Array[]; group: RowGroupInfo } {
    const bytes: Uint8Array[] = [];
    const infos = [];
    let at = 0;
    for (const c of this.columns) {
      const required = c.kind === 'string' || c.kind === 'float';
      const chunk = encodeColumnChunk(
        {
          path: [c.name],
          type:
            c.kind === 'timestamp'
              ? PhysicalType.INT64
              : c.kind.endsWith('float')
                ? PhysicalType.FLOAT
                : PhysicalType.BYTE_ARRAY,
          numValues: this.rows,
          repetitionLevels: null,
          definitionLevels: required ? null : Uint8Array.from(c.defs),
          values: c.values.view(),
        },
        at,
      );
      for (const b of chunk.bytes) {
        bytes.push(b);
        at += b.length;
      }
      infos.push(chunk.info);
    }
    return { bytes, group: { numRows: this.rows, columns: infos } };
  }
}

function put(column: Column, value: string | number | null): void {
  if (value === null) {
    column.defs.push(0);
    return;
  }
  column.defs.push(1);
  if (column.kind === 'timestamp') column.values.i64(value as number);
  else if (column.kind === 'float' || column.kind === 'optional-float') column.values.f32le(value as number);
  else column.values.utf8WithLength(value as string);
}
