import os from 'node:os';
import path from 'node:path';
import type { AppEvent } from '../../shared/api/events';
import { startCheckpointer, type Checkpointer } from '../store/checkpointer';
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

/** What each runtime checks and runs by default, as README promises for it. */
export interface RuntimeChecks {
  /** Run quick_check at open: a damaged database is refused before anyone labels into it. */
  quickCheck: boolean;
  /** Checkpoint the WAL from a worker thread instead of inside commits. */
  backgroundCheckpoint: boolean;
}

/**
 * The app and the server are long-lived and labeled in interactively: both are checked at open and
 * checkpoint in the background. A CLI command is short: it pays for neither.
 */
export const RUNTIME_CHECKS: Record<Context['runtime'], RuntimeChecks> = {
  electron: { quickCheck: true, backgroundCheckpoint: true },
  server: { quickCheck: true, backgroundCheckpoint: true },
  cli: { quickCheck: false, backgroundCheckpoint: false },
};

export interface ContextOptions extends Partial<RuntimeChecks> {
  dbPath: string;
  dataDir?: string;
  runtime: Context['runtime'];
  nativeBinding?: string;
}

export type Listener = (event: AppEvent) => void;

/** Builds a runtime's context; `listeners` receive every pushed event (IPC, SSE, CLI progress). */
export function createContext(
  options: ContextOptions,
): Context & { listeners: Set<Listener>; checks: RuntimeChecks; dispose(): Promise<void> } {
  const listeners = new Set<Listener>();
  const emit = (event: AppEvent) => {
    for (const l of listeners) l(event);
  };
  const checks: RuntimeChecks = {
    quickCheck: options.quickCheck ?? RUNTIME_CHECKS[options.runtime].quickCheck,
    backgroundCheckpoint: options.backgroundCheckpoint ?? RUNTIME_CHECKS[options.runtime].backgroundCheckpoint,
  };
  const store = Store.open(options.dbPath, {
    ...(checks.quickCheck ? { quickCheck: true } : {}),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  const jobs = new JobRunner(emit);
  let checkpointer: Checkpointer | null = null;
  try {
    if (checks.backgroundCheckpoint) checkpointer = startCheckpointer(store.db, options.dbPath, options.nativeBinding);
  } catch (e) {
    store.close();
    throw e;
  }
  return {
    store,
    jobs,
    runtime: options.runtime,
    checks,
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
