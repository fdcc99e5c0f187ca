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
  /** Area under the precision–recall curve (average precision; multiclass: one-vs-rest mean). */
  prAuc: Num,
  logLoss: Num,
  brier: Num,
  /** Binary: ECE of P(positive) against the observed positive rate; multiclass: the top-label ECE. */
  ece: Num,
  /** ECE of the top-class confidence against accuracy. */
  topLabelEce: Num,
  /** Mean over the classes of the one-vs-rest ECE of P(class). */
  classwiseEce: Num,
  perClass: z.array(
    z.object({
      label: z.string(),
      precision: Num,
      recall: Num,
      f1: Num,
      support: z.number().int(),
      predicted: z.number().int(),
      /** One-vs-rest ECE of P(this class) against its observed rate. */
      ece: Num,
    }),
  ),
  /** What `reliability` bins: P(positive) for binary, the top-class confidence for multiclass. */
  reliabilityBasis: z.enum(['positive', 'top-label']),
  /** Per bin: mean predicted probability and observed rate (positives, or correct predictions). */
  reliability: z.array(
    z.object({ lo: z.number(), hi: z.number(), count: z.number().int(), predicted: Num, observed: Num }),
  ),
  /** Binary only: share predicted positive, share labeled positive and mean P(positive) (prior shift). */
  positiveRate: z.object({ predicted: Num, labeled: Num, meanProbability: Num }).nullable(),
  /** confusion[truth][predicted], in the order of `labels`. */
  confusion: z.array(z.array(z.number().int())),
  /**
   * The same examples judged by the run's own decisions (its model's threshold, or the predicted
   * labels its log recorded) instead of the argmax; null when the run has no decisions of its own
   * (see the run's `decision`). Probability metrics (AUC, log loss, Brier, ECE) do not depend on it.
   */
  atThreshold: z
    .object({
      accuracy: Num,
      macroF1: Num,
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
      /** Binary: share of examples decided positive. */
      predictedPositiveRate: Num,
      confusion: z.array(z.array(z.number().int())),
    })
    .nullable(),
});

/** How a run turns probabilities into a class: what `atThreshold` of its reports judges. */
export const DecisionSchema = z.object({
  /**
   * model: the binary threshold registered with the run's model (models.add --threshold or its ONNX
   * metadata); logged: the predicted labels of the imported log (argmax where a row logged none);
   * argmax: no decisions of its own (binary: P(positive) ≥ 0.5, a tie to the first class).
   */
  source: z.enum(['model', 'logged', 'argmax']),
  /** The model's threshold on P(positive), binary `model` only. */
  threshold: Num,
  /**
   * Binary `logged`: the thresholds on P(positive) that reproduce the logged labels on the examples
   * judged, above < t ≤ atMost; null where no single threshold does (or no example was judged).
   */
  impliedThreshold: z.object({ above: Num, atMost: Num }).nullable(),
  /** The rule in words, e.g. "its model's threshold: positive when P(fraud) ≥ 0.3". */
  description: z.string(),
});

export const ComparedMetricSchema = z.enum(['accuracy', 'macroF1', 'logLoss', 'brier', 'rocAuc']);

export const DifferenceSchema = z.object({
  metric: z.enum(['accuracy', 'macroF1', 'rocAuc', 'prAuc', 'logLoss', 'brier', 'precision', 'recall', 'f1']),
  /** The class of a per-class metric; null for the overall ones. */
  class: z.string().nullable(),
  champion: Num,
  challenger: Num,
  diff: Num,
  lo: Num,
  hi: Num,
  /** Resamples that defined the difference (a class's precision needs a prediction of it). */
  samples: z.number().int(),
  /** False for log loss and Brier: there a positive difference means the challenger is worse. */
  higherIsBetter: z.boolean(),
});

export const LabelSourceSchema = z.enum(['truth', 'curated', 'both']);
export const VerdictSchema = z.enum(['pass', 'fail', 'insufficient']);

