import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectRefSchema } from '../projects/contract';
import { MiningStrategySchema } from './strategy';

/** A model run by id, or by "name@version" (or a version alone when it names one run). */
export const ModelRunRefSchema = z.union([z.number().int().positive(), z.string().trim().min(1).max(300)]);

const MetadataValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const MiningFiltersSchema = z
  .object({
    /** Time window on the example timestamp, epoch ms, [from, to). */
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    /** Every key must equal its value in the example's metadata. */
    metadata: z.record(z.string().min(1).max(200), MetadataValue).optional(),
    /** Keep examples whose predicted class (first model run) is one of these. */
    predictedClasses: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, {
    message: 'the time window is empty: from must be before to',
    path: ['to'],
  });

export const MiningRequestSchema = z
  .object({
    project: ProjectRefSchema,
    strategy: MiningStrategySchema,
    /** Default: the newest run (one-run strategies), the two newest (disagreement), all (vote entropy). */
    modelRuns: z.array(ModelRunRefSchema).max(32).optional(),
    filters: MiningFiltersSchema.default({}),
    limit: z.number().int().min(1).max(100_000).default(500),
    /** At most this many items per predicted class (first model run). */
    perClassQuota: z.number().int().min(1).optional(),
    /** Leave out examples already decided under the current schema version. */
    excludeLabeled: z.boolean().default(true),
    /**
     * Suppress exact and near duplicates (text: word-shingle Jaccard, features: cosine). Default:
     * on, except for the random strategy, whose sample must stay random (duplicates included).
     */
    dedupe: z.boolean().optional(),
    minJaccard: z.number().gt(0).max(1).default(0.6),
    minCosine: z.number().gt(0).max(1).default(0.995),
    /** Share of the new items that two annotators label, for agreement. */
    secondLabelShare: z.number().min(0).max(1).default(0),
    /**
     * Share of the limit drawn as a uniform random control sample of the eligible pool (the rest
     * is ranked): unbiased labels for evaluation. Not used by the random strategy (all of it is one).
     */
    controlShare: z.number().min(0).max(1).default(0.1),
    /** Seeds the choice of doubly labeled items and the control sample. */
    seed: z.number().int().default(1),
    /** Return every selected item (`items`), not only the top ones. */
    listItems: z.boolean().default(false),
  })
  .strict();

const MinedItemSchema = z.object({
  externalId: z.string(),
  priority: z.number(),
  reason: z.string(),
  labelsWanted: z.number().int(),
  /** The start of the example's text, null for examples without text. */
  snippet: z.string().nullable(),
});

export const MiningRunSchema = z.object({
  id: z.number().int(),
  strategy: z.string(),
  params: z.unknown(),
  modelRuns: z.array(z.number().int()),
  filters: z.unknown(),
  itemsAdded: z.number().int(),
  summary: z.unknown(),
  createdAt: z.number(),
});

export const MiningResultSchema = z.object({
  miningRunId: z.number().int(),
  strategy: z.string(),
  modelRuns: z.array(z.object({ id: z.number().int(), name: z.string() })),
  scanned: z.number().int(),
  eligible: z.number().int(),
  selected: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  alreadyQueued: z.number().int(),
  suppressedDuplicates: z.number().int(),
  suppressedByQuota: z.number().int(),
  doublyLabeled: z.number().int(),
  /** Items of the random control sample (in `selected`). */
  controlSample: z.number().int(),
  timings: z.object({ loadMs: z.number(), rankMs: z.number(), selectMs: z.number(), writeMs: z.number() }),
  top: z.array(MinedItemSchema),
  /** Every selected item, best first: only when the request asks (listItems). */
  items: z.array(MinedItemSchema).optional(),
});
export type MiningResult = z.infer<typeof MiningResultSchema>;

export const MiningPreviewSchema = z.object({
  strategy: z.string(),
  modelRuns: z.array(z.object({ id: z.number().int(), name: z.string() })),
  scanned: z.number().int(),
  eligible: z.number().int(),
  selected: z.number().int(),
  doublyLabeled: z.number().int(),
  /** Items of the random control sample (in `selected`). */
  controlSample: z.number().int(),
  suppressedDuplicates: z.number().int(),
  suppressedByQuota: z.number().int(),
  /** Priority of the last item that would be queued: the bar an example must clear. */
  cutoff: z.number().nullable(),
  /** Priorities of the eligible examples in equal bins over [min, max], and of the selected ones. */
  histogram: z.object({
    min: z.number(),
    max: z.number(),
    all: z.array(z.number().int()),
    selected: z.array(z.number().int()),
  }),
  top: z.array(MinedItemSchema),
  /** Every item that would be queued, best first: only when the request asks (listItems). */
  items: z.array(MinedItemSchema).optional(),
});
export type MiningPreview = z.infer<typeof MiningPreviewSchema>;

export const miningContract = {
  'mining.preview': method({
    input: MiningRequestSchema.safeExtend({ bins: z.number().int().min(2).max(100).default(20) }),
    output: MiningPreviewSchema,
    summary: 'What mining.run would queue, without writing: counts, the cut-off and a histogram of priorities',
  }),
  'mining.run': method({
    input: MiningRequestSchema,
    output: MiningResultSchema,
    summary: 'Rank examples by a strategy and merge the best into the review queue; records the mining run',
  }),
  'mining.runs': method({
    input: ProjectRefSchema,
    output: z.array(MiningRunSchema),
    summary: 'Mining runs of a project, newest first, with their parameters',
  }),
};
