import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectNameSchema } from '../projects/contract';
import { FileFormatSchema, ImportMappingSchema } from './mapping';

const FilePath = z.string().min(1).max(4096);

export const CompressionSchema = z.enum(['none', 'gzip']);

export const RowRejectSchema = z.object({
  /** 1-based data row (record) number in the file, header excluded. */
  row: z.number().int(),
  /** 1-based physical line number where known (JSONL, CSV without quoted newlines). */
  line: z.number().int().nullable(),
  field: z.string(),
  reason: z.string(),
});
export type RowReject = z.infer<typeof RowRejectSchema>;

export const ImportPreviewSchema = z.object({
  path: z.string(),
  format: FileFormatSchema,
  compression: CompressionSchema,
  sizeBytes: z.number(),
  fields: z.array(z.string()),
  sample: z.array(z.record(z.string(), z.unknown())),
  mapping: ImportMappingSchema.nullable(),
  notes: z.array(z.string()),
  /** Fields of the sample a guessed mapping leaves out (a mapping names at most 1,000 metadata fields). */
  fieldsDropped: z.number().int(),
  sampleRejects: z.array(RowRejectSchema),
  /** How many rows of the file's start were checked against the mapping (`sample` shows the first of them). */
  rowsChecked: z.number().int(),
  /** Why an import with this mapping into this project would be refused before its first row; null when it would start. */
  mappingProblem: z.string().nullable(),
  /** The logged predicted labels contradict the mapping's class order (in words, with an order to try); null when they do not. */
  classOrderWarning: z.string().nullable(),
  savedMapping: z.string().nullable(),
});
export type ImportPreview = z.infer<typeof ImportPreviewSchema>;

export const ImportRunSchema = z.object({
  id: z.number().int(),
  projectId: z.number().int(),
  sourcePath: z.string(),
  format: FileFormatSchema,
  compression: CompressionSchema,
  status: z.enum(['running', 'interrupted', 'done', 'failed', 'cancelled']),
  strict: z.boolean(),
  recordsRead: z.number().int(),
  rowsImported: z.number().int(),
  rowsRejected: z.number().int(),
  rowsPresent: z.number().int(),
  examplesAdded: z.number().int(),
  rejectsPath: z.string().nullable(),
  firstRejects: z.array(RowRejectSchema),
  error: z.string().nullable(),
  sha256: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  /** True when this call found the same file already imported and added nothing. */
  alreadyImported: z.boolean(),
  resumedFromRecord: z.number().int(),
});
export type ImportRun = z.infer<typeof ImportRunSchema>;

export const ImportTargetSchema = z.union([
  z.object({ projectId: z.number().int().positive() }),
  z.object({ project: ProjectNameSchema }),
]);

export const ImportStartInputSchema = z
  .object({
    path: FilePath,
    mapping: ImportMappingSchema,
    /** Import nothing if any row is bad. */
    strict: z.boolean().default(false),
    saveMappingAs: z.string().min(1).max(100).optional(),
    rejectsPath: FilePath.optional(),
    /** Caps that keep memory bounded whatever the file holds. */
    maxLineBytes: z
      .number()
      .int()
      .min(1024)
      .max(1 << 30)
      .default(16 << 20),
    maxDecompressedBytes: z
      .number()
      .int()
      .min(1 << 20)
      .max(Number.MAX_SAFE_INTEGER)
      .default(64 * 2 ** 30),
    /**
     * Gzip data expanding more than this many times is refused as a bomb (judged past the first
     * 64 MiB of output). Logs compress 5–20:1; 200 leaves room for very repetitive ones.
     */
    maxGzipRatio: z.number().int().min(10).max(2000).default(200),
    batchRows: z.number().int().min(1).max(100_000).default(8192),
    /** A batch is written sooner once its rows take about this much memory (long documents). */
    batchBytes: z
      .number()
      .int()
      .min(1 << 16)
      .max(1 << 30)
      .default(16 << 20),
  })
  .and(ImportTargetSchema);
export type ImportStartInput = z.input<typeof ImportStartInputSchema>;

export const importContract = {
  'import.preview': method({
    input: z
      .object({
        path: FilePath,
        format: FileFormatSchema.optional(),
        sampleRows: z.number().int().min(1).max(1000).default(50),
        projectId: z.number().int().positive().optional(),
        project: z.string().min(1).max(100).optional(),
        /** Check the sample against this (edited) mapping instead of guessing one. */
        mapping: ImportMappingSchema.optional(),
      })
      .strict(),
    output: ImportPreviewSchema,
    summary: 'Sniff a log file, guess its mapping and check a sample',
  }),
  'import.start': method({
    input: ImportStartInputSchema,
    output: z.object({ jobId: z.string(), importRunId: z.number().int().nullable() }),
    summary: 'Start (or resume) importing a prediction log; returns a job',
  }),
  'import.runs': method({
    input: z.object({ projectId: z.number().int().positive() }).strict(),
    output: z.array(ImportRunSchema),
    summary: 'Import history of a project',
  }),
  'import.discard': method({
    input: z.object({ importRunId: z.number().int().positive() }).strict(),
    output: z.object({ examplesRemoved: z.number().int(), predictionsRemoved: z.number().int() }),
    summary: 'Remove the rows of an interrupted import',
  }),
  'import.mappings': method({
    input: z.object({ projectId: z.number().int().positive() }).strict(),
    output: z.array(z.object({ name: z.string(), mapping: ImportMappingSchema, createdAt: z.number() })),
    summary: 'Saved mappings of a project',
  }),
};
