import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectRefSchema } from '../projects/contract';
import { LabelChangeSchema } from './mapping';
import { LabelActionSchema } from './events';
import { LabelSchema, MAX_LABELS } from './schema';

export const LabelSchemaVersionSchema = z.object({
  id: z.number().int(),
  projectId: z.number().int(),
  version: z.number().int(),
  labels: z.array(LabelSchema),
  guidelines: z.string(),
  changeNote: z.string(),
  mappingFromPrevious: z.array(LabelChangeSchema).nullable(),
  createdAt: z.number(),
});
export type LabelSchemaVersion = z.infer<typeof LabelSchemaVersionSchema>;

const FieldChange = <T extends z.ZodType>(t: T) => z.object({ id: z.string(), from: t, to: t });

export const SchemaDiffSchema = z.object({
  added: z.array(LabelSchema),
  removed: z.array(LabelSchema),
  renamed: z.array(FieldChange(z.string())),
  recolored: z.array(FieldChange(z.string())),
  rehotkeyed: z.array(FieldChange(z.string().nullable())),
  descriptionChanged: z.array(FieldChange(z.string())),
  reordered: z.boolean(),
  guidelinesChanged: z.boolean(),
});

/**
 * A new version: the draft minus the task type, which is the project's. The shape is checked
 * here; the rules (unique names and hotkeys, the mapping from the previous version) by
 * validateDraft in the handler, whose messages name each label.
 */
export const LabelSchemaCreateInputSchema = z.object({
  project: ProjectRefSchema,
  draft: z
    .object({
      labels: z.array(z.unknown()).max(MAX_LABELS),
      guidelines: z.string().optional(),
      changeNote: z.string().optional(),
      mappingFromPrevious: z.array(z.unknown()).nullable().optional(),
    })
    .strict(),
});

const ResolutionSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unlabeled') }),
  z.object({ status: z.literal('agreed'), labels: z.array(z.string()), annotatorIds: z.array(z.number().int()) }),
  z.object({
    status: z.literal('conflict'),
    candidates: z.array(z.object({ labels: z.array(z.string()), annotatorIds: z.array(z.number().int()) })),
  }),
  z.object({
    status: z.literal('adjudicated'),
    labels: z.array(z.string()),
    adjudicatorId: z.number().int(),
    eventId: z.number().int(),
  }),
]);

export const CurrentLabelsSchema = z.object({
  externalId: z.string(),
  events: z.number().int(),
  flagged: z.boolean(),
  resolution: ResolutionSchema,
  decisions: z.array(
    z.object({
      annotatorId: z.number().int(),
      action: z.string(),
      labels: z.array(z.string()).nullable(),
      eventId: z.number().int(),
    }),
  ),
});

const ExampleRef = z.object({ project: ProjectRefSchema, externalId: z.string().min(1).max(512) });

export const labelsContract = {
  'labels.record': method({
    input: ExampleRef.extend({
      annotator: z.string().trim().min(1).max(100),
      /** The schema version the annotator saw: a newer one makes this a conflict, not a silent save. */
      schemaVersion: z.number().int().positive(),
      action: LabelActionSchema,
      labels: z.array(z.string().min(1).max(64)).max(MAX_LABELS).nullable().default(null),
      comment: z.string().max(5000).optional(),
      timeSpentMs: z.number().int().min(0).max(86_400_000).optional(),
      /** Makes a retried save idempotent. */
      clientEventId: z.string().min(1).max(100).optional(),
    }).strict(),
    output: z.object({ eventId: z.number().int(), duplicate: z.boolean(), current: CurrentLabelsSchema }),
    summary:
      'Append a label event (label, accept, reject, skip, flag, comment, undo, adjudicate); acknowledged after its commit',
  }),
  'labels.current': method({
    input: ExampleRef.strict(),
    output: CurrentLabelsSchema,
    summary: 'The current label of an example, derived from its events',
  }),
  'labels.agreement': method({
    input: z.object({ project: ProjectRefSchema, schemaVersion: z.number().int().positive().optional() }).strict(),
    output: z.object({
      schemaVersion: z.number().int(),
      annotators: z.array(z.object({ name: z.string(), decided: z.number().int() })),
      /** Cohen's kappa per annotator pair over the items both decided (null: undefined, e.g. one class only). */
      pairs: z.array(z.object({ a: z.string(), b: z.string(), items: z.number().int(), kappa: z.number().nullable() })),
      /** Krippendorff's alpha (nominal) over items decided by two or more. */
      alpha: z.number().nullable(),
      labeledByTwoOrMore: z.number().int(),
      agreed: z.number().int(),
      conflicts: z.number().int(),
      adjudicated: z.number().int(),
    }),
    summary: 'Annotator agreement under a schema version: kappa per pair, alpha overall, conflicts',
  }),
  'labels.conflicts': method({
    input: z
      .object({
        project: ProjectRefSchema,
        schemaVersion: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(10_000).default(100),
      })
      .strict(),
    output: z.array(
      z.object({
        externalId: z.string(),
        candidates: z.array(z.object({ labels: z.array(z.string()), annotators: z.array(z.string()) })),
      }),
    ),
    summary: 'Examples whose annotators disagree and nobody adjudicated yet',
  }),
  'labels.versions': method({
    input: ProjectRefSchema,
    output: z.array(LabelSchemaVersionSchema),
    summary: 'Every version of a project’s label schema, oldest first',
  }),
  'labels.create': method({
    input: LabelSchemaCreateInputSchema,
    output: LabelSchemaVersionSchema.extend({
      /** What happened to the labels of the previous version (see carry-forward). */
      carryForward: z.object({ carried: z.number().int(), requeued: z.number().int(), unresolved: z.number().int() }),
    }),
    summary: 'Add a label schema version (never an edit in place): labels, guidelines, change note, mapping',
  }),
  'labels.diff': method({
    input: z.object({
      project: ProjectRefSchema,
      from: z.number().int().positive(),
      to: z.number().int().positive(),
    }),
    output: z.object({
      from: z.number().int(),
      to: z.number().int(),
      diff: SchemaDiffSchema,
      lines: z.array(z.string()),
    }),
    summary: 'What changed between two label schema versions',
  }),
};
