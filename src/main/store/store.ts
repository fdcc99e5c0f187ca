import os from 'node:os';
import { BrowseQueries } from './browse';
import { closeDatabase, openDatabase, type Db, type OpenOptions } from './database';
import { ImportRunQueries } from './import-runs';
import { LabelEventQueries } from './label-events';
import { LabelSchemaQueries } from './label-schemas';
import { EmbeddingQueries } from './embeddings';
import { LearnQueries } from './learn';
import { ExampleQueries } from './examples';
import { TrainingExampleQueries } from './training-examples';
import { EvalSetQueries } from './eval-sets';
import { ExportQueries } from './exports';
import { InsightQueries } from './insights';
import { MiningQueries } from './mining';
import { ModelQueries } from './models';
import { PredictionColumnQueries } from './prediction-columns';
import { ProjectQueries } from './projects';
import { QueueQueries } from './queue';
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
  readonly predictionColumns: PredictionColumnQueries;
  readonly mining: MiningQueries;
  readonly queue: QueueQueries;
  readonly examples: ExampleQueries;
  readonly exports: ExportQueries;
  readonly insights: InsightQueries;
  readonly models: ModelQueries;
  readonly browse: BrowseQueries;
  readonly evalSets: EvalSetQueries;
  readonly embeddings: EmbeddingQueries;
  readonly trainingExamples: TrainingExampleQueries;
  readonly learn: LearnQueries;

  private constructor(
    readonly db: Db,
    readonly path: string,
    private readonly openOptions: OpenOptions,
  ) {
    this.projects = new ProjectQueries(db);
    this.importRuns = new ImportRunQueries(db);
    this.labelSchemas = new LabelSchemaQueries(db);
    this.labelEvents = new LabelEventQueries(db);
    this.predictionColumns = new PredictionColumnQueries(db);
    this.mining = new MiningQueries(db);
    this.queue = new QueueQueries(db);
    this.examples = new ExampleQueries(db);
    this.exports = new ExportQueries(db);
    this.insights = new InsightQueries(db);
    this.models = new ModelQueries(db);
    this.browse = new BrowseQueries(db);
    this.evalSets = new EvalSetQueries(db);
    this.embeddings = new EmbeddingQueries(db);
    this.trainingExamples = new TrainingExampleQueries(db);
    this.learn = new LearnQueries(db);
  }

  static open(path: string, options: OpenOptions = {}): Store {
    return new Store(openDatabase(path, options), path, options);
  }

  /** What a worker thread needs to open its own connection to this database. */
  get connectionInfo(): { dbPath: string; nativeBinding?: string } {
    return {
      dbPath: this.path,
      ...(this.openOptions.nativeBinding ? { nativeBinding: this.openOptions.nativeBinding } : {}),
    };
  }

  /** A second connection for bulk writes (imports), committing with synchronous=NORMAL. */
  openBulkConnection(): Db {
    return openDatabase(this.path, { ...this.openOptions, role: 'bulk', quickCheck: false });
  }

  /**
   * Runs a write whose loss on power failure is harmless (a queue lease: the item simply returns)
   * without its own fsync. WAL keeps commits in order, so the next FULL commit (a label) makes this
   * one durable too; a crash of the process alone loses nothing either way.
   */
  withoutFsync<T>(write: () => T): T {
    this.db.pragma('synchronous = NORMAL');
    try {
      return write();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  get schemaVersion(): number {
    return MIGRATIONS[MIGRATIONS.length - 1]!.id;
  }

  close(): void {
    closeDatabase(this.db);
  }
}

export const THIS_HOST = os.hostname();
