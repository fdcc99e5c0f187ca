import { parseArgs } from 'node:util';
import { ApiError } from '../../shared/api/errors';
import { APP_VERSION } from '../core/version';
import { demoCommand } from './commands/demo';
import { importCommand } from './commands/import';
import { labelCommand } from './commands/label';
import { labelSchemaCommand } from './commands/label-schema';
import { agreementCommand } from './commands/agreement';
import { exportCommand, exportsCommand } from './commands/export';
import { driftCommand, evalCommand } from './commands/insights';
import { mineCommand } from './commands/mine';
import { modelCommand, modelsCommand, rescoreCommand } from './commands/models';
import { predictionsCommand } from './commands/predictions';
import { queueCommand } from './commands/queue';
import { initCommand, projectsCommand, statsCommand } from './commands/projects';
import { serveCommand } from './commands/serve';
import { UsageError, type GlobalOptions } from './cli-context';
import { EXIT, exitCodeFor } from './exit-codes';
import { HELP } from './help';

const OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
  project: { type: 'string' },
  mapping: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  yes: { type: 'boolean', short: 'y', default: false },
  'save-mapping': { type: 'string' },
  strict: { type: 'boolean', default: false },
  rejects: { type: 'string' },
  'max-line-mb': { type: 'string' },
  discard: { type: 'string' },
  format: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean', default: false },
  open: { type: 'boolean', default: false },
  dir: { type: 'string' },
  rows: { type: 'string' },
  annotator: { type: 'string' },
  action: { type: 'string' },
  comment: { type: 'string' },
  'schema-version': { type: 'string' },
  strategy: { type: 'string' },
  runs: { type: 'string' },
  limit: { type: 'string' },
  threshold: { type: 'string' },
  measure: { type: 'string' },
  seed: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  where: { type: 'string', multiple: true },
  class: { type: 'string', multiple: true },
  'per-class': { type: 'string' },
  'second-share': { type: 'string' },
  'include-labeled': { type: 'boolean', default: false },
  'keep-duplicates': { type: 'boolean', default: false },
  status: { type: 'string' },
  session: { type: 'string' },
  conflicts: { type: 'boolean', default: false },
  count: { type: 'string' },
  again: { type: 'string' },
  force: { type: 'boolean', default: false },
  agreement: { type: 'string' },
  'label-source': { type: 'string' },
  'model-run': { type: 'string' },
  split: { type: 'string' },
  cutoffs: { type: 'string' },
  fractions: { type: 'string' },
  'group-by': { type: 'string' },
  metric: { type: 'string' },
  champion: { type: 'string' },
  challenger: { type: 'string' },
  margin: { type: 'string' },
  gate: { type: 'boolean', default: false },
  reference: { type: 'string' },
  current: { type: 'string' },
  name: { type: 'string' },
  'model-version': { type: 'string' },
  device: { type: 'string' },
  batch: { type: 'string' },
  'memory-limit': { type: 'string' },
  file: { type: 'string' },
  out: { type: 'string' },
} as const;

export type CliValues = ReturnType<typeof parseCli>['values'];

function parseCli(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    process.stderr.write(`flywheel: ${(e as Error).message}\nRun 'flywheel help' for usage.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.version) {
    process.stdout.write(`${APP_VERSION}\n`);
    return EXIT.ok;
  }
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return command || values.help ? EXIT.ok : EXIT.usage;
  }
  const global: GlobalOptions = { json: values.json, ...(values.db ? { db: values.db } : {}) };
  try {
    switch (command) {
      case 'init':
        return await initCommand(global);
      case 'projects':
        return await projectsCommand(global);
      case 'stats':
        return await statsCommand(global, args[0]);
      case 'import':
        return await importCommand(global, args, values);
      case 'demo':
        return await demoCommand(global, values);
      case 'label':
        return await labelCommand(global, args, values);
      case 'label-schema':
        return await labelSchemaCommand(global, args);
      case 'mine':
        return await mineCommand(global, args, values);
      case 'queue':
        return await queueCommand(global, args, values);
      case 'agreement':
        return await agreementCommand(global, args, values);
      case 'export':
        return await exportCommand(global, args, values);
      case 'exports':
        return await exportsCommand(global, args);
      case 'eval':
        return await evalCommand(global, args, values);
      case 'drift':
        return await driftCommand(global, args, values);
      case 'model':
        return await modelCommand(global, args, values);
      case 'models':
        return await modelsCommand(global, args);
      case 'predictions':
        return await predictionsCommand(global, args, values);
      case 'rescore':
        return await rescoreCommand(global, args, values);
      case 'serve':
        return await serveCommand(global, values);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`flywheel: ${e.message}\nRun 'flywheel help' for usage.\n`);
      return EXIT.usage;
    }
    const error = e instanceof ApiError ? e : new ApiError('internal', (e as Error)?.message ?? String(e));
    if (global.json) process.stdout.write(`${JSON.stringify({ error: error.toData() }, null, 2)}\n`);
    process.stderr.write(`flywheel: ${error.message}\n`);
    return exitCodeFor(error.code);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`flywheel: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = EXIT.failure;
  },
);
