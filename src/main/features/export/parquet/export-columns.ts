import type { Project } from '../../../../shared/features/projects/contract';
import type { ExportExampleRow } from '../../../store/export-reads';
import { ByteBuilder } from '../byte-builder';
import { isFeatureVector } from '../feature-layout';
import { floats } from '../row-format';
import { runColumns, type JobScores, type ScoreLayout } from '../score-columns';
import {
  encodeColumnChunk,
  PhysicalType,
  Repetition,
  type ColumnPage,
  type RowGroupInfo,
  type SchemaNode,
} from './parquet-format';

const STRING: SchemaNode['logicalType'] = [[1, { struct: [] }]];
const UTF8 = 0;
const LIST = 3;
const TIMESTAMP_MILLIS = 9;
const JSON_TYPE = 19;

const optionalString = (name: string): SchemaNode => ({
  name,
  type: PhysicalType.BYTE_ARRAY,
  repetition: Repetition.OPTIONAL,
  convertedType: UTF8,
  logicalType: STRING,
});

/** A nullable list in Parquet's three-level layout, of required elements. */
function listOf(name: string, element: SchemaNode): SchemaNode[] {
  return [
    { name, repetition: Repetition.OPTIONAL, children: 1, convertedType: LIST, logicalType: [[3, { struct: [] }]] },
    { name: 'list', repetition: Repetition.REPEATED, children: 1 },
    element,
  ];
}

/**
 * The Parquet schema of an export, the same fields as its JSONL lines: ts a UTC timestamp in
 * milliseconds, features a list of float32 (a struct by name where they were logged as named
 * fields; NaN where a value is missing), metadata JSON text,
 * label a string (a list of strings for multilabel projects); then, where asked, each model run's
 * predicted label (a string, classes joined by | for multilabel) and a nullable float32 per class.
 */
export function exportSchema(project: Project, scores?: ScoreLayout): SchemaNode[] {
  const fields: SchemaNode[][] = [
    [{ ...optionalString('id'), repetition: Repetition.REQUIRED }],
    [
      {
        name: 'ts',
        type: PhysicalType.INT64,
        repetition: Repetition.OPTIONAL,
        convertedType: TIMESTAMP_MILLIS,
        logicalType: [
          [
            8,
            {
              struct: [
                [1, { bool: true }],
                [2, { struct: [[1, { struct: [] }]] }],
              ],
            },
          ],
        ],
      },
    ],
  ];
  if (project.inputKind === 'text') fields.push([optionalString('text')]);
  if (project.inputKind === 'image') fields.push([optionalString('image_path')]);
  if (project.featureNames && isFeatureVector(project.featureNames)) {
    fields.push(listOf('features', { name: 'element', type: PhysicalType.FLOAT, repetition: Repetition.REQUIRED }));
  } else if (project.featureNames?.length) {
    fields.push([
      { name: 'features', repetition: Repetition.OPTIONAL, children: project.featureNames.length },
      ...project.featureNames.map((name) => ({ name, type: PhysicalType.FLOAT, repetition: Repetition.REQUIRED })),
    ]);
  }
  fields.push([
    {
      name: 'metadata',
      type: PhysicalType.BYTE_ARRAY,
      repetition: Repetition.OPTIONAL,
      convertedType: JSON_TYPE,
      logicalType: [[12, { struct: [] }]],
    },
  ]);
  fields.push(
    project.taskType === 'multilabel'
      ? listOf('label', { ...optionalString('element'), repetition: Repetition.REQUIRED })
      : [optionalString('label')],
  );
  fields.push([{ ...optionalString('label_source'), repetition: Repetition.REQUIRED }]);
  for (const run of scores?.runs ?? []) {
    const c = runColumns(scores!, run);
    fields.push([optionalString(c.predicted)]);
    for (const name of c.scores) fields.push([{ name, type: PhysicalType.FLOAT, repetition: Repetition.OPTIONAL }]);
  }
  return [{ name: 'schema', children: fields.length }, ...fields.flat()];
}

