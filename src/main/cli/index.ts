import { parseArgs } from 'node:util';
import { ApiError } from '../../shared/api/errors';
import { APP_VERSION } from '../core/version';
import type { GlobalOptions } from './cli-context';
import { UsageError } from './usage-error';
import { EXIT, exitCodeFor } from './exit-codes';
import { COMMANDS, GLOBAL_OPTIONS, isCommand, OPTION_TYPES, type CommandName, type OptionName } from './command-specs';
import { HELP, usageOf } from './help';

type FullConfig = { options: typeof OPTION_TYPES; allowPositionals: true; strict: true };
/** Every option's value as parsed; a command reads only those it takes (the rest are refused). */
export type CliValues = ReturnType<typeof parseArgs<FullConfig>>['values'];

type Parsed = { command: CommandName; args: string[]; values: CliValues };

function refuse(message: string, usage = "Run 'flywheel help' for usage."): number {
  process.stderr.write(`${message}\n${usage}\n`);
  return EXIT.usage;
}

/**
 * Finds the command, then parses its arguments with the options it takes only: any other is
 * refused with its usage instead of being ignored.
 */
function parseCommandLine(argv: string[]): Parsed | number {
  // First pass, lenient: where the command is, whatever the options around it.
  const loose = parseArgs({ args: argv, options: OPTION_TYPES, allowPositionals: true, strict: false, tokens: true });
  const [command] = loose.positionals;
  const options = loose.tokens.filter((t) => t.kind === 'option');
  if (!command || command === 'help') {
    if (options.some((t) => t.name === 'version'))
      return refuse('flywheel: --version goes alone (flywheel --version); with model add, after the command');
    process.stdout.write(HELP);
    return command || loose.values.help ? EXIT.ok : EXIT.usage;
  }
  if (!isCommand(command)) return refuse(`flywheel: unknown command '${command}'`);
  if (loose.values.help === true) {
    process.stdout.write(`${usageOf(command)}\n`);
    return EXIT.ok;
  }
  const taken: readonly OptionName[] = [...GLOBAL_OPTIONS, ...COMMANDS[command].options];
  const unknown = options.find((t) => !taken.includes(t.name as OptionName));
  if (unknown) return refuse(`flywheel ${command}: unknown option ${unknown.rawName}`, usageOf(command));
  const own = Object.fromEntries(taken.map((name) => [name, OPTION_TYPES[name]]));
  try {
    const parsed = parseArgs({ args: argv, options: own, allowPositionals: true, strict: true });
    const [, ...args] = parsed.positionals;
    return { command, args, values: parsed.values as unknown as CliValues };
  } catch (e) {
    return refuse(`flywheel ${command}: ${(e as Error).message}`, usageOf(command));
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${APP_VERSION}\n`);
    return EXIT.ok;
  }
  const parsed = parseCommandLine(argv);
  if (typeof parsed === 'number') return parsed;
  const { command, args, values } = parsed;
  const global: GlobalOptions = { json: values.json, ...(values.db ? { db: values.db } : {}) };
  try {
    switch (command) {
      case 'init':
        return await (await import('./commands/projects')).initCommand(global);
      case 'projects':
        return await (await import('./commands/projects')).projectsCommand(global);
      case 'stats':
        return await (await import('./commands/projects')).statsCommand(global, args[0]);
      case 'import':
        return await (await import('./commands/import')).importCommand(global, args, values);
      case 'demo':
        return await (await import('./commands/demo')).demoCommand(global, values);
      case 'label':
        return await (await import('./commands/label')).labelCommand(global, args, values);
      case 'label-schema':
        return await (await import('./commands/label-schema')).labelSchemaCommand(global, args);
      case 'mine':
        return await (await import('./commands/mine')).mineCommand(global, args, values);
      case 'mine-file':
        return await (await import('./commands/mine-file')).mineFileCommand(global, args, values);
      case 'queue':
        return await (await import('./commands/queue')).queueCommand(global, args, values);
      case 'agreement':
        return await (await import('./commands/agreement')).agreementCommand(global, args, values);
      case 'export':
        return await (await import('./commands/export')).exportCommand(global, args, values);
      case 'exports':
        return await (await import('./commands/export')).exportsCommand(global, args);
      case 'eval':
        return await (await import('./commands/insights')).evalCommand(global, args, values);
      case 'drift':
        return await (await import('./commands/insights')).driftCommand(global, args, values);
      case 'eval-set':
        return await (await import('./commands/eval-sets')).evalSetCommand(global, args, values);
      case 'slices':
        return await (await import('./commands/slices')).slicesCommand(global, args, values);
      case 'model-run':
        return await (await import('./commands/eval-sets')).modelRunCommand(global, args, values);
      case 'predictions':
        return await (await import('./commands/predictions')).predictionsCommand(global, args, values);
      case 'model':
        return await (await import('./commands/models')).modelCommand(global, args, values);
      case 'models':
        return await (await import('./commands/models')).modelsCommand(global, args);
      case 'rescore':
        return await (await import('./commands/models')).rescoreCommand(global, args, values);
      case 'learn':
        return await (await import('./commands/learn')).learnCommand(global, args, values);
      case 'serve':
        return await (await import('./commands/serve')).serveCommand(global, values);
    }
  } catch (e) {
    if (e instanceof UsageError) return refuse(`flywheel: ${e.message}`, usageOf(command));
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
