import { z } from 'zod';

/**
 * A model card (`model add --card model.json`): what registering a model needs to know that the
 * command line does not say. The command line wins over the card, the card over the ONNX metadata.
 */
export const ModelCardSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    version: z.string().trim().min(1).max(100),
    /** The model's classes in its score columns' order. */
    classes: z.array(z.string().trim().min(1).max(200)).min(1).max(10_000),
    /** Binary models: P(the project's second class) at or above this is that class (default 0.5). */
    threshold: z.number().gt(0).lt(1),
    outputKind: z.enum(['probabilities', 'logits']),
    /** Training lineage: an export of this workbench the model was trained on (all but its test split). */
    trainedOn: z.number().int().positive(),
    /** Training lineage: the model was trained on examples before this time (epoch ms or ISO date). */
    trainUntil: z.union([z.number().int(), z.string().min(1).max(40)]),
    /** The text the model reads, as a template over the example's text, text parts and metadata. */
    inputTemplate: z.string().min(1).max(2000),
    /** Tokenizer folders: two fields (or templates) encoded as a text pair. */
    inputPair: z.array(z.string().min(1).max(2000)).min(1).max(8),
  })
  .partial()
  .strict();
export type ModelCard = z.infer<typeof ModelCardSchema>;

export const MODEL_CARD_KEYS = Object.keys(ModelCardSchema.shape) as (keyof ModelCard)[];

/** Where a registered model's name, version, classes, threshold, lineage and input came from. */
export const VALUE_SOURCES = [
  'command line',
  'model card',
  'ONNX metadata',
  'config.json',
  'file name',
  'checksum',
] as const;
export type ValueSource = (typeof VALUE_SOURCES)[number];
