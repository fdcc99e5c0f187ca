import Database, { type Statement } from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from './migrate';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** 'bulk' connections (imports) commit with synchronous=NORMAL: their batches are resumable. */
  role?: 'primary' | 'bulk';
  /** Path of a better-sqlite3 binary built for another runtime (Electron). */
  nativeBinding?: string;
  /** Run quick_check before use (long-lived app and server processes; seconds on a large file). */
  quickCheck?: boolean;
}

const BUSY_TIMEOUT_MS = 10_000;
/** The WAL file is cut back to this size whenever it starts over. */
export const WAL_SIZE_LIMIT = 64 * 2 ** 20;

/** Pragmas every connection must have; read back after setting so a changed default cannot slip by. */
function pinnedPragmas(role: 'primary' | 'bulk'): [string, string | number][] {
  return [
    ['journal_mode', 'wal'],
    ['synchronous', role === 'primary' ? 2 : 1], // FULL: label commits survive power loss
    ['foreign_keys', 1],
    ['trusted_schema', 0],
    ['busy_timeout', BUSY_TIMEOUT_MS],
  ];
}

export class DatabaseSetupError extends Error {}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const role = options.role ?? 'primary';
  if (!options.readonly) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    setUp(db, file, role, options);
    return db;
  } catch (error) {
    db.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
      throw new DatabaseSetupError(
        `${file} is damaged (${(error as Error).message}): refusing to open it; restore a backup`,
      );
    throw error;
  }
}

function setUp(db: Db, file: string, role: 'primary' | 'bulk', options: OpenOptions): void {
  for (const [name, value] of pinnedPragmas(role)) {
    if (!(options.readonly && name === 'journal_mode')) db.pragma(`${name} = ${value}`);
    const actual = db.pragma(name, { simple: true });
    const ok = typeof value === 'string' ? String(actual).toLowerCase() === value : Number(actual) === value;
    if (!ok) {
      throw new DatabaseSetupError(
        `${file}: PRAGMA ${name} reads back as ${String(actual)}, expected ${value}; refusing to open`,
      );
    }
  }
  // After a checkpoint lets the WAL start over, its file is cut back to this size.
  if (!options.readonly) db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  if (process.platform === 'darwin') {
    db.pragma('fullfsync = 1');
    db.pragma('checkpoint_fullfsync = 1');
  }
  if (options.quickCheck) {
    const problems = quickCheckProblems(db);
    if (problems.length > 0) {
      const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; ${problems.length - 3} more` : '');
      throw new DatabaseSetupError(`${file} is damaged (quick_check: ${shown}): refusing to open it; restore a backup`);
    }
  }
  if (!options.readonly && role === 'primary') {
    migrate(db);
  }
}

/** What quick_check found wrong (up to 20 lines), or nothing when it says ok. */
function quickCheckProblems(db: Db): string[] {
  const lines: string[] = [];
  try {
    for (const row of db.prepare('PRAGMA quick_check(20)').raw().iterate() as Iterable<unknown[]>)
      lines.push(...String(row[0]).split('\n'));
  } catch (error) {
    // SQLite may give up part-way through a damaged file: what it found so far, then why it stopped.
    lines.push((error as Error).message);
  }
  return lines.map((l) => l.trim()).filter((l) => l && l !== 'ok' && !/^\*\*\* in database .* \*\*\*$/.test(l));
}

/** Clean shutdown leaves a self-contained .db file (no -wal to lose when copying it). */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    if (!db.readonly) db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

const statements = new WeakMap<Db, Map<string, Statement>>();

/** A statement prepared once per connection: preparing costs more than running a point query. */
export function prepared(db: Db, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
