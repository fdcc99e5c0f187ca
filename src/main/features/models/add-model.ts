import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import type { ModelRow } from '../../store/models';
import { resolveProject } from '../projects/handlers';
import { openModel, type OpenModel } from './model-host';
import { batchOf } from './model-input';
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

function shape(s: (number | string)[]): string {
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
async function probeKind(
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
  const { values, dims } = await model.score(input.input, output, batch.payload);
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

export async function addModel(ctx: Context, input: ParsedInput<'models.add'>): Promise<Model> {
  const project = resolveProject(ctx, input.project);
  const source = path.resolve(input.path);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(source);
  } catch (e) {
    throw new ApiError('bad-file', `${source}: ${(e as Error).message}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // Read the probabilities behind an sklearn ZipMap; the registered sha256 stays the file's own.
  bytes = withoutZipMap(bytes) ?? bytes;
  const dir = path.join(ctx.dataDir, 'models');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${sha256}.onnx`);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  let model: OpenModel | null = null;
  try {
    model = await openModel(tmp, 'cpu', `${source} is not a usable ONNX model`);
    const inMap = inputMapping(project, model, source);
    const out = outputMapping(project, model, source, input.outputKind);
    const probed = await probeKind(ctx, project, model, inMap, out.output, out.width).catch((e: unknown) => {
      throw e instanceof ApiError ? new ApiError(e.code, `${source}: ${e.message}`) : e;
    });
    const kind = out.kind ?? probed;
    fs.renameSync(tmp, file);
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
    fs.rmSync(tmp, { force: true });
  }
}
