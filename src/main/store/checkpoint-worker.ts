// Checkpoints the WAL from its own thread and connection, so label commits on the main thread
// never pay for copying pages into the database file (SQLite's auto-checkpoint runs inside the
// commit that crosses the threshold: a multi-millisecond stall every few hundred labels).
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

interface CheckpointWorkerData {
  dbPath: string;
  nativeBinding?: string;
  intervalMs: number;
}

/**
 * Past this many WAL frames (~16 MB), a RESTART checkpoint follows the passive one. PASSIVE cannot
 * copy frames newer than the oldest reader's snapshot, and the WAL only starts over once it is
 * fully copied with no reader inside it: with an export reading back to back while annotators
 * commit, that moment never comes by itself and the WAL grows without bound. RESTART waits (up to
 * the busy timeout, holding writers back that long) for the current readers to finish; readers
 * that start after the copy read the database file, so the next commit starts the WAL over.
 */
const RESTART_FRAMES = 4000;
/** A RESTART holds new writers back while it waits: briefly, and not often. */
const RESTART_WAIT_MS = 20;
const RESTART_EVERY_MS = 1000;
let lastRestart = 0;

const { dbPath, nativeBinding, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(dbPath, nativeBinding ? { nativeBinding } : {});
db.pragma(`busy_timeout = ${RESTART_WAIT_MS}`);
db.pragma('synchronous = FULL'); // the checkpoint fsyncs the database file before the WAL is reused

const timer = setInterval(() => {
  try {
    // PASSIVE never waits for or blocks writers and readers; it copies what it can.
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    const now = Date.now();
    if (passive && passive.log > RESTART_FRAMES && now - lastRestart >= RESTART_EVERY_MS) {
      lastRestart = now;
      db.pragma('wal_checkpoint(RESTART)');
    }
  } catch {
    // Busy or locked: the next tick tries again; the main connection's fallback threshold caps the WAL.
  }
}, intervalMs);

parentPort!.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
