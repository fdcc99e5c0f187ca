import { Worker } from 'node:worker_threads';
import { builtEntry } from '../core/entry-points';
import type { Db } from './database';

/** While the background checkpointer runs, the main connection checkpoints only past this (~32 MB). */
const FALLBACK_AUTOCHECKPOINT_PAGES = 8000;
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Starts a worker thread that checkpoints the WAL every `intervalMs` on its own connection (app
 * and server runtimes: long-lived, labeling interactively). The main connection keeps a high
 * auto-checkpoint threshold as a safety net, and gets the default back when the worker stops.
 */
export function startCheckpointer(db: Db, dbPath: string, nativeBinding?: string, intervalMs = 200): Checkpointer {
  const worker = new Worker(builtEntry('checkpoint-worker'), {
    workerData: { dbPath, intervalMs, ...(nativeBinding ? { nativeBinding } : {}) },
    execArgv: [], // built code: no TypeScript loader from a test or bench process, which slows the start
    resourceLimits: { maxOldGenerationSizeMb: 32 },
  });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const restore = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  worker.once('error', restore);
  return {
    async stop() {
      worker.ref(); // keep the process alive until the worker has closed its connection
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
      await worker.terminate();
      restore();
    },
  };
}
