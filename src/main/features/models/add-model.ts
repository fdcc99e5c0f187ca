import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { pathKind, readRegularFile, readRegularText } from '../../io/safe-open';
import type { ModelRow } from '../../store/models';
import { resolveProject } from '../projects/handlers';
import { openModel, type OpenModel } from './model-host';
import { batchOf, inputName, tokenizerOf } from './model-input';
import { withoutZipMap } from './unzip-map';

type Model = Output<'models.add'>;

export function toModel(row: ModelRow): Model {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    sha256: row.sha256,
    file: row.file,
    inputMapping: JSON.parse(row.input_mapping) as Model['inputMapping'],
    outputMapping: JSON.parse(row.output_mapping) as Model['outputMapping'],
    createdAt: row.created_at,
  };
}

export function shape(s: (number | string)[]): string {
  return `[${s.join(', ')}]`;
}

/**
 * The input mapping: one string input takes the example text (the graph tokenizes it); one float
 * tensor [batch, dim] takes the project's feature vector.
 */
function inputMapping(project: Project, model: OpenModel, file: string): Model['inputMapping'] {
  const dim = project.featureNames?.length ?? 0;
  const [only] = model.inputs;
  if (model.inputs.length === 1 && only!.type === 'string' && only!.shape.length <= 2) {
    if (project.inputKind !== 'text') {
      throw new ApiError(
        'bad-mapping',
        `${file}: input '${only!.name}' takes text; project '${project.name}' has ${project.inputKind} input`,
      );
    }
    if (only!.shape.length === 2 && only!.shape[1] !== 1) {
      throw new ApiError(
        'bad-mapping',
        `${file}: text input '${only!.name}' must be [batch] or [batch, 1], not [${only!.shape.join(', ')}]`,
      );
    }
    return { kind: 'text', input: only!.name, rank: only!.shape.length === 2 ? 2 : 1 };
  }
  const floats = model.inputs.filter((i) => i.type === 'float32' && i.shape.length === 2);
  if (model.inputs.length !== 1 || floats.length !== 1 || dim === 0) {
    throw new ApiError(
      'bad-mapping',
      `${file}: expected one string input (the text) or one float32 input of shape [batch, ${dim || 'features'}]` +
        `${dim === 0 ? ` (project '${project.name}' has no feature vectors)` : " (the project's features)"}; the model takes ` +
        model.inputs.map((i) => `${i.name} ${i.type} ${shape(i.shape)}`).join(', '),
    );
  }
  const input = floats[0]!;
  if (input.shape[1] !== dim) {
    throw new ApiError(
      'bad-mapping',
      `${file}: input '${input.name}' takes ${String(input.shape[1])} floats per example; project '${project.name}' has ${dim} features (${project.featureNames!.slice(0, 4).join(', ')}${dim > 4 ? ', …' : ''})`,
    );
  }
  return { kind: 'features', input: input.name, dim };
}

function outputMapping(project: Project, model: OpenModel, file: string, kind: 'probabilities' | 'logits' | undefined) {
  const k = project.classes.length;
  const widths = project.taskType === 'binary' ? [1, 2] : [k];
  const usable = model.outputs.filter((o) => o.type === 'float32' && o.shape.length === 2);
  const output = usable.find((o) => /prob/i.test(o.name)) ?? usable[0];
  if (!output) {
    throw new ApiError(
      'bad-mapping',
      `${file}: no float32 output of shape [batch, classes]; the model gives ` +
        model.outputs.map((o) => `${o.name} ${o.type} ${shape(o.shape)}`).join(', '),
    );
  }
  // A symbolic width (a ZipMap's tensor) is taken as the project's and checked on the probe batch.
  const width = typeof output.shape[1] === 'number' ? output.shape[1] : widths.at(-1)!;
  if (!widths.includes(width)) {
    throw new ApiError(
      'bad-mapping',
      `${file}: output '${output.name}' has ${String(width)} classes; project '${project.name}' has ${k} (${project.classes.join(', ')})`,
    );
  }
  const inferred = kind ?? (/logit/i.test(output.name) ? 'logits' : /prob/i.test(output.name) ? 'probabilities' : null);
  return { output: output.name, width, kind: inferred };
}

