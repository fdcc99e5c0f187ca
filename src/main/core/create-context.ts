import os from 'node:os';
import path from 'node:path';
import type { AppEvent } from '../../shared/api/events';
import { startCheckpointer } from '../store/checkpointer';
import { Store } from '../store/store';
import type { Context } from './context';
import { JobRunner } from './jobs';

/** Where the workbench keeps its database, models, rejects and token. */
export function defaultDataDir(): string {
  if (process.env['FLYWHEEL_HOME']) return path.resolve(process.env['FLYWHEEL_HOME']);
  if (process.platform === 'win32') return path.join(process.env['APPDATA'] ?? os.homedir(), 'Flywheel Workbench');
  if (process.platform === 'darwin')
    return path.join(os.homedir(), 'Library', 'Application Support', 'Flywheel Workbench');
  return path.join(process.env['XDG_DATA_HOME'] ?? path.join(os.homedir(), '.local', 'share'), 'flywheel-workbench');
}

export function defaultDbPath(dataDir = defaultDataDir()): string {
  return path.join(dataDir, 'workbench.db');
}

export interface ContextOptions {
  dbPath: string;
  dataDir?: string;
  runtime: Context['runtime'];
  quickCheck?: boolean;
  nativeBinding?: string;
  /**
   * Checkpoint the WAL from a worker thread instead of inside commits (default: on for the app
   * and the server, where annotators label interactively; off for short CLI runs).
   */
  backgroundCheckpoint?: boolean;
}

export type Listener = (event: AppEvent) => void;

/** Builds a runtime's context; `listeners` receive every pushed event (IPC, SSE, CLI progress). */
export function createContext(
  options: ContextOptions,
): Context & { listeners: Set<Listener>; dispose(): Promise<void> } {
  const listeners = new Set<Listener>();
  const emit = (event: AppEvent) => {
    for (const l of listeners) l(event);
  };
  const store = Store.open(options.dbPath, {
    ...(options.quickCheck ? { quickCheck: true } : {}),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  const jobs = new JobRunner(emit);
  const checkpointer =
    (options.backgroundCheckpoint ?? options.runtime !== 'cli')
      ? startCheckpointer(store.db, options.dbPath, options.nativeBinding)
      : null;
  return {
    store,
    jobs,
    runtime: options.runtime,
    dataDir: options.dataDir ?? path.dirname(path.resolve(options.dbPath)),
    emit,
    listeners,
    async dispose() {
      await jobs.cancelAll();
      await checkpointer?.stop();
      store.close();
    },
  };
}