class OptionalColumn {
  readonly values = new ByteBuilder();
  readonly defs: number[] = [];
}

/** Rows of one row group, gathered column by column. */
export class ExportColumns {
  private rows = 0;
  private readonly ids = new ByteBuilder();
  private readonly sources = new ByteBuilder();
  private readonly ts = new ByteBuilder();
  private readonly tsDefs: number[] = [];
  private readonly input: OptionalColumn | null;
  private readonly metadata = new OptionalColumn();
  private readonly label = new OptionalColumn();
  private readonly labelReps: number[] = [];
  private readonly featureDefs: number[] = [];
  private readonly features: ByteBuilder[];
  private readonly width: number;
  /** A list column of all the values (features logged as a vector), else one column per feature. */
  private readonly vector: boolean;
  private readonly multilabel: boolean;
  /** Per run: its predicted label, then a column per class. */
  private readonly scoreColumns: { predicted: OptionalColumn; scores: OptionalColumn[] }[];

  constructor(
    private readonly project: Project,
    private readonly scoreLayout?: ScoreLayout,
  ) {
    this.input = project.inputKind === 'text' || project.inputKind === 'image' ? new OptionalColumn() : null;
    this.width = project.featureNames?.length ?? 0;
    this.vector = isFeatureVector(project.featureNames ?? []);
    // Small to start: a project may have thousands of named features, a column each.
    this.features = Array.from(
      { length: this.vector ? 1 : this.width },
      () => new ByteBuilder(this.vector ? 1 << 16 : 1024),
    );
    this.multilabel = project.taskType === 'multilabel';
    this.scoreColumns = (scoreLayout?.runs ?? []).map(() => ({
      predicted: new OptionalColumn(),
      scores: project.classes.map(() => new OptionalColumn()),
    }));
  }

  get count(): number {
    return this.rows;
  }

  /** Bytes gathered so far (about what the row group will take before compression). */
  get bytes(): number {
    return (
      this.ids.length +
      (this.input?.values.length ?? 0) +
      this.metadata.values.length +
      this.rows * (this.width * 4 + 16)
    );
  }

  add(ex: ExportExampleRow, labels: string[], source: 'human' | 'model', scores?: JobScores, row = 0): void {
    this.rows++;
    this.ids.utf8WithLength(ex.external_id);
    if (ex.ts === null) this.tsDefs.push(0);
    else {
      this.tsDefs.push(1);
      this.ts.i64(ex.ts);
    }
    if (this.input) {
      const value = this.project.inputKind === 'text' ? ex.text : ex.image_path;
      optional(this.input, value);
    }
    if (this.width > 0) {
      if (ex.features === null) this.featureDefs.push(0);
      else {
        this.featureDefs.push(1);
        const f = floats(ex.features);
        for (let i = 0; i < this.width; i++) this.features[this.vector ? 0 : i]!.f32le(f[i] ?? Number.NaN);
      }
    }
    optional(this.metadata, ex.metadata);
    if (!this.multilabel) optional(this.label, labels[0] ?? null);
    else if (labels.length === 0) {
      this.label.defs.push(1);
      this.labelReps.push(0);
    } else {
      labels.forEach((l, i) => {
        this.label.defs.push(2);
        this.labelReps.push(i === 0 ? 0 : 1);
        this.label.values.utf8WithLength(l);
      });
    }
    this.sources.utf8WithLength(source);
    if (scores) this.addScores(scores, row);
  }

  private addScores(scores: JobScores, row: number): void {
    scores.typed(row).forEach((s, r) => {
      const columns = this.scoreColumns[r]!;
      optional(columns.predicted, s.predicted);
      columns.scores.forEach((c, j) => {
        if (s.values === null) c.defs.push(0);
        else {
          c.defs.push(1);
          c.values.f32le(s.values[j]!);
        }
      });
    });
  }

