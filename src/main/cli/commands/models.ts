import { ApiError } from '../../../shared/api/errors';
import { DeviceSchema, type InputMapping } from '../../../shared/features/models/contract';
import { call } from '../../core/dispatch';
import type { CliValues } from '../index';
import { followJob, openCliContext, print, UsageError, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';
import { lineageOptions } from './eval-sets';

function thresholdArg(value: string): number {
  const t = Number(value);
  if (value.trim() === '' || !(t > 0 && t < 1))
    throw new UsageError('--threshold needs a number between 0 and 1, e.g. 0.7');
  return t;
}

/** `--classes a,b`: the model's classes in its column order. */
function classList(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError('--classes needs the class names, separated by commas (e.g. ham,spam)');
  return names;
}

function describeInput(m: InputMapping): string {
  if (m.kind === 'features') return `${m.input} ← the ${m.dim} features`;
  const text = m.pair
    ? `the pair ${JSON.stringify(m.pair[0])}, ${JSON.stringify(m.pair[1])}`
    : m.template
      ? `the template ${JSON.stringify(m.template)}`
      : 'the text';
  if (m.kind === 'tokens') return `${text}, through tokenizer.json, into ${m.inputIds} and ${m.attentionMask}`;
  return `${m.input} ← ${text}`;
}

/** `--input-template`: a shell passes \n and \t as two characters; they mean a newline and a tab. */
function templateArg(value: string): string {
  return value.replace(/\\([nt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/** `--input-pair query,document`: the two fields (or templates) of a text pair. */
function pairArg(value: string): string[] {
  return value.split(',').map((s) => templateArg(s.trim()));
}

/** `--version V` and `--model-version V` both name the model's version. */
function modelVersion(values: CliValues): string | undefined {
  const a = values.version;
  const b = values['model-version'];
  if (a !== undefined && b !== undefined && a !== b)
    throw new UsageError(`--version ${a} and --model-version ${b} disagree: give one`);
  return a ?? b;
}

/** `flywheel model add FILE --project P [--name N] [--version V] [--classes a,b]` and `flywheel models PROJECT` */
export async function modelCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [sub, file, ...extra] = args;
  if (sub !== 'add' || !file || extra.length > 0)
    throw new UsageError('model add FILE --project NAME [--name N] [--version V] [--classes a,b]');
  if (!values.project) throw new UsageError('model add needs --project NAME');
  const version = modelVersion(values);
  const ctx = openCliContext(opts);
  try {
    const m = await call(
      'models.add',
      {
        project: { project: values.project },
        path: file,
        ...(values.name ? { name: values.name } : {}),
        ...(version ? { version } : {}),
        ...(values.classes !== undefined ? { classes: classList(values.classes) } : {}),
        ...lineageOptions(values),
        ...(values['input-template'] !== undefined ? { inputTemplate: templateArg(values['input-template']) } : {}),
        ...(values['input-pair'] !== undefined ? { inputPair: pairArg(values['input-pair']) } : {}),
        ...(values.threshold !== undefined ? { threshold: thresholdArg(values.threshold) } : {}),
        ...(values.card !== undefined ? { card: values.card } : {}),
      },
      ctx,
    );
    print(opts, m, () =>
      [
        `Model ${m.name}@${m.version} registered (sha256 ${m.sha256.slice(0, 16)}…).`,
        `  ${Object.entries(m.from)
          .map(([what, where]) => `${what} from ${where === 'config.json' ? where : `the ${where}`}`)
          .join(', ')}`,
        ...(m.outputMapping.threshold !== undefined ? [`  threshold: ${m.outputMapping.threshold}`] : []),
        `  input: ${describeInput(m.inputMapping)}`,
        `  output: ${m.outputMapping.output} (${m.outputMapping.kind}, ${m.outputMapping.width} per example)`,
        ...(m.outputMapping.modelClasses
          ? [`  classes: ${m.outputMapping.modelClasses.join(', ')} (the model's column order)`]
          : []),
        ...(m.tokenizer ? [`  tokenizer: ${m.tokenizer}`] : []),
        ...m.warnings.map((w) => `  warning: ${w}`),
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}

export async function modelsCommand(opts: GlobalOptions, args: string[]): Promise<number> {
  const [project] = args;
  if (!project) throw new UsageError('models needs PROJECT');
  const ctx = openCliContext(opts);
  try {
    const list = await call('models.list', { project }, ctx);
    print(opts, list, () =>
      list.length === 0
        ? `No models registered for ${project}.`
        : list
            .map((m) => `#${m.id}  ${m.name}@${m.version}  ${m.outputMapping.kind}  ${m.sha256.slice(0, 12)}`)
            .join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}

/** `flywheel rescore PROJECT MODEL [--device D] [--batch N]` */
export async function rescoreCommand(opts: GlobalOptions, args: string[], values: CliValues): Promise<number> {
  const [project, model] = args;
  if (!project || !model) throw new UsageError('rescore needs PROJECT and MODEL (name, name@version or id)');
  const device = DeviceSchema.safeParse(values.device ?? 'auto');
  if (!device.success) throw new UsageError(`--device is one of ${DeviceSchema.options.join(', ')}`);
  const ctx = openCliContext(opts);
  try {
    const { jobId } = await call(
      'models.rescore',
      {
        project: { project },
        model: /^\d+$/.test(model) ? Number(model) : model,
        device: device.data,
        ...(values.batch ? { batchSize: Number(values.batch) } : {}),
        ...(values['memory-limit'] ? { memoryLimitMb: Number(values['memory-limit']) } : {}),
      },
      ctx,
    );
    const status = await followJob(ctx, jobId);
    if (status.state !== 'succeeded')
      throw new ApiError(status.error?.code ?? 'internal', status.error?.message ?? 'rescore failed');
    const r = status.result as {
      modelRunId: number;
      rows: number;
      resumedFrom: number;
      device: string;
      deviceNotes: string[];
      tokenizer: string | null;
      rowsPerSecond: number;
    };
    print(opts, r, () =>
      [
        `Rescored ${r.rows.toLocaleString('en-US')} examples on ${r.device} (${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s) into model run #${r.modelRunId}` +
          (r.resumedFrom ? `, resuming after example #${r.resumedFrom}` : '') +
          '.',
        ...(r.tokenizer ? [`  tokenizer: ${r.tokenizer}`] : []),
        ...r.deviceNotes.map((n) => `  not used: ${n}`),
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
