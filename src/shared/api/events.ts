import { z } from 'zod';
import { JobProgressSchema, JobStatusSchema } from '../features/app/contract';

/** Server-to-client pushes. */
export const EventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job.progress'), progress: JobProgressSchema }),
  z.object({ type: z.literal('job.finished'), job: JobStatusSchema }),
  z.object({ type: z.literal('data.changed'), projectId: z.number().int().nullable() }),
]);
export type AppEvent = z.infer<typeof EventSchema>;
