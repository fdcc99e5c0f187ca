import os from 'node:os';
import { closeDatabase, openDatabase, type Db, type OpenOptions } from './database';
import { ImportRunQueries } from './import-runs';
import { LabelEventQueries } from './label-events';
import { LabelSchemaQueries } from './label-schemas';
import { ProjectQueries } from './projects';
import { MIGRATIONS } from './migrate';

/**
 * The storage module: every SQL statement of the app lives under src/main/store, so a
 * PostgreSQL or DuckDB backend can replace this one module.
 */
export class Store {
  readonly projects: ProjectQueries;
  readonly importRuns: ImportRunQueries;
  readonly labelSchemas: LabelSchemaQueries;
  readonly labelEvents: LabelEventQueries;

  private constructor(
    readonly db: Db,
    readonly path: string,
    private readonly openOptions: OpenOptions,
  ) {
    this.projects = new ProjectQueries(db);
    this.importRuns = new ImportRunQueries(db);
    this.labelSchemas = new LabelSchemaQueries(db);
    this.labelEvents = new LabelEventQueries(db);
  }

  static open(path: string, options: OpenOptions = {}): Store {
    return new Store(openDatabase(path, options), path, options);
  }

  /** A second connection for bulk writes (imports), committing with synchronous=NORMAL. */
  openBulkConnection(): Db {
    return openDatabase(this.path, { ...this.openOptions, role: 'bulk', quickCheck: false });
  }

  get schemaVersion(): number {
    return MIGRATIONS[MIGRATIONS.length - 1]!.id;
  }

  close(): void {
    closeDatabase(this.db);
  }
}

export const THIS_HOST = os.hostname();
