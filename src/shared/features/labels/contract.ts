import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectRefSchema } from '../projects/contract';
import { LabelChangeSchema } from './mapping';
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

export const labelsContract = {
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
