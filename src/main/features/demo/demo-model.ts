import fs from 'node:fs';
import type { Context } from '../../core/context';
import { trainSoftmax } from '../models/fixture-models';

/**
 * The demo's "retrained" model: softmax regression fitted on the sentiment project's feature
 * vectors against their ground truth, written as ONNX, so rescoring can be tried offline on a model
 * that actually learned something. Returns null when the project has nothing to learn from.
 */
export function writeDemoModel(ctx: Context, projectName: string, file: string): { examples: number } | null {
  const project = ctx.store.projects.byName(projectName);
  const dim = project?.featureNames?.length ?? 0;
  if (!project || dim === 0) return null;
  const rows = ctx.store.models
    .labeledFeatures(project.id)
    .filter((r) => r.features.byteLength === dim * 4 && project.classes.includes(r.ground_truth));
  if (rows.length < 10) return null;
  const features = new Float32Array(rows.length * dim);
  const bytes = new Uint8Array(features.buffer);
  rows.forEach((r, i) => bytes.set(r.features, i * dim * 4));
  const labels = Int32Array.from(rows, (r) => project.classes.indexOf(r.ground_truth));
  fs.writeFileSync(file, trainSoftmax(features, labels, dim, project.classes.length, 200, project.classes));
  return { examples: rows.length };
}
