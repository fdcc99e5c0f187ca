import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectRefSchema } from '../projects/contract';

export const ExportFormatSchema = z.enum(['jsonl', 'csv', 'parquet', 'hf']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;

export const SplitPolicySchema = z.discriminatedUnion('kind', [
  /** Everything in one split (train). */
  z.object({ kind: z.literal('none') }),
  /** train < first cut-off ≤ validation < second cut-off ≤ test (epoch ms). */
  z.object({ kind: z.literal('time-cutoffs'), cutoffs: z.tuple([z.number().int(), z.number().int()]) }),
  /** The oldest share goes to train, the next to validation, the newest to test. */
  z.object({
    kind: z.literal('time-fractions'),
    fractions: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]),
  }),
  /** Only when asked: a seeded hash of the id (or group) decides. */
  z.object({
    kind: z.literal('random'),
    fractions: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]),
    seed: z.number().int(),
  }),
]);
export type SplitPolicy = z.infer<typeof SplitPolicySchema>;

/** A plain folder or file name: no separators, no leading dot, nothing that could climb out. */
export const ExportNameSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, dots, dashes and underscores (no slashes)');

export const ExportOptionsSchema = z
  .object({
    project: ProjectRefSchema,
    name: ExportNameSchema,
    /** The folder exports go to (default: the workbench data folder's exports/); the export never leaves it. */
    dir: z.string().min(1).max(4096).optional(),
    format: ExportFormatSchema.default('jsonl'),
    /** Default: the current version. */
    schemaVersion: z.number().int().positive().optional(),
    /** Count only these annotators' decisions (adjudications always count). */
    annotators: z.array(z.string().min(1).max(100)).min(1).optional(),
    /** any: agreed or adjudicated; consensus: two or more annotators agreed, or adjudicated; adjudicated only. */
    agreement: z.enum(['any', 'consensus', 'adjudicated']).default('any'),
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    /** human: labeled examples only; human+model: every example, the model's label where no human's. */
    labelSource: z.enum(['human', 'human+model']).default('human'),
    /** The model run whose predictions fill in unlabeled examples (default: the newest). */
    modelRun: z.union([z.number().int().positive(), z.string().min(1).max(300)]).optional(),
    /**
     * Model runs whose scores go in the rows: per run, its predicted label and a score per class
     * (empty where the run did not score an example; the manifest counts those). `name@version`,
     * a version or a run id each.
     */
    withScores: z
      .array(z.union([z.number().int().positive(), z.string().min(1).max(401)]))
      .min(1)
      .max(20)
      .optional(),
    split: SplitPolicySchema.optional(),
    /** A metadata key whose value never spans two splits (e.g. user_id). */
    groupBy: z.string().min(1).max(200).optional(),
    force: z.boolean().default(false),
  })
  .strict();
export type ExportOptions = z.output<typeof ExportOptionsSchema>;

export const ExportFileSchema = z.object({
  path: z.string(),
  split: z.string().nullable(),
  rows: z.number().int(),
  bytes: z.number().int(),
  sha256: z.string(),
});

export const ExportRecordSchema = z.object({
  id: z.number().int(),
  projectId: z.number().int(),
  name: z.string(),
  path: z.string(),
  format: ExportFormatSchema,
  schemaVersion: z.number().int().nullable(),
  rows: z.number().int(),
  contentHash: z.string(),
  files: z.array(ExportFileSchema),
  options: z.unknown(),
  /** The manifest.json the export wrote: options, split, counts per split and label, files, sources. */
  manifest: z.record(z.string(), z.unknown()),
  createdAt: z.number(),
});
export type ExportRecord = z.infer<typeof ExportRecordSchema>;

export const exportContract = {
  'export.start': method({
    input: ExportOptionsSchema,
    output: z.object({ jobId: z.string() }),
    summary:
      'Build a dataset export (a job): splits, files per split, manifest; atomic, never overwrites without force',
  }),
  'export.preview': method({
    input: ExportOptionsSchema.omit({ name: true, dir: true, force: true, format: true, withScores: true }),
    output: z.object({
      rows: z.number().int(),
      split: SplitPolicySchema,
      counts: z.record(
        z.string(),
        z.object({ rows: z.number().int(), labels: z.record(z.string(), z.number().int()) }),
      ),
      labelSources: z.object({ human: z.number().int(), model: z.number().int() }),
    }),
    summary: 'How many rows an export with these options would hold, per split and label; writes nothing',
  }),
  'export.again': method({
    input: z.object({ exportId: z.number().int().positive(), force: z.boolean().default(false) }).strict(),
    output: z.object({ jobId: z.string() }),
    summary: 'Rebuild a recorded export with its recorded options',
  }),
  'export.openFolder': method({
    input: z.object({ exportId: z.number().int().positive() }).strict(),
    output: z.object({ path: z.string() }),
    summary: "Show a recorded export's folder in the desktop's file manager (exports folder only)",
  }),
  'export.list': method({
    input: ProjectRefSchema,
    output: z.array(ExportRecordSchema),
    summary: 'Exports of a project, newest first',
  }),
};
