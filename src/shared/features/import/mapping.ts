import { z } from 'zod';
import { ClassNameSchema, InputKindSchema, TaskTypeSchema } from '../../domain/task';
import { templateProblem } from '../../domain/text-template';

export const FileFormatSchema = z.enum(['jsonl', 'csv', 'parquet']);
export type FileFormat = z.infer<typeof FileFormatSchema>;

const FieldName = z.string().min(1).max(500);

/** A mapping names at most this many metadata fields; a log's other fields are not imported. */
export const MAX_METADATA_FIELDS = 1000;
/** At most this many feature columns; wider inputs come as one list field (`vector`). */
export const MAX_FEATURE_FIELDS = 4096;

export const FeaturesMappingSchema = z.discriminatedUnion('kind', [
  /** One numeric field per feature (CSV columns or flat JSON keys). */
  z.object({ kind: z.literal('fields'), fields: z.array(FieldName).min(1).max(MAX_FEATURE_FIELDS) }),
  /** One field holding an array of numbers. */
  z.object({ kind: z.literal('vector'), field: FieldName, dim: z.number().int().min(1).max(65536) }),
]);
export type FeaturesMapping = z.infer<typeof FeaturesMappingSchema>;

export const ScoresMappingSchema = z.discriminatedUnion('kind', [
  /** An array field, one number per class in `classes` order (binary: one number, or two). */
  z.object({ kind: z.literal('vector'), field: FieldName }),
  /** An object field {className: score}. */
  z.object({ kind: z.literal('object'), field: FieldName }),
  /** One column per class, in `classes` order (binary: one column holding P(classes[1])). */
  z.object({ kind: z.literal('columns'), columns: z.array(FieldName).min(1) }),
]);
export type ScoresMapping = z.infer<typeof ScoresMappingSchema>;

export const ScoreTransformSchema = z.enum(['none', 'softmax', 'sigmoid']);
export type ScoreTransform = z.infer<typeof ScoreTransformSchema>;

export const TimestampUnitSchema = z.enum(['auto', 'iso', 's', 'ms']);

export const ModelMappingSchema = z
  .object({
    nameField: FieldName.optional(),
    name: z.string().min(1).max(200).optional(),
    versionField: FieldName.optional(),
    version: z.string().min(1).max(200).optional(),
  })
  .refine((m) => m.nameField !== undefined || m.name !== undefined, {
    message: 'give a model name field or a fixed model name',
  })
  .refine((m) => m.versionField !== undefined || m.version !== undefined, {
    message: 'give a model version field or a fixed model version',
  });
export type ModelMapping = z.infer<typeof ModelMappingSchema>;

/** How the fields of one log map onto the workbench's concepts. Guessed, shown, confirmed, saved. */
export const ImportMappingSchema = z
  .object({
    id: FieldName,
    /** What an annotator reads: text, an image path, or the features themselves (tabular). */
    inputKind: InputKindSchema,
    text: FieldName.optional(),
    /**
     * The text built from several fields instead of `text`, as `{subject}\n{body}` (`{{` and `}}`
     * write a brace). Each field is kept as a named part, shown apart in Review.
     */
    textTemplate: z
      .string()
      .min(1)
      .max(2000)
      .superRefine((t, ctx) => {
        const problem = templateProblem(t);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    imagePath: FieldName.optional(),
    features: FeaturesMappingSchema.optional(),
    timestamp: z.object({ field: FieldName, unit: TimestampUnitSchema.default('auto') }).optional(),
    taskType: TaskTypeSchema,
    /** Class names in the order the log's scores use. */
    classes: z.array(ClassNameSchema).min(2).max(1000),
    scores: ScoresMappingSchema,
    scoreTransform: ScoreTransformSchema.default('none'),
    predictedLabel: FieldName.optional(),
    groundTruth: FieldName.optional(),
    model: ModelMappingSchema,
    /** Fields copied into the example's metadata JSON. */
    metadata: z.array(FieldName).max(MAX_METADATA_FIELDS).default([]),
    /** Probabilities of a multiclass row must sum to 1 within this tolerance. */
    sumTolerance: z.number().min(0).max(0.5).default(0.01),
  })
  .refine(
    (m) =>
      (m.inputKind === 'text' ? (m.text ?? m.textTemplate) : m.inputKind === 'image' ? m.imagePath : m.features) !==
      undefined,
    {
      message:
        'the input kind needs its field: text needs `text` (or `textTemplate`), image needs `imagePath`, tabular needs `features`',
    },
  )
  .refine((m) => m.text === undefined || m.textTemplate === undefined, {
    message: 'give the text as one field (`text`) or as a template (`textTemplate`), not both',
    path: ['textTemplate'],
  })
  .refine((m) => new Set(m.classes).size === m.classes.length, {
    message: 'class names must be unique',
    path: ['classes'],
  })
  .refine((m) => m.taskType !== 'binary' || m.classes.length === 2, {
    message: 'a binary task has exactly two classes: negative first, positive second',
    path: ['classes'],
  });
export type ImportMapping = z.infer<typeof ImportMappingSchema>;
export type ImportMappingInput = z.input<typeof ImportMappingSchema>;
