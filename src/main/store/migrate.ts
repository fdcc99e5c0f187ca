import type Database from 'better-sqlite3';
import { MIGRATION_MODULES } from './migrations';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Numbered migrations shipped with this build, in order. */
export const MIGRATIONS: Migration[] = [...MIGRATION_MODULES].sort((a, b) => a.id - b.id);

export class UnknownMigrationError extends Error {}

/** Applies pending migrations in order; refuses a database migrated by a newer build. */
export function migrate(db: Database.Database, migrations: Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = db.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all() as {
    id: number;
    name: string;
  }[];
  const known = new Map(migrations.map((m) => [m.id, m]));
  for (const row of applied) {
    const mine = known.get(row.id);
    if (!mine || mine.name !== row.name) {
      throw new UnknownMigrationError(
        `the database has migration ${row.id} (${row.name}) that this version of Flywheel does not know: ` +
          'it was written by a newer version; upgrade Flywheel to open it',
      );
    }
  }
  const done = new Set(applied.map((r) => r.id));
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  const ran: number[] = [];
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id, m.name, Date.now());
    })();
    ran.push(m.id);
  }
  return ran;
}