/** Probabilities when every probe row lies in [0, 1] and (for vectors) sums to 1. */
export async function probeKind(
  ctx: Context,
  project: Project,
  model: OpenModel,
  input: Model['inputMapping'],
  output: string,
  expectedWidth: number,
) {
  const batch = batchOf(input, ctx.store.models.featureBatch(project.id, 0, 16));
  if (!batch) return 'probabilities' as const;
  const rows = batch.rows;
  const { values, dims } = await model.score(inputName(input), output, batch.payload);
  if ((dims[1] ?? 1) !== expectedWidth) {
    throw new ApiError(
      'bad-mapping',
      `output '${output}' gives ${dims[1] ?? 1} values per example; project '${project.name}' has ${project.classes.length} classes`,
    );
  }
  const w = dims[1] ?? 1;
  const bad = Array.from(values).findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new ApiError(
      'bad-file',
      `the model gives a non-finite output (${values[bad]}) for example '${rows[Math.floor(bad / w)]!.external_id}': refusing it`,
    );
  }
  for (let i = 0; i < rows.length; i++) {
    let sum = 0;
    for (let c = 0; c < w; c++) {
      const v = values[i * w + c]!;
      if (!(v >= 0 && v <= 1)) return 'logits' as const;
      sum += v;
    }
    if (w > 1 && Math.abs(sum - 1) > 1e-3) return 'logits' as const;
  }
  return 'probabilities' as const;
}

/** A Hugging Face style folder: model.onnx beside tokenizer.json (and its configs). */
interface HfFolder {
  modelPath: string;
  files: string[];
  id2label: string[] | null;
  maxLength: number;
}

function readJson(file: string): Record<string, unknown> | null {
  if (pathKind(file) === 'missing') return null;
  const text = readRegularText(file, 'model configuration');
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ApiError('bad-file', `${file}: not JSON (${(e as Error).message})`);
  }
}

function hfFolder(source: string): HfFolder {
  const modelPath = [path.join(source, 'model.onnx'), path.join(source, 'onnx', 'model.onnx')].find(
    (f) => pathKind(f) !== 'missing',
  );
  if (!modelPath) throw new ApiError('bad-file', `${source}: a model folder needs model.onnx (or onnx/model.onnx)`);
  if (pathKind(path.join(source, 'tokenizer.json')) === 'missing') {
    throw new ApiError(
      'bad-file',
      `${source}: has no tokenizer.json, which the text must go through before model.onnx`,
    );
  }
  const config = readJson(path.join(source, 'config.json'));
  const tokenizerConfig = readJson(path.join(source, 'tokenizer_config.json'));
  const id2label = config?.['id2label'] as Record<string, string> | undefined;
  const max = Number(tokenizerConfig?.['model_max_length']);
  return {
    modelPath,
    files: ['tokenizer.json', 'tokenizer_config.json', 'config.json'].filter(
      (f) => pathKind(path.join(source, f)) !== 'missing',
    ),
    id2label: id2label
      ? Object.keys(id2label)
          .sort((a, b) => Number(a) - Number(b))
          .map((k) => id2label[k]!)
      : null,
    maxLength: Number.isFinite(max) && max > 0 ? Math.min(max, 512) : 128,
  };
}

/** The int64 inputs a tokenizer fills, named as transformers exports them. */
function tokenMapping(model: OpenModel, file: string, folder: HfFolder): Model['inputMapping'] {
  const names = model.inputs.map((i) => i.name);
  const ids = model.inputs.find((i) => i.name === 'input_ids' && i.type === 'int64');
  const mask = model.inputs.find((i) => i.name === 'attention_mask' && i.type === 'int64');
  const typeIds = model.inputs.find((i) => i.name === 'token_type_ids');
  const unknown = names.filter((n) => !['input_ids', 'attention_mask', 'token_type_ids'].includes(n));
  if (!ids || !mask || unknown.length > 0) {
    throw new ApiError(
      'bad-mapping',
      `${file}: a tokenizer model takes int64 input_ids and attention_mask (and optionally token_type_ids); this one takes ` +
        model.inputs.map((i) => `${i.name} ${i.type} ${shape(i.shape)}`).join(', '),
    );
  }
  return {
    kind: 'tokens',
    inputIds: ids.name,
    attentionMask: mask.name,
    tokenTypeIds: typeIds?.name ?? null,
    maxLength: folder.maxLength,
  };
}

