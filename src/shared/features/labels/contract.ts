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
      'Append a label event (label, accept, reject, skip, flag, undo, adjudicate); acknowledged after its commit',
  }),
  'labels.current': method({
    input: ExampleRef.strict(),
    output: CurrentLabelsSchema,
    summary: 'The current label of an example, derived from its events',
  }),
  'labels.versions': method({
    input: ProjectRefSchema,
    output: z.array(LabelSchemaVersionSchema),
    summary: 'Every version of a project’s label schema, oldest first',
  }),
  'labels.create': method({
    input: LabelSchemaCreateInputSchema,
    output: LabelSchemaVersionSchema,
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
