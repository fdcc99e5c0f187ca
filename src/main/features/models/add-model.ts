import { modelNameFromFile } from '../../../shared/features/models/model-name';
import { checkLineage, recordLineage } from '../insights/lineage';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { RegisteredModel } from '../../../shared/features/models/contract';
import type { Project } from '../../../shared/features/projects/contract';
import type { Context } from '../../core/context';
import { pathKind, readRegularFile } from '../../io/safe-open';
import type { ModelRow } from '../../store/models';
import { resolveProject } from '../projects/handlers';
import { checkWidth, isDefaultId2label, matchClasses, parseClassList, type NamedClasses } from './class-order';
import { DEFAULT_MAX_LENGTH, hfFolder, type HfFolder } from './hf-folder';
import { openModel, type OpenModel } from './model-host';
import { lineageFromCard } from './card-lineage';
import { encoderOutput, pooledHint, probeEncoder } from './encoder';
import { readOnnxCard, type OnnxCard } from './onnx-metadata';
import { batchOf, inputName, tokenizerOf } from './model-input';
import { checkFixedLength, checkPairTokenizer, withTextInput } from './model-template';
import { withoutZipMap } from './unzip-map';
import { readModelCard, withCard, type WithCard } from './model-card';
import type { ValueSource } from '../../../shared/features/models/model-card';

type Model = RegisteredModel;

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
  const widths = classWidths(project);
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

function classWidths(project: Project): number[] {
  return project.taskType === 'binary' ? [1, 2] : [project.classes.length];
}

