import { z } from 'zod';
import { method } from '../../api/method';
import { ModelRunRefSchema } from '../mining/contract';
import { ProjectRefSchema } from '../projects/contract';
import { TextPartsSchema } from '../review/contract';

const MetadataValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const LabelStateSchema = z.enum(['unlabeled', 'labeled', 'conflict', 'flagged']);
export type LabelState = z.infer<typeof LabelStateSchema>;

export const QueueStateSchema = z.enum(['not-queued', 'pending', 'leased', 'done', 'skipped']);
export type QueueState = z.infer<typeof QueueStateSchema>;

/** Which examples the browser shows: every filter narrows, none given shows all. */
export const BrowseFiltersSchema = z
  .object({
    /** Text or example id containing this (ASCII letters compared without case). */
    search: z.string().trim().min(1).max(200).optional(),
    /** Time window on the example timestamp, epoch ms, [from, to). */
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    /** Every key must equal its value in the example's metadata. */
    metadata: z.record(z.string().min(1).max(200), MetadataValue).optional(),
    /** The model run that predicted classes, score ranges and score sorting read (default: the newest). */
    run: ModelRunRefSchema.optional(),
    predictedClasses: z.array(z.string().min(1)).min(1).optional(),
    /** P(scoreClass) of `run`, or its top score (binary: P(positive)) when no class is named. */
    scoreClass: z.string().min(1).optional(),
    scoreMin: z.number().min(0).max(1).optional(),
    scoreMax: z.number().min(0).max(1).optional(),
    /** Only examples whose predicted label under `run` differs from this run's. */
    disagreesWith: ModelRunRefSchema.optional(),
    labelStates: z.array(LabelStateSchema).min(1).optional(),
    /** Current (agreed or adjudicated) label among these label ids. */
    labels: z.array(z.string().min(1)).min(1).optional(),
    /** Ground truth from the log among these classes (multilabel: any of its classes). */
    groundTruth: z.array(z.string().min(1)).min(1).optional(),
    queueStates: z.array(QueueStateSchema).min(1).optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, {
    message: 'the time window is empty: its start must come before its end',
    path: ['to'],
  })
  .refine((f) => f.scoreMin === undefined || f.scoreMax === undefined || f.scoreMin <= f.scoreMax, {
    message: 'the score range is empty: its minimum must not exceed its maximum',
    path: ['scoreMax'],
  });
export type BrowseFilters = z.infer<typeof BrowseFiltersSchema>;

export const BrowseSortSchema = z
  .object({
    by: z.enum(['log-order', 'time', 'score', 'confidence']).default('log-order'),
    direction: z.enum(['asc', 'desc']).default('asc'),
  })
  .strict();

export const BrowseQuerySchema = z
  .object({
    project: ProjectRefSchema,
    filters: BrowseFiltersSchema.default({}),
    sort: BrowseSortSchema.default({ by: 'log-order', direction: 'asc' }),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

const PredictionCellSchema = z.object({
  run: z.string(),
  predicted: z.array(z.string()),
  /** The score filters and sorting read: P(scoreClass), else the top score (binary: P(positive)). */
  score: z.number(),
});

export const BrowseRowSchema = z.object({
  externalId: z.string(),
  ts: z.number().nullable(),
  /** At most the first 400 characters; textLength tells how long the whole text is. */
  text: z.string().nullable(),
  textLength: z.number().int().nullable(),
  imagePath: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  groundTruth: z.string().nullable(),
  predictions: z.array(PredictionCellSchema),
  label: z.array(z.string()).nullable(),
  labelState: LabelStateSchema,
  queueState: QueueStateSchema,
});
export type BrowseRow = z.infer<typeof BrowseRowSchema>;

export const BrowsePageSchema = z.object({
  total: z.number().int(),
  offset: z.number().int(),
  rows: z.array(BrowseRowSchema),
  runs: z.array(z.object({ id: z.number().int(), label: z.string() })),
  /** The run scores and predicted classes are read from, when the project has one. */
  run: z.string().nullable(),
  metadataKeys: z.array(z.string()),
  /** The labels of the newest schema version, for the label filter. */
  labels: z.array(z.object({ id: z.string(), name: z.string() })),
  /** Whether any example has a ground truth from the log (the ground-truth filter applies). */
  hasGroundTruth: z.boolean(),
});
export type BrowsePage = z.infer<typeof BrowsePageSchema>;

export const ExampleDetailSchema = z.object({
  externalId: z.string(),
  ts: z.number().nullable(),
  text: z.string().nullable(),
  textParts: TextPartsSchema,
  imagePath: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  groundTruth: z.string().nullable(),
  predictions: z.array(
    z.object({ run: z.string(), predicted: z.array(z.string()), scores: z.record(z.string(), z.number()) }),
  ),
  label: z.array(z.string()).nullable(),
  labelState: LabelStateSchema,
  queueState: QueueStateSchema,
  history: z.array(
    z.object({
      id: z.number().int(),
      annotator: z.string(),
      action: z.string(),
      labels: z.array(z.string()).nullable(),
      comment: z.string().nullable(),
      schemaVersion: z.number().int(),
      at: z.number(),
    }),
  ),
});
export type ExampleDetail = z.infer<typeof ExampleDetailSchema>;

export const browseContract = {
  'examples.browse': method({
    input: BrowseQuerySchema,
    output: BrowsePageSchema,
    summary: 'One page of examples, filtered and sorted on the server (data browser)',
  }),
  'examples.detail': method({
    input: z.object({ project: ProjectRefSchema, externalId: z.string().min(1).max(500) }).strict(),
    output: ExampleDetailSchema,
    summary: "One example whole: its input, every run's scores, its label and its full label history",
  }),
  'examples.queue': method({
    input: z
      .object({
        project: ProjectRefSchema,
        filters: BrowseFiltersSchema.default({}),
        /** At most this many of the matching examples, in log order. */
        limit: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict(),
    output: z.object({ matched: z.number().int(), queued: z.number().int(), alreadyQueued: z.number().int() }),
    summary: 'Send the examples a browser filter matches to the review queue',
  }),
};
