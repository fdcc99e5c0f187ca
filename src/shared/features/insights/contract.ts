import { z } from 'zod';
import { method } from '../../api/method';
import { ModelRunRefSchema } from '../mining/contract';
import { ProjectRefSchema } from '../projects/contract';

const Num = z.number().nullable();

export const ReportSchema = z.object({
  n: z.number().int(),
  accuracy: Num,
  macroF1: Num,
  rocAuc: Num,
  logLoss: Num,
  ece: Num,
  perClass: z.array(
    z.object({
      label: z.string(),
      precision: Num,
      recall: Num,
      f1: Num,
      support: z.number().int(),
      predicted: z.number().int(),
    }),
  ),
  reliability: z.array(
    z.object({ lo: z.number(), hi: z.number(), count: z.number().int(), confidence: Num, accuracy: Num }),
  ),
  /** confusion[truth][predicted], in the order of `labels`. */
  confusion: z.array(z.array(z.number().int())),
});

export const ComparedMetricSchema = z.enum(['accuracy', 'macroF1', 'logLoss', 'rocAuc']);

const Window = z
  .object({ from: z.number().int(), to: z.number().int() })
  .strict()
  .refine((w) => w.from < w.to, { message: 'the window is empty: from must be before to' });

export const DriftRowSchema = z.object({
  quantity: z.string(),
  psi: Num,
  ks: z.number().nullable(),
  ksPValue: Num,
  level: z.enum(['ok', 'warn', 'alert']),
  reference: z.number().int(),
  current: z.number().int(),
});

export const insightsContract = {
  'insights.eval': method({
    input: z
      .object({
        project: ProjectRefSchema,
        schemaVersion: z.number().int().positive().optional(),
        /** Default: every model run. */
        modelRuns: z.array(ModelRunRefSchema).max(32).optional(),
        /** Default: the second-newest run vs the newest. */
        champion: ModelRunRefSchema.optional(),
        challenger: ModelRunRefSchema.optional(),
        metric: ComparedMetricSchema.default('macroF1'),
        /** The challenger fails the gate when it is worse than the champion by more than this. */
        margin: z.number().min(0).max(1).default(0.01),
        samples: z.number().int().min(100).max(10_000).default(1000),
        seed: z.number().int().default(1),
      })
      .strict(),
    output: z.object({
      schemaVersion: z.number().int(),
      labels: z.array(z.string()),
      /** Labeled examples whose label maps to no model class (e.g. after a split). */
      unmapped: z.number().int(),
      runs: z.array(
        z.object({
          modelRunId: z.number().int(),
          name: z.string(),
          all: ReportSchema,
          /** Examples queued by a seeded random sample: an unbiased estimate. */
          randomSample: ReportSchema,
          /** Examples queued by uncertainty or disagreement mining: hard cases, biased on purpose. */
          mined: ReportSchema,
        }),
      ),
      comparison: z
        .object({
          champion: z.string(),
          challenger: z.string(),
          metric: ComparedMetricSchema,
          n: z.number().int(),
          championValue: Num,
          challengerValue: Num,
          diff: Num,
          lo: Num,
          hi: Num,
          margin: z.number(),
          gatePassed: z.boolean(),
        })
        .nullable(),
    }),
    summary: 'Evaluate model runs on the curated labels; champion vs challenger with bootstrap intervals and a gate',
  }),
  'insights.histograms': method({
    input: z.object({ project: ProjectRefSchema, bins: z.number().int().min(2).max(100).default(20) }).strict(),
    output: z.array(
      z.object({
        modelRunId: z.number().int(),
        name: z.string(),
        /** Counts of the top-class probability (binary: P(positive)) in equal bins over [0, 1]. */
        bins: z.array(z.number().int()),
        binary: z.boolean(),
      }),
    ),
    summary: 'Score distribution of every model run',
  }),
  'insights.runAgreement': method({
    input: z.object({ project: ProjectRefSchema, maxRuns: z.number().int().min(2).max(12).default(6) }).strict(),
    output: z.array(
      z.object({
        a: z.string(),
        b: z.string(),
        /** Examples both runs scored. */
        examples: z.number().int(),
        /** Share of those where both give the same label(s). */
        labelAgreement: z.number().nullable(),
        /** Mean over examples of the mean absolute score difference per class. */
        meanAbsDelta: z.number().nullable(),
      }),
    ),
    summary: 'Agreement of every pair of the newest model runs: label agreement rate and mean |Δp|',
  }),
  'insights.drift': method({
    input: z
      .object({
        project: ProjectRefSchema,
        /** Two time windows of one model run (default: the newest) … */
        reference: Window.optional(),
        current: Window.optional(),
        modelRun: ModelRunRefSchema.optional(),
        /** … or two model runs over the same examples. */
        runs: z.tuple([ModelRunRefSchema, ModelRunRefSchema]).optional(),
        bins: z.number().int().min(2).max(100).default(10),
      })
      .strict()
      .refine((d) => (d.runs ? !d.reference && !d.current : !!d.reference && !!d.current), {
        message: 'give either two time windows (reference and current) or two model runs',
      }),
    output: z.object({
      mode: z.enum(['windows', 'runs']),
      reference: z.string(),
      current: z.string(),
      rows: z.array(DriftRowSchema),
      worst: z.enum(['ok', 'warn', 'alert']),
    }),
    summary: 'PSI and KS of scores per class and of numeric features between two windows or two model runs',
  }),
};
