import { z } from 'zod';
import { method } from '../../api/method';
import { ApiErrorSchema } from '../../api/errors';

export const AppInfoSchema = z.object({
  name: z.literal('Flywheel Workbench'),
  version: z.string(),
  databasePath: z.string(),
  runtime: z.enum(['electron', 'server', 'cli']),
  schemaVersion: z.number().int(),
});

export const JobKindSchema = z.enum(['import', 'export', 'rescore', 'predictions', 'mine-file', 'learn', 'embed']);

export const JobProgressSchema = z.object({
  jobId: z.string(),
  kind: JobKindSchema,
  phase: z.string(),
  rowsDone: z.number().int().nonnegative(),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative().nullable(),
  rowsPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string().optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const JobStatusSchema = z.object({
  jobId: z.string(),
  kind: JobKindSchema,
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  progress: JobProgressSchema.nullable(),
  result: z.unknown().optional(),
  error: ApiErrorSchema.optional(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const FilePurposeSchema = z.enum(['log', 'model', 'model-folder', 'model-card']);
export type FilePurpose = z.infer<typeof FilePurposeSchema>;

const JobRef = z.object({ jobId: z.string().min(1).max(100) });

export const appContract = {
  'app.info': method({
    input: z.object({}).strict(),
    output: AppInfoSchema,
    summary: 'Version and database of this workbench',
  }),
  'app.pickFile': method({
    input: z.object({ purpose: FilePurposeSchema }).strict(),
    output: z.object({ path: z.string().nullable() }),
    summary: "The desktop app's open dialog (null when cancelled); browser mode uploads instead",
  }),
  'jobs.list': method({
    input: z.object({}).strict(),
    output: z.array(JobStatusSchema),
    summary: 'Long jobs of this process',
  }),
  'jobs.get': method({ input: JobRef.strict(), output: JobStatusSchema, summary: 'State and progress of one job' }),
  'jobs.cancel': method({ input: JobRef.strict(), output: JobStatusSchema, summary: 'Ask a running job to stop' }),
};
