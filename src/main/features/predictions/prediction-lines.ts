import { csvRow } from '../../../shared/features/export/csv';
import { scoreColumn } from '../../../shared/features/predictions/contract';
import type { PredictionRow } from '../../store/prediction-reads';
import { isFeatureVector } from '../export/feature-layout';
import { f32 } from '../export/float-text';
import { floats } from '../export/row-format';
import type { PredictionsLayout } from './layout';

/** What naming a run's predicted classes and scores needs of the project. */
export type ClassLayout = Pick<PredictionsLayout, 'taskType' | 'classes'>;

/** A row's score per class, in the project's class order (binary rows store P(classes[1]) alone). */
export function classScores(layout: ClassLayout, scores: Buffer): number[] {
  const values = Array.from(floats(scores));
  if (layout.taskType === 'binary' && values.length === 1) return [1 - values[0]!, values[0]!];
  return values;
}

/** A score as text: a stored float32 in its shortest exact form; a derived double (1 − p) as it is. */
export function scoreText(layout: ClassLayout, values: number[], i: number): string {
  const derived = layout.taskType === 'binary' && i === 0;
  return derived ? String(values[i]) : f32(values[i]!);
}

export function predictedNames(layout: ClassLayout, predicted: number): string[] {
  if (layout.taskType !== 'multilabel') return [layout.classes[predicted] ?? String(predicted)];
  return layout.classes.filter((_, i) => (predicted & (1 << i)) !== 0);
}

function isoTime(ts: number | null): string | null {
  return ts === null ? null : new Date(ts).toISOString();
}

/** One JSON line: the fields an import maps back (id, ts, the input, predicted, scores by class, model). */
export function jsonLine(layout: PredictionsLayout, row: PredictionRow): string {
  const values = classScores(layout, row.scores);
  const parts = [`"id":${JSON.stringify(row.external_id)}`, `"ts":${JSON.stringify(isoTime(row.ts))}`];
  if (layout.inputKind === 'text') parts.push(`"text":${JSON.stringify(row.text)}`);
  if (layout.inputKind === 'image') parts.push(`"image_path":${JSON.stringify(row.image_path)}`);
  if (layout.featureNames.length > 0) {
    const f = row.features ? floats(row.features) : null;
    if (isFeatureVector(layout.featureNames)) {
      const field = layout.featureNames[0]!.slice(0, layout.featureNames[0]!.lastIndexOf('['));
      parts.push(`${JSON.stringify(field)}:${f ? `[${Array.from(f, f32).join(',')}]` : 'null'}`);
    } else {
      layout.featureNames.forEach((name, i) => parts.push(`${JSON.stringify(name)}:${f ? f32(f[i]!) : 'null'}`));
    }
  }
  const names = predictedNames(layout, row.predicted);
  parts.push(`"predicted":${JSON.stringify(layout.taskType === 'multilabel' ? names : names[0])}`);
  const scores = layout.classes.map((c, i) => `${JSON.stringify(c)}:${scoreText(layout, values, i)}`);
  parts.push(`"scores":{${scores.join(',')}}`);
  parts.push(`"model":${JSON.stringify(layout.model.name)}`, `"model_version":${JSON.stringify(layout.model.version)}`);
  return `{${parts.join(',')}}\n`;
}

/** The CSV and Parquet columns: the same fields, features and scores one column each. */
export function flatColumns(layout: PredictionsLayout): string[] {
  const input =
    layout.inputKind === 'text' ? ['text'] : layout.inputKind === 'image' ? ['image_path'] : [...layout.featureNames];
  if (layout.inputKind !== 'tabular' && layout.featureNames.length > 0) input.push(...layout.featureNames);
  return ['id', 'ts', ...input, 'predicted', ...layout.classes.map(scoreColumn), 'model', 'model_version'];
}

export function csvHeader(layout: PredictionsLayout): string {
  return csvRow(flatColumns(layout));
}

export function csvLine(layout: PredictionsLayout, row: PredictionRow): string {
  const values = classScores(layout, row.scores);
  const cells: (string | null)[] = [row.external_id, isoTime(row.ts)];
  if (layout.inputKind === 'text') cells.push(row.text);
  if (layout.inputKind === 'image') cells.push(row.image_path);
  if (layout.featureNames.length > 0) {
    const f = row.features ? floats(row.features) : null;
    layout.featureNames.forEach((_, i) => cells.push(f ? f32(f[i]!) : null));
  }
  cells.push(predictedNames(layout, row.predicted).join('|'));
  layout.classes.forEach((_, i) => cells.push(scoreText(layout, values, i)));
  cells.push(layout.model.name, layout.model.version);
  return csvRow(cells);
}