export async function addModel(ctx: Context, input: ParsedInput<'models.add'>): Promise<Model> {
  const project = resolveProject(ctx, input.project);
  const source = path.resolve(input.path);
  let folder: HfFolder | null = null;
  let bytes: Buffer;
  // Every file is read here, through the checked opener, before anything is written.
  let copies: { name: string; bytes: Buffer }[] = [];
  try {
    if (pathKind(source) === 'folder') folder = hfFolder(source);
    bytes = readRegularFile(folder?.modelPath ?? source, 'model file');
    if (folder) {
      copies = folder.files.map((name) => ({
        name,
        bytes: readRegularFile(path.join(source, name), 'tokenizer file'),
      }));
    }
  } catch (e) {
    // A model path that names nothing is a bad file here, as it always was (its exit code).
    if (e instanceof ApiError) throw e.code === 'not-found' ? new ApiError('bad-file', e.message) : e;
    throw new ApiError('bad-file', `${source}: ${(e as Error).message}`);
  }
  if (folder?.id2label) {
    const same =
      folder.id2label.length === project.classes.length &&
      folder.id2label.every((l, i) => l.toLowerCase() === project.classes[i]!.toLowerCase());
    if (!same) {
      throw new ApiError(
        'bad-mapping',
        `${source}: config.json's id2label (${folder.id2label.join(', ')}) does not match project '${project.name}' classes (${project.classes.join(', ')})`,
      );
    }
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // Read the probabilities behind an sklearn ZipMap; the registered sha256 stays the file's own.
  bytes = withoutZipMap(bytes) ?? bytes;
  const dir = path.join(ctx.dataDir, 'models');
  fs.mkdirSync(dir, { recursive: true });
  // A folder keeps its tokenizer files beside model.onnx; a single file is stored by its hash.
  const finalPath = folder ? path.join(dir, sha256) : path.join(dir, `${sha256}.onnx`);
  const tmp = `${finalPath}.${process.pid}.tmp`;
  const tmpModel = folder ? path.join(tmp, 'model.onnx') : tmp;
  if (folder) {
    fs.mkdirSync(tmp, { recursive: true });
    for (const copy of copies) fs.writeFileSync(path.join(tmp, copy.name), copy.bytes);
  }
  fs.writeFileSync(tmpModel, bytes);
  const file = folder ? path.join(finalPath, 'model.onnx') : finalPath;
  let model: OpenModel | null = null;
  try {
    const what = `${source} is not a usable ONNX model`;
    model = await openModel(tmpModel, 'cpu', what);
    let inMap: Model['inputMapping'];
    if (folder) {
      inMap = tokenMapping(model, source, folder);
      // Reopen with the tokenizer loaded, so the probe batch goes through it.
      await model.close();
      model = await openModel(tmpModel, 'cpu', what, tokenizerOf(inMap, tmpModel));
    } else inMap = inputMapping(project, model, source);
    const out = outputMapping(project, model, source, input.outputKind);
    const probed = await probeKind(ctx, project, model, inMap, out.output, out.width).catch((e: unknown) => {
      throw e instanceof ApiError ? new ApiError(e.code, `${source}: ${e.message}`) : e;
    });
    const kind = out.kind ?? probed;
    if (fs.existsSync(finalPath)) fs.rmSync(finalPath, { recursive: true, force: true });
    fs.renameSync(tmp, finalPath);
    const name = input.name ?? path.basename(source).replace(/\.onnx$/i, '');
    const version = input.version ?? sha256.slice(0, 8);
    let id: number;
    try {
      id = ctx.store.models.add(
        {
          project_id: project.id,
          name,
          version,
          file,
          sha256,
          input_mapping: JSON.stringify(inMap),
          output_mapping: JSON.stringify({ output: out.output, kind, width: out.width }),
        },
        Date.now(),
      );
    } catch (e) {
      if (/UNIQUE/.test((e as Error).message))
        throw new ApiError('conflict', `project '${project.name}' already has model ${name}@${version}`);
      throw e;
    }
    ctx.emit({ type: 'data.changed', projectId: project.id });
    return toModel(ctx.store.models.byId(id)!);
  } finally {
    await model?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
