import { z } from 'zod';
import { method } from '../../api/method';
import { ModelRunRefSchema } from '../mining/contract';
import { ProjectRefSchema } from '../projects/contract';
import { LabelSourceSchema, parseInstant } from './contract';

const Instant = z.union([
  z.number().int(),
  z.string().refine((s) => !Number.isNaN(parseInstant(s)), {
    message: 'not a date: give an ISO date such as 2026-10-01 or 2026-10-01T12:00:00Z',
  }),
]);

const MetadataValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

/**
 * Which curated labels may enter, by how their example reached the queue: only a random control
 * sample (unbiased), only mined (ranked) items, or any. Imported ground truth is not mined and is
 * kept by every choice.
 */
export const ProvenanceSchema = z.enum(['control', 'mined', 'any']);

export const EvalSetDefinitionSchema = z
  .object({
    /** Reference labels: imported ground truth, curated labels, or both (curated wins). Default both. */
    source: LabelSourceSchema.default('both'),
    schemaVersion: z.number().int().positive().optional(),
    /** Only examples whose timestamp is in [from, to). */
    from: Instant.optional(),
    to: Instant.optional(),
    /** Every key must equal its value in the example's metadata. */
    metadata: z.record(z.string().min(1).max(200), MetadataValue).optional(),
    provenance: ProvenanceSchema.default('any'),
  })
  .strict();

const EvalSetName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.@:+-]+$/, { message: 'a name of letters, digits and . _ - @ : + (no spaces)' });

export const EvalSetSummarySchema = z.object({
  n: z.number().int(),
  fromTruth: z.number().int(),
  fromCurated: z.number().int(),
  /** Curated labels of a random control sample (unbiased), and curated labels of mined items. */
  control: z.number().int(),
  mined: z.number().int(),
  /** Labeled examples the filters left out. */
  excluded: z.object({
    outsideWindow: z.number().int(),
    noTimestamp: z.number().int(),
    metadata: z.number().int(),
    provenance: z.number().int(),
    unmapped: z.number().int(),
  }),
  /** Time range of the members' timestamps (ISO), null without any. */
  firstTs: z.string().nullable(),
  lastTs: z.string().nullable(),
});

export const EvalSetSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  schemaVersion: z.number().int(),
  definition: z.record(z.string(), z.unknown()),
  summary: EvalSetSummarySchema,
  createdAt: z.number(),
});
export type EvalSet = z.infer<typeof EvalSetSchema>;

export const evalSetsContract = {
  'evalSets.create': method({
    input: EvalSetDefinitionSchema.safeExtend({ project: ProjectRefSchema, name: EvalSetName })
      .strict()
      .refine((d) => d.from === undefined || d.to === undefined || parseInstant(d.from) < parseInstant(d.to), {
        message: 'the window is empty: from must be before to',
      }),
    output: EvalSetSchema,
    summary:
      'Freeze a named evaluation set: the examples the filters select and the reference label each has now (later relabels do not change it)',
  }),
  'evalSets.list': method({
    input: ProjectRefSchema,
    output: z.array(EvalSetSchema),
    summary: 'Evaluation sets of a project, oldest first',
  }),
  'evalSets.show': method({
    input: z.object({ project: ProjectRefSchema, name: z.string().min(1).max(100) }).strict(),
    output: EvalSetSchema.extend({
      /** Members per reference label. */
      labels: z.record(z.string(), z.number().int()),
    }),
    summary: 'One evaluation set: its definition, counts and labels',
  }),
  'models.setLineage': method({
    input: z
      .object({
        project: ProjectRefSchema,
        /** A model run (name@version, or id): the lineage covers every run of that model. */
        modelRun: ModelRunRefSchema,
        /** An export of this workbench the model was trained on (its train and validation splits). */
        trainedOn: z.number().int().positive().optional(),
        /** The model saw examples before this time. */
        trainUntil: Instant.optional(),
      })
      .strict()
      .refine((d) => d.trainedOn !== undefined || d.trainUntil !== undefined, {
        message: 'give trainedOn (an export id) or trainUntil (a date)',
      }),
    output: z.object({
      model: z.string(),
      exportId: z.number().int().nullable(),
      trainUntil: z.string().nullable(),
      /** Examples of the project this lineage marks as training data. */
      trainingExamples: z.number().int(),
    }),
    summary: 'Record what a model was trained on (an export, or a cut-off time); eval leaves those examples out',
  }),
};
