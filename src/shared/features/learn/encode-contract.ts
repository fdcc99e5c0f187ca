import { z } from 'zod';
import { method } from '../../api/method';
import { DeviceSchema } from '../models/contract';
import { ProjectRefSchema } from '../projects/contract';

const EncoderRef = z.union([z.number().int().positive(), z.string().min(1).max(300)]);

export const EmbedResultSchema = z.object({
  encoder: z.string(),
  modelId: z.number().int(),
  /** Numbers per embedding (the encoder's hidden size). */
  dim: z.number().int(),
  /** Examples embedded by this pass. */
  rows: z.number().int(),
  /** Embeddings stored for this encoder in all. */
  stored: z.number().int(),
  /** The example id this pass continued after (0: from the start). */
  resumedFrom: z.number().int(),
  device: z.string(),
  rowsPerSecond: z.number(),
  /** The share of the pass the model process spent in session.run (0–1). */
  modelBusy: z.number(),
});
export type EmbedResult = z.infer<typeof EmbedResultSchema>;

export const EmbeddingColumnSchema = z.object({
  encoder: z.string(),
  modelId: z.number().int(),
  dim: z.number().int(),
  stored: z.number().int(),
  /** Examples with text the pass has not reached yet (0 once complete). */
  pending: z.number().int(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  error: z.string().nullable(),
  updatedAt: z.number(),
});
export type EmbeddingColumn = z.infer<typeof EmbeddingColumnSchema>;

export const LearnerExportSchema = z.object({
  /** model.onnx, or the folder holding model.onnx and the encoder's tokenizer files. */
  path: z.string(),
  files: z.array(z.string()),
  representation: z.string(),
  name: z.string(),
  version: z.string(),
  classes: z.array(z.string()),
  /** Examples the learner was fitted on (recorded in the file as its training lineage). */
  trainingExamples: z.number().int(),
  /** How to register it. */
  next: z.string(),
});
export type LearnerExport = z.infer<typeof LearnerExportSchema>;

export const learnEncodeContract = {
  'learn.embed': method({
    input: z
      .object({
        project: ProjectRefSchema,
        /** A registered sentence encoder: id, name or name@version. */
        encoder: EncoderRef,
        device: DeviceSchema.default('auto'),
        batchSize: z.number().int().min(1).max(65_536).default(1024),
        /** Drop the stored embeddings of this encoder first and compute them all again. */
        reset: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
    summary:
      "Compute a sentence encoder's embedding of every example's text (a resumable job): mean pooling over the attention mask, L2 norm",
  }),
  'learn.embeddings': method({
    input: ProjectRefSchema,
    output: z.array(EmbeddingColumnSchema),
    summary: "The project's stored embedding columns: encoder, width, how many, complete or not",
  }),
  'learn.export': method({
    input: z
      .object({
        project: ProjectRefSchema,
        /** Where to write: a .onnx file (features), a folder (embeddings: model.onnx with the tokenizer). */
        out: z.string().min(1).max(4096),
        overwrite: z.boolean().default(false),
      })
      .strict(),
    output: LearnerExportSchema,
    summary:
      "Write the project's current learner as ONNX, with its classes, version and training lineage in the file's metadata",
  }),
};
