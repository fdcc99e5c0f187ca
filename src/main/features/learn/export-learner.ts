import { writablePath } from '../../io/confine';
import fs from 'node:fs';
import path from 'node:path';
import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { LearnerExport } from '../../../shared/features/learn/encode-contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { TRAINING_EXAMPLES_KEY } from '../models/card-lineage';
import { resolveProject } from '../projects/handlers';
import { learnerConfig } from './config';
import { findEncoder } from './embed';
import { encoderLearnerOnnx, featuresLearnerOnnx, type LinearHead } from './learner-onnx';
import { outputsOf } from './logistic';
import { LEARNER_MODEL_NAME } from './refresh';
import type { RepresentationMeta } from './representation';
import { trainingSet } from './training-set';

/** A fitted learner and what the exported file says about it. */
export interface LearnerToExport {
  head: LinearHead;
  meta: RepresentationMeta;
  /** The learner's model run version (learner@<labels>). */
  runVersion: string;
  trainingExampleIds: ArrayLike<number>;
}

/** The decision threshold the file states: the class of highest probability (binary: p ≥ 0.5). */
const THRESHOLD = 0.5;

/** Tokenizer files copied beside the exported model.onnx (config.json is written apart). */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

function refuseText(project: Project): never {
  throw new ApiError(
    'conflict',
    `project '${project.name}''s learner reads hashed n-grams of the text, which cannot be exported as ONNX: ` +
      'hashing strings is not an ONNX operator, so no runtime could build its input. Use a representation that can ' +
      `travel: features (the logged feature vector) or embeddings:MODEL (a sentence encoder; the file then takes the text's tokens), ` +
      `e.g. flywheel learn ${project.name} --representation features, then export again`,
    { reason: 'text-not-exportable' },
  );
}

/** The metadata model add reads: classes, name, version, and the examples it was fitted on. */
function metadataOf(ctx: Context, project: Project, learner: LearnerToExport): Record<string, string> {
  return {
    name: LEARNER_MODEL_NAME,
    version: `${LEARNER_MODEL_NAME}@${learner.runVersion}`,
    classes: JSON.stringify(project.classes),
    threshold: String(THRESHOLD),
    task: learner.head.task,
    representation: learner.meta.representation,
    labels: String(learner.trainingExampleIds.length),
    training_project: project.name,
    [TRAINING_EXAMPLES_KEY]: JSON.stringify(ctx.store.trainingExamples.externalIds(learner.trainingExampleIds)),
  };
}

function clear(out: string, overwrite: boolean): void {
  if (!fs.existsSync(out)) return;
  if (!overwrite)
    throw new ApiError('conflict', `${out} already exists: choose another --out, or give --force to replace it`);
  fs.rmSync(out, { recursive: true, force: true });
}

