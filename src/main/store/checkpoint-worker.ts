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

const { dbPath, nativeBinding, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(dbPath, nativeBinding ? { nativeBinding } : {});
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = FULL'); // the checkpoint fsyncs the database file before the WAL is reused

const timer = setInterval(() => {
  try {
    // PASSIVE never waits for or blocks writers and readers; it copies what it can.
    db.pragma('wal_checkpoint(PASSIVE)');
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
