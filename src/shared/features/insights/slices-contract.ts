import { z } from 'zod';
import { method } from '../../api/method';
import { ModelRunRefSchema } from '../mining/contract';
import { ProjectRefSchema } from '../projects/contract';
import { insightsContract, LabelSourceSchema, parseInstant } from './contract';

const Num = z.number().nullable();
export const SliceValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export const PredicateSchema = z.object({ field: z.string().min(1).max(200), value: SliceValueSchema });

const Instant = z.union([
  z.number().int(),
  z.string().refine((s) => !Number.isNaN(parseInstant(s)), {
    message: 'not a date: give an ISO date such as 2026-10-01 or 2026-10-01T12:00:00Z',
  }),
]);

/** The evaluation-set selection of insights.eval: the same labels, the same window. */
const EvaluationSetSelection = {
  project: ProjectRefSchema,
  schemaVersion: z.number().int().positive().optional(),
  source: LabelSourceSchema.optional(),
  from: Instant.optional(),
  to: Instant.optional(),
};
const windowIsOrdered = (d: { from?: number | string; to?: number | string }) =>
  d.from === undefined || d.to === undefined || parseInstant(d.from) < parseInstant(d.to);
const EMPTY_WINDOW = { message: 'the window is empty: from must be before to' };

/** One group of examples: its error rate (Wilson 95%) and, against a champion, the paired difference. */
export const SliceStatsSchema = z.object({
  n: z.number().int(),
  errors: z.number().int(),
  errorRate: z.number(),
  lo: z.number(),
  hi: z.number(),
  /** With a champion: its error rate on the same examples, and challenger − champion (normal 95% CI of the paired mean). */
  championErrorRate: Num,
  diff: Num,
  diffLo: Num,
  diffHi: Num,
});

const EvaluationSetInfoSchema = insightsContract['insights.eval'].output.shape.evaluationSet;

export const slicesContract = {
  'insights.slices': method({
    input: z
      .object({
        ...EvaluationSetSelection,
        /** The run judged (default: the newest) … */
        run: ModelRunRefSchema.optional(),
        /** … against this champion: slices rank by the challenger's net extra errors. */
        vs: ModelRunRefSchema.optional(),
        minSupport: z.number().int().min(1).max(1_000_000).default(30),
        maxDepth: z.union([z.literal(1), z.literal(2)]).default(2),
        /** SliceLine's weight of the error term against the size term. */
        alpha: z.number().gt(0).max(1).default(0.95),
        top: z.number().int().min(1).max(200).default(20),
        /** Time windows of the breakdown, and of the time predicates of the slices. */
        window: z.enum(['day', 'week']).default('week'),
        /** Slice by time window too (a predicate "time (week)=…", alone or with a metadata value). */
        timeSlices: z.boolean().default(true),
      })
      .strict()
      .refine(windowIsOrdered, EMPTY_WINDOW),
    output: z.object({
      evaluationSet: EvaluationSetInfoSchema,
      notes: z.array(z.string()),
      run: z.string(),
      vs: z.string().nullable(),
      /** 'error': SliceLine score of one run's errors; 'difference': the challenger's net extra errors. */
      mode: z.enum(['error', 'difference']),
      minSupport: z.number().int(),
      maxDepth: z.number().int(),
      alpha: z.number(),
      /** The metadata fields searched. */
      fields: z.array(z.string()),
      /** The field of the time-window predicates ("time (week)"), null where time was not sliced by. */
      timeField: z.string().nullable(),
      /** Candidates that met the support and were scored. */
      evaluated: z.number().int(),
      overall: SliceStatsSchema,
      slices: z.array(
        SliceStatsSchema.extend({
          predicates: z.array(PredicateSchema),
          /** "channel=email & lang=en". */
          label: z.string(),
          score: z.number(),
          /** Errors above what the overall rate predicts for a group this size (difference: the net extra errors). */
          excessErrors: z.number(),
          /**
           * mining.run filters that select exactly this slice: a time-window predicate becomes
           * from / to (epoch ms, [from, to)).
           */
          filters: z.object({
            metadata: z.record(z.string(), SliceValueSchema),
            from: z.number().int().optional(),
            to: z.number().int().optional(),
          }),
          /** Whether the slice can be pinned as a gate guard (metadata only: a time window cannot). */
          pinnable: z.boolean(),
        }),
      ),
      breakdown: z.array(
        z.object({
          field: z.string(),
          values: z.array(SliceStatsSchema.extend({ value: SliceValueSchema })),
          /** Values left out of `values` (the rarest ones). */
          more: z.number().int(),
        }),
      ),
      time: z.object({
        window: z.enum(['day', 'week']),
        windows: z.array(SliceStatsSchema.extend({ label: z.string(), from: z.number(), to: z.number() })),
        /** Examples of the set without a timestamp. */
        noTimestamp: z.number().int(),
      }),
    }),
    summary:
      'Where a model run is wrong: error rate by metadata value and time window, and the slices (conjunctions of metadata values and time windows) where errors concentrate',
  }),
  'insights.confusionExamples': method({
    input: z
      .object({
        ...EvaluationSetSelection,
        run: ModelRunRefSchema.optional(),
        /** The confusion cell: reference class and predicted class, by name. */
        truth: z.string().min(1),
        predicted: z.string().min(1),
        limit: z.number().int().min(1).max(1000).default(50),
      })
      .strict()
      .refine(windowIsOrdered, EMPTY_WINDOW),
    output: z.object({
      run: z.string(),
      truth: z.string(),
      predicted: z.string(),
      /** Examples in the cell; `examples` holds the first `limit`, most confident first. */
      total: z.number().int(),
      examples: z.array(
        z.object({
          externalId: z.string(),
          text: z.string().nullable(),
          /** The run's probability of the predicted class. */
          confidence: z.number(),
        }),
      ),
    }),
    summary: 'The examples behind one cell of a run’s confusion matrix',
  }),
};