/** Milliseconds since the epoch of an ISO date or date-time (a bare date is UTC midnight); NaN if not one. */
export function parseInstant(value: number | string): number {
  if (typeof value === 'number') return value;
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return NaN;
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

/** A point in time: milliseconds since the epoch, or an ISO date (2026-10-01) or date-time. */
const Instant = z.union([
  z.number().int(),
  z.string().refine((s) => !Number.isNaN(parseInstant(s)), {
    message: 'not a date: give an ISO date such as 2026-10-01 or 2026-10-01T12:00:00Z',
  }),
]);

export const GateCheckSchema = z.object({
  kind: z.enum(['primary', 'recall', 'slice']),
  name: z.string(),
  n: z.number().int(),
  champion: Num,
  challenger: Num,
  diff: Num,
  lo: Num,
  hi: Num,
  margin: z.number(),
  higherIsBetter: z.boolean(),
  verdict: VerdictSchema,
  reason: z.string(),
});

/** A slice pinned to the gate: the primary metric on the examples whose metadata has every key = value. */
export const SliceGuardSchema = z
  .object({
    metadata: z
      .record(z.string().min(1).max(200), z.union([z.string().max(1000), z.number(), z.boolean()]))
      .refine((m) => Object.keys(m).length > 0, { message: 'a slice guard names at least one metadata field' }),
    /** Default: the gate's margin. */
    margin: z.number().min(0).max(1).optional(),
  })
  .strict();

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
        /**
         * Non-inferiority margin of the metric: the gate passes only when the 95% interval of
         * challenger − champion stays above −margin (a loss: below +margin).
         */
        margin: z.number().min(0).max(1).default(0.01),
        /** The same rule on each class's recall. */
        recallMargin: z.number().min(0).max(1).default(0.05),
        /** The same rule on the primary metric within each of these slices. */
        guards: z.array(SliceGuardSchema).max(20).optional(),
        /** Reference labels: imported ground truth, curated labels, or both (curated wins). Default: truth if any. */
        source: LabelSourceSchema.optional(),
        /** Only examples whose timestamp is in [from, to). */
        from: Instant.optional(),
        to: Instant.optional(),
        samples: z.number().int().min(100).max(10_000).default(1000),
        seed: z.number().int().default(1),
        /** A frozen evaluation set (evalSets.create): exactly its examples and labels; no source, window or schema version. */
        evalSet: z.string().min(1).max(100).optional(),
        /** Let the gate judge on mined (ranked, biased on purpose) labels too; by default they only feed error analysis. */
        includeMined: z.boolean().default(false),
      })
      .strict()
      .refine((d) => d.from === undefined || d.to === undefined || parseInstant(d.from) < parseInstant(d.to), {
        message: 'the window is empty: from must be before to',
      })
      .refine(
        (d) =>
          d.evalSet === undefined ||
          (d.source === undefined && d.from === undefined && d.to === undefined && d.schemaVersion === undefined),
        { message: 'an evaluation set fixes its examples and labels: drop source, from, to and schemaVersion' },
      ),
    output: z.object({
      schemaVersion: z.number().int(),
      labels: z.array(z.string()),
      /** Curated examples whose label maps to no model class (e.g. after a split). */
      unmapped: z.number().int(),
      /** What the numbers rest on. */
      evaluationSet: z.object({
        /** The frozen evaluation set judged on, or null for a selection made now. */
        name: z.string().nullable(),
        source: LabelSourceSchema,
        /** Why this source: asked for, or the default and why. */
        sourceReason: z.string(),
        /** The window as ISO date-times, [from, to); null where open. */
        from: z.string().nullable(),
        to: z.string().nullable(),
        /** Examples with a reference label in the window. */
        n: z.number().int(),
        /** How many of them take their label from the ground truth and from curation. */
        fromTruth: z.number().int(),
        fromCurated: z.number().int(),
        /** Examples that have both (counted once, under the source that wins) and how many of those differ. */
        both: z.number().int(),
        disagreeing: z.number().int(),
        /** Labeled examples left out, each counted once (the unmapped ones: those in the window). */
        excluded: z.object({
          outsideWindow: z.number().int(),
          noTimestamp: z.number().int(),
          /** Ground truth naming no class of the project, or a class the label schema split or removed. */
          truthUnmapped: z.number().int(),
          curatedUnmapped: z.number().int(),
        }),
      }),
      /** Caveats a reader must know: partial coverage, exclusions, the default source. */
      notes: z.array(z.string()),
      runs: z.array(
        z.object({
          modelRunId: z.number().int(),
          name: z.string(),
          /** Examples of the evaluation set this run scored: its report rests on those. */
          coverage: z.object({ scored: z.number().int(), of: z.number().int() }),
          all: ReportSchema,
          /** Examples queued by a seeded random sample: an unbiased estimate. */
          randomSample: ReportSchema,
          /** Examples queued by uncertainty or disagreement mining: hard cases, biased on purpose. */
          mined: ReportSchema,
          /** Ground truth and curated labels of a random (control) sample: the unbiased estimate. */
          unbiased: ReportSchema,
          /** The run's own decision rule, which each report's `atThreshold` judges. */
          decision: DecisionSchema,
          /** What the run's model was trained on, and how many examples of the set were left out for it. */
          training: z.object({ lineage: z.string().nullable(), excluded: z.number().int() }),
        }),
      ),
      /** Binary: labeled vs predicted positive rate per time window of the set (prior shift). */
      priorShift: z
        .array(
          z.object({
            from: z.string(),
            to: z.string(),
            n: z.number().int(),
            labeled: Num,
            predicted: z.array(z.object({ run: z.string(), n: z.number().int(), rate: Num })),
          }),
        )
        .nullable(),
      comparison: z
        .object({
          champion: z.string(),
          challenger: z.string(),
          metric: ComparedMetricSchema,
          /** Examples both runs scored: the comparison rests on those. */
          n: z.number().int(),
          coverage: z.object({ champion: z.number().int(), challenger: z.number().int(), of: z.number().int() }),
          championValue: Num,
          challengerValue: Num,
          diff: Num,
          lo: Num,
          hi: Num,
          margin: z.number(),
          recallMargin: z.number(),
          samples: z.number().int(),
          seed: z.number().int(),
          /** pass, fail, or insufficient evidence (never a pass). */
          verdict: VerdictSchema,
          gatePassed: z.boolean(),
          /** The verdict in one sentence. */
          reason: z.string(),
          /** The primary metric, then a recall guard per class, then the slice guards. */
          checks: z.array(GateCheckSchema),
          /** What the gate judged on: mined labels (unless asked) and each side's training examples left out. */
          basis: z.object({
            includeMined: z.boolean(),
            minedLeftOut: z.number().int(),
            trainingLeftOut: z.number().int(),
            /** In words, e.g. "v2 was trained on 1,240 of these examples; they were left out". */
            lineage: z.array(z.string()),
          }),
          /** Where the evidence is too thin: about how many more unbiased labels would settle it. */
          labelsNeeded: z.object({ more: z.number().int(), target: z.string() }).nullable(),
          /**
           * Every difference challenger − champion on the common examples with its 95% paired
           * bootstrap interval, stratified by label (the gate's resamples): accuracy, macro-F1,
           * ROC-AUC, PR-AUC, log loss, Brier, then each class's precision, recall and F1. Judged at
           * the argmax, like the gate.
           */
          differences: z.array(DifferenceSchema),
          /** McNemar's exact test of paired accuracy. */
          mcnemar: z.object({
            championOnly: z.number().int(),
            challengerOnly: z.number().int(),
            pValue: z.number(),
          }),
        })
        .nullable(),
    }),
    summary:
      'Evaluate model runs on ground truth or curated labels; champion vs challenger: a non-inferiority gate on paired bootstrap intervals',
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
      /** Every row: the scores of one run, features and (windows) metadata fields. */
      rows: z.array(DriftRowSchema),
      worst: z.enum(['ok', 'warn', 'alert']),
      /** What moved, in one sentence: traffic, which run's scores, the labeled class balance. */
      summary: z.string(),
      /** Windows: the features and metadata fields that moved most (top 10 by PSI) of `compared`. */
      traffic: z
        .object({ movers: z.array(DriftRowSchema), compared: z.number().int(), worst: z.enum(['ok', 'warn', 'alert']) })
        .nullable(),
      modelShift: z.object({
        /** Windows: each run's score PSI between the windows (the largest over its classes). */
        runs: z.array(
          z.object({
            run: z.string(),
            psi: Num,
            level: z.enum(['ok', 'warn', 'alert']),
            reference: z.number().int(),
            current: z.number().int(),
          }),
        ),
        /** Run against run on the examples both scored (windows: in the current window). */
        pairs: z.array(
          z.object({
            a: z.string(),
            b: z.string(),
            examples: z.number().int(),
            meanAbsDelta: Num,
            flipRate: Num,
          }),
        ),
      }),
      /** Windows: the labeled rate of a class (ground truth and curated labels) against each run's predicted rate. */
      priorShift: z
        .object({
          className: z.string(),
          windows: z.array(
            z.object({
              window: z.enum(['reference', 'current']),
              label: z.string(),
              labeled: z.number().int(),
              labeledRate: Num,
              predicted: z.array(z.object({ run: z.string(), n: z.number().int(), rate: Num })),
            }),
          ),
        })
        .nullable(),
    }),
    summary:
      "What moved between two windows: traffic (features, metadata), each run's scores, the labeled class balance; or two model runs on the same examples",
  }),
};
