import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectRefSchema } from '../projects/contract';

export const QueueStatusSchema = z.enum(['pending', 'leased', 'done', 'skipped']);

const AnnotatorName = z.string().trim().min(1).max(100);
/** One review window; a session that asks again gets the item it already holds. */
const SessionId = z.string().min(1).max(100);

const StatusCountsSchema = z.object({
  pending: z.number().int(),
  leased: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
});

/** The named parts an import's text template built the text from, in its order; null without a template. */
export const TextPartsSchema = z.array(z.object({ name: z.string(), text: z.string() })).nullable();

export const QueueItemSchema = z.object({
  id: z.number().int(),
  externalId: z.string(),
  miningRunId: z.number().int(),
  priority: z.number(),
  reason: z.string(),
  status: QueueStatusSchema,
  labelsWanted: z.number().int(),
  /** Queued by the random control sample of a mining run (or a random-strategy run): an unbiased label. */
  control: z.boolean(),
  lease: z.object({ annotator: z.string(), session: z.string().nullable(), expiresAt: z.number() }).nullable(),
  /** The start of the example's text (queue.list only; null for examples without text). */
  snippet: z.string().nullable().optional(),
});
export type QueueItem = z.infer<typeof QueueItemSchema>;

export const ReviewExampleSchema = z.object({
  externalId: z.string(),
  ts: z.number().nullable(),
  text: z.string().nullable(),
  /** The named parts the text was built from by the import's text template, in its order; null without one. */
  textParts: TextPartsSchema,
  features: z.array(z.object({ name: z.string(), value: z.number() })).nullable(),
  imagePath: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  predictions: z.array(
    z.object({
      modelRunId: z.number().int(),
      model: z.string(),
      /** Class names, as the model wrote them. */
      predicted: z.array(z.string()),
      /**
       * The same prediction as ids of the current label schema (renames and merges followed);
       * null when a predicted class has no single label now (split or removed).
       */
      labels: z.array(z.string()).nullable(),
      /** One per class (binary: P(classes[1]) alone). */
      scores: z.array(z.number()),
    }),
  ),
});

export const NextItemSchema = z.object({
  item: QueueItemSchema.nullable(),
  example: ReviewExampleSchema.nullable(),
  /** The schema version to label under; a newer one makes the save a conflict. */
  schemaVersion: z.number().int(),
  remaining: z.number().int(),
});

export const reviewContract = {
  'queue.next': method({
    input: z
      .object({
        project: ProjectRefSchema,
        annotator: AnnotatorName,
        session: SessionId.default('default'),
        /** How long the lease lasts without a save. */
        leaseSeconds: z.number().int().min(1).max(86_400).default(900),
      })
      .strict(),
    output: NextItemSchema,
    summary: 'Lease the highest-priority item nobody holds to an annotator; null when the queue is empty',
  }),
  'queue.lease': method({
    input: z
      .object({
        project: ProjectRefSchema,
        annotator: AnnotatorName,
        session: SessionId.default('default'),
        count: z.number().int().min(1).max(1000),
        leaseSeconds: z.number().int().min(1).max(86_400).default(3600),
      })
      .strict(),
    output: z.object({
      items: z.array(z.object({ item: QueueItemSchema, example: ReviewExampleSchema.nullable() })),
      schemaVersion: z.number().int(),
      remaining: z.number().int(),
    }),
    summary: 'Lease up to N items at once, best first (scripts and batch review)',
  }),
  'queue.item': method({
    input: z.object({ project: ProjectRefSchema, externalId: z.string().min(1).max(512) }).strict(),
    output: z.object({ item: QueueItemSchema.nullable(), example: ReviewExampleSchema }),
    summary: 'One example as the review screen shows it, with its queue item if it has one',
  }),
  'examples.image': method({
    input: z.object({ project: ProjectRefSchema, externalId: z.string().min(1).max(512) }).strict(),
    output: z.object({
      mimeType: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']),
      bytes: z.number().int(),
      /** A data: URL, so the image crosses IPC and HTTP like any answer and the page loads nothing else. */
      dataUrl: z.string(),
    }),
    summary: "An image example's picture, read from its local path after checks (a real image, within the size cap)",
  }),
  'queue.release': method({
    input: z.object({ project: ProjectRefSchema, annotator: AnnotatorName, session: SessionId.optional() }).strict(),
    output: z.object({ released: z.number().int() }),
    summary: 'Give back an annotator’s leases (one session, or all)',
  }),
  'queue.list': method({
    input: z
      .object({
        project: ProjectRefSchema,
        status: QueueStatusSchema.optional(),
        limit: z.number().int().min(1).max(10_000).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.array(QueueItemSchema),
    summary: 'Queue items by priority, optionally of one status',
  }),
  'queue.overview': method({
    input: ProjectRefSchema,
    output: z.object({
      total: z.number().int(),
      /** By the strategy that queued the item. */
      byStrategy: z.array(z.object({ key: z.string(), counts: StatusCountsSchema })),
      /** By the class the newest model run predicts for the item. */
      byClass: z.array(z.object({ key: z.string(), counts: StatusCountsSchema })),
      modelRun: z.string().nullable(),
    }),
    summary: 'Queue items by strategy and by predicted class, each split by status',
  }),
  'queue.stats': method({
    input: ProjectRefSchema,
    output: z.object({
      pending: z.number().int(),
      leased: z.number().int(),
      done: z.number().int(),
      skipped: z.number().int(),
      expiredLeases: z.number().int(),
      doublyLabeled: z.number().int(),
      /** When the learner last re-ranked the queue, and on how many labels it was trained; null without a learner. */
      learner: z.object({ refreshedAt: z.number(), labels: z.number().int() }).nullable(),
    }),
    summary: 'How many queue items are pending, leased, done and skipped, and when the learner last re-ranked them',
  }),
};