  /** The features as list entries: a row's values are one level 2 apiece, repeated after the first. */
  private featureList(): ColumnPage {
    let entries = 0;
    for (const d of this.featureDefs) entries += d === 1 ? this.width : 1;
    const defs = new Uint8Array(entries);
    const reps = new Uint8Array(entries);
    let at = 0;
    for (const d of this.featureDefs) {
      if (d === 0) {
        at++; // null: level 0, repetition 0
        continue;
      }
      defs.fill(2, at, at + this.width);
      reps.fill(1, at + 1, at + this.width);
      at += this.width;
    }
    return {
      path: ['features', 'list', 'element'],
      type: PhysicalType.FLOAT,
      numValues: entries,
      repetitionLevels: reps,
      definitionLevels: defs,
      values: this.features[0]!.view(),
    };
  }

  private pages(): ColumnPage[] {
    const u8 = (levels: number[]) => Uint8Array.from(levels);
    const flat = (name: string, type: number, values: ByteBuilder, defs: number[] | null): ColumnPage => ({
      path: [name],
      type,
      numValues: this.rows,
      repetitionLevels: null,
      definitionLevels: defs ? u8(defs) : null,
      values: values.view(),
    });
    const pages = [
      flat('id', PhysicalType.BYTE_ARRAY, this.ids, null),
      flat('ts', PhysicalType.INT64, this.ts, this.tsDefs),
    ];
    if (this.input) {
      const name = this.project.inputKind === 'text' ? 'text' : 'image_path';
      pages.push(flat(name, PhysicalType.BYTE_ARRAY, this.input.values, this.input.defs));
    }
    if (this.vector) pages.push(this.featureList());
    else if (this.width > 0) {
      const defs = u8(this.featureDefs);
      this.project.featureNames!.forEach((name, i) =>
        pages.push({
          ...flat('features', PhysicalType.FLOAT, this.features[i]!, null),
          path: ['features', name],
          definitionLevels: defs,
        }),
      );
    }
    pages.push(flat('metadata', PhysicalType.BYTE_ARRAY, this.metadata.values, this.metadata.defs));
    if (this.multilabel) {
      pages.push({
        path: ['label', 'list', 'element'],
        type: PhysicalType.BYTE_ARRAY,
        numValues: this.label.defs.length,
        repetitionLevels: u8(this.labelReps),
        definitionLevels: u8(this.label.defs),
        values: this.label.values.view(),
      });
    } else pages.push(flat('label', PhysicalType.BYTE_ARRAY, this.label.values, this.label.defs));
    pages.push(flat('label_source', PhysicalType.BYTE_ARRAY, this.sources, null));
    this.scoreColumns.forEach((columns, r) => {
      const names = runColumns(this.scoreLayout!, this.scoreLayout!.runs[r]!);
      pages.push(flat(names.predicted, PhysicalType.BYTE_ARRAY, columns.predicted.values, columns.predicted.defs));
      columns.scores.forEach((c, j) => pages.push(flat(names.scores[j]!, PhysicalType.FLOAT, c.values, c.defs)));
    });
    return pages;
  }

  /** The row group's column chunks, one after another, with their footer entries (offsets from the first byte). */
  encode(): { bytes: Uint8Array[]; group: RowGroupInfo } {
    const bytes: Uint8Array[] = [];
    const columns = [];
    let at = 0;
    for (const page of this.pages()) {
      const chunk = encodeColumnChunk(page, at);
      for (const b of chunk.bytes) {
        bytes.push(b);
        at += b.length;
      }
      columns.push(chunk.info);
    }
    return { bytes, group: { numRows: this.rows, columns } };
  }
}

function optional(column: OptionalColumn, value: string | null): void {
  if (value === null) column.defs.push(0);
  else {
    column.defs.push(1);
    column.values.utf8WithLength(value);
  }
}
