import { z } from 'zod';
import { method } from '../../api/method';
import { ImportMappingSchema } from '../import/mapping';
import { MiningFiltersSchema } from '../mining/contract';
import { MiningStrategySchema, type MiningStrategyName } from '../mining/strategy';
import { ProjectRefSchema } from '../projects/contract';

/**
 * Strategies that read one model's scores and nothing stored: they run over raw log files. The
 * others need stored labels (confident-error) or two or more model runs (disagreement, vote-entropy).
 */
export const FILE_STRATEGIES: readonly MiningStrategyName[] = [
  'entropy',
  'least-confidence',
  'margin',
  'threshold',
  'random',
];

export const MineFileRequestSchema = z
  .object({
    project: ProjectRefSchema,
    /** A file or a glob (`logs/*.parquet`): JSONL, CSV or Parquet, gzipped JSONL and CSV too. */
    paths: z.string().min(1).max(4096),
    /** How the files' fields map; default: the project's saved mapping that fits the files. */
    mapping: ImportMappingSchema.optional(),
    /** A saved mapping of the project, by name. */
    mappingName: z.string().min(1).max(100).optional(),
    strategy: MiningStrategySchema,
    filters: MiningFiltersSchema.default({}),
    limit: z.number().int().min(1).max(100_000).default(500),
    perClassQuota: z.number().int().min(1).optional(),
    excludeLabeled: z.boolean().default(true),
    dedupe: z.boolean().optional(),
    minJaccard: z.number().gt(0).max(1).default(0.6),
    minCosine: z.number().gt(0).max(1).default(0.995),
    secondLabelShare: z.number().min(0).max(1).default(0),
    controlShare: z.number().min(0).max(1).default(0.1),
    seed: z.number().int().default(1),
    listItems: z.boolean().default(false),
    /** Count and rank, import and queue nothing. */
    dryRun: z.boolean().default(false),
    /** DuckDB's threads (default: the cores less one) and memory cap in MB (beyond it, it spills to disk). */
    threads: z.number().int().min(1).max(64).optional(),
    memoryLimitMb: z
      .number()
      .int()
      .min(64)
      .max(1 << 20)
      .default(512),
    bins: z.number().int().min(2).max(100).default(20),
  })
  .strict();
export type MineFileRequest = z.output<typeof MineFileRequestSchema>;

const MinedFileItemSchema = z.object({
  externalId: z.string(),
  priority: z.number(),
  reason: z.string(),
  labelsWanted: z.number().int(),
  control: z.boolean(),
  snippet: z.string().nullable(),
});

export const MineFileResultSchema = z.object({
  dryRun: z.boolean(),
  strategy: z.string(),
  files: z.array(z.string()),
  /** The mapping used: 'given', or the saved mapping's name. */
  mapping: z.string(),
  /** Rows read from the files. */
  scanned: z.number().int(),
  /** Rows refused as the import refuses them (listed in rejectsPath). */
  rejected: z.number().int(),
  rejectsPath: z.string().nullable(),
  /** Rows whose example id came earlier in the files: the first one counts, as an import keeps it. */
  repeatedIds: z.number().int(),
  eligible: z.number().int(),
  selected: z.number().int(),
  controlSample: z.number().int(),
  doublyLabeled: z.number().int(),
  suppressedDuplicates: z.number().int(),
  suppressedByQuota: z.number().int(),
  /** Selected rows whose example id the project already holds: not imported again. */
  alreadyPresent: z.number().int(),
  imported: z.number().int(),
  importRunId: z.number().int().nullable(),
  miningRunId: z.number().int().nullable(),
  added: z.number().int(),
  updated: z.number().int(),
  alreadyQueued: z.number().int(),
  cutoff: z.number().nullable(),
  histogram: z.object({
    min: z.number(),
    max: z.number(),
    all: z.array(z.number().int()),
    selected: z.array(z.number().int()),
  }),
  /** Milliseconds of each step; the peak memory of the scan process (DuckDB included), in MB. */
  timings: z.object({
    scanMs: z.number(),
    selectMs: z.number(),
    importMs: z.number(),
    queueMs: z.number(),
    scanPeakRssMb: z.number(),
  }),
  top: z.array(MinedFileItemSchema),
  items: z.array(MinedFileItemSchema).optional(),
});
export type MineFileResult = z.infer<typeof MineFileResultSchema>;

export const mineFileContract = {
  'mineFile.start': method({
    input: MineFileRequestSchema,
    output: z.object({ jobId: z.string() }),
    summary:
      'Mine log files in place with DuckDB (no import), then import and queue only the selected rows; returns a job',
  }),
};