/** Writes the learner: a .onnx file (features), or a folder with model.onnx and the tokenizer (embeddings). */
export function writeLearner(
  ctx: Context,
  project: Project,
  learner: LearnerToExport,
  out: string,
  overwrite: boolean,
): LearnerExport {
  const representation = learner.meta.representation;
  if (representation === 'text') refuseText(project);
  const metadata = metadataOf(ctx, project, learner);
  const base = {
    representation,
    name: metadata['name']!,
    version: metadata['version']!,
    classes: project.classes,
    trainingExamples: learner.trainingExampleIds.length,
  };
  if (representation === 'features') {
    const bytes = featuresLearnerOnnx(
      learner.head,
      learner.meta.mean && learner.meta.std ? { mean: learner.meta.mean, std: learner.meta.std } : null,
      metadata,
    );
    clear(out, overwrite);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, bytes);
    return { ...base, path: out, files: [out], next: `flywheel model add ${out} --project ${project.name}` };
  }
  if (!representation.startsWith('embeddings:'))
    throw new ApiError(
      'invalid-input',
      `the learner's representation '${representation}' is not one this build exports`,
    );
  const ref = representation.slice('embeddings:'.length);
  const encoder = findEncoder(ctx, project, /^\d+$/.test(ref) ? Number(ref) : ref);
  if (encoder.inputMapping.kind !== 'tokens')
    throw new ApiError('internal', 'a sentence encoder is a tokenizer folder');
  const bytes = encoderLearnerOnnx(
    fs.readFileSync(encoder.file),
    {
      states: encoder.outputMapping.output,
      mask: encoder.inputMapping.attentionMask,
      hidden: encoder.outputMapping.width,
    },
    learner.head,
    metadata,
  );
  clear(out, overwrite);
  const tmp = `${out}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const from = path.dirname(encoder.file);
  const files = ['model.onnx'];
  fs.writeFileSync(path.join(tmp, 'model.onnx'), bytes);
  for (const f of TOKENIZER_FILES) {
    if (!fs.existsSync(path.join(from, f))) continue;
    fs.copyFileSync(path.join(from, f), path.join(tmp, f));
    files.push(f);
  }
  // The encoder's config minus its own labels (the classes are the learner's, in the metadata),
  // keeping what states the longest input.
  const configFile = path.join(from, 'config.json');
  if (fs.existsSync(configFile)) {
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    delete config['id2label'];
    delete config['label2id'];
    fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify(config, null, 2));
    files.push('config.json');
  }
  fs.renameSync(tmp, out);
  const template = encoder.inputMapping.template ?? (encoder.inputMapping.pair ? null : undefined);
  return {
    ...base,
    path: out,
    files: files.map((f) => path.join(out, f)),
    next:
      `flywheel model add ${out} --project ${project.name}` +
      (template
        ? ` --input-template '${template}'`
        : encoder.inputMapping.pair
          ? ` --input-pair ${encoder.inputMapping.pair.join(',')}`
          : ''),
  };
}

/** The project's latest learner as stored by its last refresh, with the examples it was fitted on. */
export function latestLearner(ctx: Context, project: Project): LearnerToExport {
  const refresh = ctx.store.learn.latestRefresh(project.id);
  if (!refresh)
    throw new ApiError(
      'conflict',
      `project '${project.name}' has no fitted learner to export: fit one first (flywheel learn ${project.name} --representation features|embeddings:MODEL)`,
      { reason: 'no-learner' },
    );
  if (refresh.representation === 'text') refuseText(project);
  const w = ctx.store.learn.weights(refresh.id);
  if (!w) throw new ApiError('internal', `refresh #${refresh.id} kept no weights`);
  const stored = JSON.parse(w.meta) as {
    representation: RepresentationMeta;
    model: { task: LinearHead['task']; classes: number; dim: number };
  };
  const all = new Float64Array(
    w.weights.buffer.slice(w.weights.byteOffset, w.weights.byteOffset + w.weights.byteLength),
  );
  const { task, classes, dim } = stored.model;
  const outputs = outputsOf(task, classes);
  // Stored as one array: outputs×dim weights, then the biases.
  if (all.length !== outputs * dim + outputs)
    throw new ApiError(
      'internal',
      `refresh #${refresh.id} kept ${all.length} weights, not ${outputs}×${dim} and ${outputs} biases`,
    );
  const config = { ...learnerConfig(ctx, project), representation: refresh.representation };
  const set = trainingSet(ctx, project, config, refresh.last_event_id);
  if (set.hash !== refresh.training_hash)
    throw new ApiError(
      'conflict',
      `the learner's settings or label schema changed since refresh #${refresh.id}, so the examples it was fitted on cannot be named: refresh it (flywheel learn ${project.name} refresh), then export`,
      { reason: 'lineage-changed' },
    );
  const run = refresh.model_run_id === null ? null : ctx.store.learn.modelRunName(refresh.model_run_id);
  return {
    head: { task, dim, classes, weights: all.subarray(0, outputs * dim), bias: all.subarray(outputs * dim) },
    meta: stored.representation,
    runVersion: run?.model_version ?? String(refresh.labels),
    trainingExampleIds: set.exampleIds,
  };
}

/** `learn.export`: the latest learner as ONNX, with its classes and training lineage in the file. */
export function exportLearner(ctx: Context, input: ParsedInput<'learn.export'>): Output<'learn.export'> {
  const project = resolveProject(ctx, input.project);
  return writeLearner(
    ctx,
    project,
    latestLearner(ctx, project),
    writablePath(ctx, input.out, 'the learner file'),
    input.overwrite,
  );
}
