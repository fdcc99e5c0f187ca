import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/helpers/import-fixtures';
import { MIGRATIONS, migrate } from './migrate';

const dir = makeTempDir('learner-migration');
afterAll(() => removeDir(dir));

describe('migration 9 (the control learner)', () => {
  it('keeps the weights of a database migrated before it, as the learner role, with their label count', () => {
    const db = new Database(path.join(dir, 'w.db'));
    try {
      migrate(
        db,
        MIGRATIONS.filter((m) => m.id <= 8),
      );
      db.exec(`
        INSERT INTO projects (id, name, task_type, input_kind, classes, created_at) VALUES (1, 'p', 'binary', 'text', '["a","b"]', 0);
        INSERT INTO label_schema_versions (id, project_id, version, labels, created_at) VALUES (1, 1, 1, '[]', 0);
        INSERT INTO learner_refreshes (id, project_id, representation, schema_version_id, labels, class_counts, training_hash,
          last_event_id, cold_start, fit, timings, created_at) VALUES (5, 1, 'text', 1, 42, '[20,22]', 'h', 0, 0, '{}', '{}', 0);
        INSERT INTO learner_weights (refresh_id, dim, outputs, weights, meta) VALUES (5, 3, 1, x'00', '{}');
      `);
      expect(migrate(db)).toEqual([9]);
      expect(db.prepare('SELECT refresh_id, role, labels, dim, outputs FROM learner_weights').all()).toEqual([
        { refresh_id: 5, role: 'learner', labels: 42, dim: 3, outputs: 1 },
      ]);
      const columns = db.prepare('PRAGMA table_info(learner_prequential)').all() as { name: string }[];
      expect(columns.map((c) => c.name)).toEqual(expect.arrayContaining(['random_correct', 'random_labels_at']));
    } finally {
      db.close();
    }
  });
});
