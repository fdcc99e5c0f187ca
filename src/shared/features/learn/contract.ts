import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectRefSchema } from '../projects/contract';

/**
 * What the learner reads of each example: the logged feature vector, hashed n-grams of the text,
 * or the stored embeddings of a registered sentence encoder (`embeddings:<model id or name@version>`).
 */
export const RepresentationSchema = z
  .string()
  .trim()
  .regex(/^(features|text|embeddings:.+)$/, "use 'features', 'text' or 'embeddings:<encoder model>'");
export type Representation = z.infer<typeof RepresentationSchema>;

export const LabelSourceSchema = z.enum(['curated', 'curated+truth']);
export type LearnerLabelSource = z.infer<typeof LabelSourceSchema>;

export const LEARNER_DEFAULTS = { every: 25, controlShare: 0.1, labelSource: 'curated', l2: 1 } as const;

export const LearnerConfigSchema = z.object({
  representation: RepresentationSchema,
  /** Refresh after this many new label decisions. */
  every: z.number().int().min(1).max(100_000),
  /** Share of each re-ranked queue drawn uniformly at random (the control sample). */
  controlShare: z.number().min(0).max(0.9),
  /** curated: curated labels only; curated+truth: imported ground truth too, outside every evaluation set. */
  labelSource: LabelSourceSchema,
  /** L2 penalty of the logistic regression. */
  l2: z.number().gt(0).max(1e6),
  updatedAt: z.number(),
});
export type LearnerConfig = z.infer<typeof LearnerConfigSchema>;

export const LearnerRefreshSchema = z.object({
  id: z.number().int(),
  at: z.number(),
  representation: z.string(),
  schemaVersion: z.number().int(),
  /** Examples the learner was fitted on. */
  labels: z.number().int(),
  /** Labels per class, in the project's class order. */
  classCounts: z.array(z.number().int()),
  /** The model run it scored every example into (`learner@<labels>`). */
  modelRun: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  /** Items it (re)queued, and how many of them are the random control sample. */
  queued: z.number().int(),
  controlQueued: z.number().int(),
  /** True while some class has fewer than 5 labels: the queue took typical, diverse items, not uncertain ones. */
  coldStart: z.boolean(),
  /** Cohen's kappa between this learner's and the previous one's predictions over the pool. */
  kappaPrevious: z.number().nullable(),
  fit: z.record(z.string(), z.unknown()),
  timings: z.record(z.string(), z.number()),
});
export type LearnerRefresh = z.infer<typeof LearnerRefreshSchema>;

const ProportionSchema = z.object({
  n: z.number().int(),
  correct: z.number().int(),
  accuracy: z.number().nullable(),
  /** Wilson 95% interval. */
  low: z.number(),
  high: z.number(),
});

const CurveSchema = z.array(z.object({ labels: z.number(), accuracy: z.number() }));

export const EfficiencyMeterSchema = z.object({
  /** Each new label scored by the learner before it learned from it, by how the item was queued. */
  mined: ProportionSchema,
  control: ProportionSchema,
  /** The learner's accuracy on the most recent control labels (its current quality), at this many labels. */
  quality: ProportionSchema,
  qualityAtLabels: z.number(),
  /** The learner's accuracy on control labels against the labels it was trained on. */
  controlCurve: CurveSchema,
  /** The same for a learner trained on control labels alone: what random labeling gives. */
  randomCurve: CurveSchema,
  /** How many random labels would reach the current quality, with a 95% interval; null while too early. */
  randomLabelsNeeded: z
    .object({ estimate: z.number(), low: z.number(), high: z.number(), extrapolated: z.boolean() })
    .nullable(),
  verdict: z.enum(['mined-better', 'no-difference', 'control-better', 'too-early']),
  /** The verdict in a sentence; says so when mined labels stop beating the control. */
  message: z.string(),
});
export type EfficiencyMeter = z.infer<typeof EfficiencyMeterSchema>;

export const StopSignalSchema = z.object({
  /** Kappa between successive learners, averaged over the last three refreshes. */
  kappaAverage: z.number().nullable(),
  /** Expected gain in accuracy from the next 100 labels (slope of the control curve); null until measurable. */
  expectedGain: z.number().nullable(),
  stable: z.boolean(),
  message: z.string(),
});

export const LabelIssuesSummarySchema = z.object({
  /** The last label-issues run: when, how many labels it checked and how many it queued for a second look. */
  at: z.number(),
  checked: z.number().int(),
  flagged: z.number().int(),
  queued: z.number().int(),
});

export const LearnStatusSchema = z.object({
  config: LearnerConfigSchema.nullable(),
  lastRefresh: LearnerRefreshSchema.nullable(),
  refreshes: z.number().int(),
  /** Label decisions since the last refresh, and how many more start the next one. */
  labelsSinceRefresh: z.number().int(),
  nextRefreshIn: z.number().int().nullable(),
  /** The refresh job running now, if any. */
  runningJob: z.string().nullable(),
  /** Why the last refresh did not apply (one class only, a schema change, …); null when it did. */
  lastProblem: z.string().nullable(),
  meter: EfficiencyMeterSchema,
  stop: StopSignalSchema,
  labelIssues: LabelIssuesSummarySchema.nullable(),
});
export type LearnStatus = z.infer<typeof LearnStatusSchema>;

export const LearnRefreshResultSchema = z.object({
  /** false: nothing changed since the last refresh (same labels, same configuration). */
  applied: z.boolean(),
  refresh: LearnerRefreshSchema.nullable(),
  message: z.string(),
});
export type LearnRefreshResult = z.infer<typeof LearnRefreshResultSchema>;

export const learnContract = {
  'learn.configure': method({
    input: z
      .object({
        project: ProjectRefSchema,
        representation: RepresentationSchema,
        every: z.number().int().min(1).max(100_000).optional(),
        controlShare: z.number().min(0).max(0.9).optional(),
        labelSource: LabelSourceSchema.optional(),
        l2: z.number().gt(0).max(1e6).optional(),
      })
      .strict(),
    output: LearnerConfigSchema,
    summary: "Set a project's learner: representation, refresh cadence, control share, label source",
  }),
  'learn.refresh': method({
    input: z.object({ project: ProjectRefSchema }).strict(),
    output: z.object({ jobId: z.string() }),
    summary: 'Refit the learner now (a job): score every example into learner@<labels> and re-rank the queue',
  }),
  'learn.status': method({
    input: ProjectRefSchema,
    output: LearnStatusSchema,
    summary: "The learner's configuration, last refresh, efficiency meter, stop signal and label issues",
  }),
};