/** The class scores a classifier gives, checked against the project's classes and a probe batch. */
async function scoreMapping(
  ctx: Context,
  project: Project,
  model: OpenModel,
  inMap: Model['inputMapping'],
  source: string,
  outputKind: 'probabilities' | 'logits' | undefined,
  classes: ReturnType<typeof matchClasses>,
): Promise<Model['outputMapping']> {
  let out: ReturnType<typeof outputMapping>;
  try {
    out = outputMapping(project, model, source, outputKind);
  } catch (e) {
    throw e instanceof ApiError && inMap.kind === 'tokens' ? new ApiError(e.code, e.message + pooledHint(model)) : e;
  }
  checkWidth(classes, out.width, source, out.output);
  const probed = await probeKind(ctx, project, model, inMap, out.output, out.width).catch((e: unknown) => {
    throw e instanceof ApiError ? new ApiError(e.code, `${source}: ${e.message}`) : e;
  });
  return {
    output: out.output,
    kind: out.kind ?? probed,
    width: out.width,
    ...(classes.modelClasses ? { modelClasses: classes.modelClasses, classOrder: classes.classOrder! } : {}),
  };
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

/** A folder's identity: its model.onnx and the tokenizer and config files copied beside it. */
function folderKey(source: string, sha256: string, folder: HfFolder): string {
  const hash = createHash('sha256').update(sha256);
  for (const f of folder.files) hash.update(`\0${f}\0`).update(readRegularFile(path.join(source, f), 'tokenizer file'));
  return hash.digest('hex');
}

/** The sources that name the model's classes, in the order they are trusted. */
function namedClasses(
  card: OnnxCard,
  folder: HfFolder | null,
  declared: string[] | undefined,
  declaredFrom: ValueSource | undefined,
): { named: NamedClasses[]; numeric: NamedClasses | null } {
  const named: NamedClasses[] = [];
  if (declared)
    named.push({
      source: declaredFrom === 'model card' ? "the model card's classes" : 'the declared classes',
      names: declared,
    });
  const meta = card.props['classes'];
  const metaNames = meta === undefined ? [] : parseClassList(meta);
  if (metaNames.length > 0) named.push({ source: "the ONNX metadata 'classes'", names: metaNames });
  if (folder?.id2label && folder.id2label.length > 0 && !isDefaultId2label(folder.id2label))
    named.push({ source: "config.json's id2label", names: folder.id2label });
  const labels = card.labels;
  const op = labels ? { source: `the ${labels.op} op's class labels`, names: labels.names } : null;
  if (op && !labels!.numeric) named.push(op);
  return { named, numeric: labels?.numeric ? op : null };
}

/** The first value given, with where it came from. */
function firstOf(...values: [string | undefined | null, ValueSource][]): [string, ValueSource] | null {
  for (const [v, from] of values) {
    const s = v?.trim();
    if (s) return [s.slice(0, 100), from];
  }
  return null;
}

const FROM_ORDER = ['name', 'version', 'classes', 'threshold', 'outputKind', 'lineage', 'input'];

/** Where each value came from, in one order whatever the order they were found in. */
function inOrder(from: Record<string, ValueSource>): Record<string, ValueSource> {
  return Object.fromEntries(FROM_ORDER.filter((k) => from[k] !== undefined).map((k) => [k, from[k]!]));
}

/** Where the model's class names came from, in the words of `from`. */
function classesFrom(named: NamedClasses[], declaredFrom: ValueSource | undefined): ValueSource | undefined {
  const first = named[0];
  if (!first) return undefined;
  if (declaredFrom && (first.source === 'the declared classes' || first.source === "the model card's classes"))
    return declaredFrom;
  return first.source === "config.json's id2label" ? 'config.json' : 'ONNX metadata';
}

/**
 * The threshold of a binary model: asked (command line or card), else the ONNX metadata's
 * 'threshold'. Asked for a project that is not binary, it is refused; a metadata one is ignored, with a warning.
 */
function thresholdOf(
  project: Project,
  asked: number | undefined,
  askedFrom: ValueSource | undefined,
  meta: string | undefined,
  warnings: string[],
): [number, ValueSource] | null {
  if (asked !== undefined) {
    if (project.taskType !== 'binary') {
      throw new ApiError(
        'invalid-input',
        `threshold (from the ${askedFrom}) applies to binary models; project '${project.name}' is ${project.taskType}, where the label is the class with the highest score`,
      );
    }
    return [asked, askedFrom ?? 'command line'];
  }
  if (meta === undefined) return null;
  const value = Number(meta);
  if (project.taskType !== 'binary') {
    warnings.push(`the ONNX metadata's threshold (${meta}) is ignored: project '${project.name}' is not binary`);
    return null;
  }
  if (meta.trim() === '' || !(value > 0 && value < 1)) {
    warnings.push(`the ONNX metadata's threshold '${meta}' is not a number between 0 and 1: using 0.5`);
    return null;
  }
  return [value, 'ONNX metadata'];
}

export async function addModel(ctx: Context, asked: ParsedInput<'models.add'>): Promise<Output<'models.add'>> {
  const project = resolveProject(ctx, asked.project);
  // Read and checked before anything else: a bad card stops the registration before any file is read.
  const { input, from: given }: WithCard = withCard(asked, asked.card ? readModelCard(asked.card) : null);
  const from: Record<string, ValueSource> = { ...given };
  const lineage = checkLineage(ctx, project, input);
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
  const card = readOnnxCard(bytes);
  const { named, numeric } = namedClasses(card, folder, input.classes, given.classes);
  const classes = matchClasses(project, source, named, numeric);
  const classSource = classes.modelClasses ? classesFrom(named, given.classes) : undefined;
  if (classSource) from['classes'] = classSource;
  else delete from['classes'];
  const warnings = classes.warning ? [classes.warning] : [];
  const threshold = thresholdOf(project, input.threshold, given.threshold, card.props['threshold'], warnings);
  if (threshold) from['threshold'] = threshold[1];
  // Lineage given on the command line wins over the one the file carries.
  const carried = lineage ? null : lineageFromCard(ctx, project, card.props, source);
  if (carried?.warning) warnings.push(carried.warning);
  const recorded = lineage ?? carried?.lineage ?? null;
  if (!lineage && carried?.lineage) from['lineage'] = 'ONNX metadata';
  if (folder && !folder.maxLengthFrom) {
    warnings.push(
      `neither tokenizer.json, tokenizer_config.json nor config.json states a maximum length; texts are truncated to ${DEFAULT_MAX_LENGTH} tokens (change it in the model's mappings: models.update maxLength, or Edit mappings on the Models screen)`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const [name, nameFrom] = firstOf(
    [input.name, given.name ?? 'command line'],
    [card.props['name'], 'ONNX metadata'],
    [card.props['model_name'], 'ONNX metadata'],
    [folder?.name, 'config.json'],
  ) ?? [modelNameFromFile(path.basename(source)), 'file name'];
  const [version, versionFrom] = firstOf(
    [input.version, given.version ?? 'command line'],
    [card.props['version'], 'ONNX metadata'],
    [card.props['model_version'], 'ONNX metadata'],
    [card.modelVersion > 0 ? String(card.modelVersion) : null, 'ONNX metadata'],
    [folder?.version, 'config.json'],
  ) ?? [sha256.slice(0, 8), 'checksum'];
  from['name'] = nameFrom;
  from['version'] = versionFrom;
  const dir = path.join(ctx.dataDir, 'models');
  // A folder keeps its tokenizer files beside model.onnx, stored under a hash of them all (the same
  // model.onnx with another tokenizer is another model); a single file is stored by its hash.
  const finalPath = folder ? path.join(dir, folderKey(source, sha256, folder)) : path.join(dir, `${sha256}.onnx`);
  const file = folder ? path.join(finalPath, 'model.onnx') : finalPath;
  refuseDuplicate(
    ctx,
    project,
    source,
    { sha256, file },
    name,
    version,
    input.name === undefined && input.version === undefined,
  );
  // Read the probabilities behind an sklearn ZipMap; the registered sha256 stays the file's own.
  bytes = withoutZipMap(bytes) ?? bytes;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${finalPath}.${process.pid}.tmp`;
  const tmpModel = folder ? path.join(tmp, 'model.onnx') : tmp;
  if (folder) {
    fs.mkdirSync(tmp, { recursive: true });
    for (const copy of copies) fs.writeFileSync(path.join(tmp, copy.name), copy.bytes);
  }
  fs.writeFileSync(tmpModel, bytes);
  let model: OpenModel | null = null;
  try {
    const what = `${source} is not a usable ONNX model`;
    model = await openModel(tmpModel, 'cpu', what);
    let inMap: Model['inputMapping'];
    if (folder) {
      inMap = withTextInput(ctx, project, tokenMapping(model, source, folder), input, source);
      const tokenizerJson = path.join(tmp, 'tokenizer.json');
      checkPairTokenizer(inMap, tokenizerJson, source);
      checkFixedLength(inMap, tokenizerJson, source);
      // Reopen with the tokenizer loaded, so the probe batch goes through it.
      await model.close();
      // The graph loaded: a failure now is the tokenizer's, named as such (not 'not a usable ONNX model').
      model = await openModel(tmpModel, 'cpu', source, tokenizerOf(inMap, tmpModel));
    } else inMap = withTextInput(ctx, project, inputMapping(project, model, source), input, source);
    const encoder = folder ? encoderOutput(model, classWidths(project)) : null;
    const outMap: Model['outputMapping'] = encoder
      ? await probeEncoder(ctx, project, model, inMap, encoder, source)
      : {
          ...(await scoreMapping(ctx, project, model, inMap, source, input.outputKind, classes)),
          ...(threshold ? { threshold: threshold[0] } : {}),
        };
    // transformers always writes id2label: without real names, a folder's column order is a guess.
    if (folder && !encoder && !classes.modelClasses) {
      throw new ApiError(
        'bad-mapping',
        `${source}: config.json's id2label does not name the classes (it is missing, or transformers' default LABEL_0, LABEL_1, …), ` +
          `so which output is which class is unknown: give them in the model's output order with --classes ` +
          `(e.g. --classes ${project.classes.join(',')} if that is its order), or save the model with id2label set`,
      );
    }
    if (input.outputKind === undefined) delete from['outputKind'];
    if (fs.existsSync(finalPath)) fs.rmSync(finalPath, { recursive: true, force: true });
    fs.renameSync(tmp, finalPath);
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
          output_mapping: JSON.stringify(outMap),
        },
        Date.now(),
      );
    } catch (e) {
      if (/UNIQUE/.test((e as Error).message))
        throw new ApiError('conflict', `project '${project.name}' already has model ${name}@${version}`);
      throw e;
    }
    if (recorded) recordLineage(ctx, project, { name, version }, recorded);
    ctx.emit({ type: 'data.changed', projectId: project.id });
    return { ...toModel(ctx.store.models.byId(id)!), warnings, tokenizer: model.tokenizer, from: inOrder(from) };
  } finally {
    await model?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The same file registered again (with no name or version given) is refused naming the model it
 * already is; a name@version already taken is refused saying whether by this file or another.
 */
function refuseDuplicate(
  ctx: Context,
  project: Project,
  source: string,
  { sha256, file }: { sha256: string; file: string },
  name: string,
  version: string,
  unnamed: boolean,
): void {
  const models = ctx.store.models.forProject(project.id);
  const same = models.find((m) => m.sha256 === sha256 && m.file === file);
  if (same && unnamed) {
    throw new ApiError(
      'conflict',
      `${source} is already registered in project '${project.name}' as model ${same.name}@${same.version} (#${same.id}); give --name or --version to register it again under another name`,
    );
  }
  const taken = models.find((m) => m.name === name && m.version === version);
  if (taken) {
    throw new ApiError(
      'conflict',
      taken.sha256 === sha256 && taken.file === file
        ? `project '${project.name}' already has model ${name}@${version}, registered from this same file (#${taken.id})`
        : `project '${project.name}' already has model ${name}@${version} from a different file (sha256 ${taken.sha256.slice(0, 12)}…); give another --version`,
    );
  }
}
