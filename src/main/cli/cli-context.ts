import path from 'node:path';
import { createContext, defaultDataDir, defaultDbPath } from '../core/create-context';

export interface GlobalOptions {
  db?: string;
  json: boolean;
}

export function openCliContext(opts: GlobalOptions) {
  const dataDir = opts.db ? path.dirname(path.resolve(opts.db)) : defaultDataDir();
  return createContext({ dbPath: opts.db ? path.resolve(opts.db) : defaultDbPath(dataDir), dataDir, runtime: 'cli' });
}

export class UsageError extends Error {}

export function print(opts: GlobalOptions, json: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}
