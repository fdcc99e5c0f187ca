import { COMMANDS, type CommandName } from './command-specs';

const GLOBAL_HELP = `  --db PATH                 database file (default: $FLYWHEEL_HOME/workbench.db or the user data folder)
  --json                    machine-readable output on stdout
  --help                    this text (after a command: that command's usage)
  --version                 print the version (as the only argument: flywheel --version)`;

const specs = Object.entries(COMMANDS) as [CommandName, (typeof COMMANDS)[CommandName]][];

const optionSections = specs
  .filter(([, spec]) => 'optionsHelp' in spec)
  .map(([name, spec]) => `${name} options\n${(spec as { optionsHelp: string }).optionsHelp}`);

export const HELP = `flywheel — Flywheel Workbench from the command line

Usage: flywheel <command> [options]

Commands
${specs.map(([, spec]) => spec.usage).join('\n')}
  help                      this text

Global options (every command)
${GLOBAL_HELP}

${optionSections.join('\n\n')}

Exit codes
  0 ok · 1 failure · 2 usage · 3 bad file, mapping or rows · 4 not found · 5 conflict ·
  6 quality gate failed · 7 insufficient evidence for the gate · 130 cancelled

Examples
  flywheel import logs/2026-11-20.jsonl --project sentiment --dry-run
  flywheel import logs/2026-11-20.jsonl --project sentiment --yes --save-mapping prod-log
  flywheel import logs/2026-11-21.csv.gz --project sentiment --mapping prod-log --strict
  flywheel stats sentiment --json
  flywheel label-schema sentiment set labels-v2.json && flywheel label-schema sentiment diff 1 2
  flywheel mine sentiment --strategy disagreement --limit 200 --second-share 0.2 --dry-run
  flywheel mine sentiment --strategy disagreement --limit 200 --second-share 0.2
  flywheel queue sentiment next --annotator ana --json
  flywheel label sentiment s-0000042 positive --annotator ana
  flywheel agreement sentiment --conflicts
  flywheel serve --port 4780
`;

/** One command's lines of the help: its usage, its options, the global options. */
export function usageOf(command: CommandName): string {
  const spec: { usage: string; optionsHelp?: string } = COMMANDS[command];
  return [
    `Usage:\n${spec.usage}`,
    ...(spec.optionsHelp ? [`${command} options\n${spec.optionsHelp}`] : []),
    `Global options\n${GLOBAL_HELP}`,
  ].join('\n');
}
