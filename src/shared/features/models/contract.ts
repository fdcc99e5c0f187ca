import { z } from 'zod';
import { method } from '../../api/method';
import { ProjectRefSchema } from '../projects/contract';
import { VALUE_SOURCES } from './model-card';

export const DeviceSchema = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);
export type Device = z.infer<typeof DeviceSchema>;

/**
 * Which example field feeds the model: the feature vector as one float tensor [batch, dim], or the
 * text as one string tensor ([batch] or [batch, 1]) for models that tokenize inside the graph.
 */
/**
 * What text a text or tokenizer model reads: absent, the example's text; `template`, a template
 * over the example's text (`{text}`), its text parts and its metadata (`{subject}\n{body}`);
 * `pair` (tokenizer folders), two such templates encoded as a text pair ([CLS] a [SEP] b [SEP]).
 */
const TextInputFields = {
  template: z.string().min(1).max(2000).optional(),
  pair: z.tuple([z.string().min(1).max(2000), z.string().min(1).max(2000)]).optional(),
};

export const InputMappingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('features'), input: z.string(), dim: z.number().int() }),
  z.object({
    kind: z.literal('text'),
    input: z.string(),
    rank: z.union([z.literal(1), z.literal(2)]),
    ...TextInputFields,
  }),
  /** A Hugging Face style folder: the text goes through tokenizer.json into these int64 inputs. */
  z.object({
    kind: z.literal('tokens'),
    inputIds: z.string(),
    attentionMask: z.string(),
    tokenTypeIds: z.string().nullable(),
    maxLength: z.number().int(),
    ...TextInputFields,
  }),
]);
export type InputMapping = z.infer<typeof InputMappingSchema>;
/**
 * What the model gives: probabilities, or logits the workbench turns into probabilities; or, for a
 * sentence encoder (a tokenizer folder whose output is [batch, sequence, hidden]), token states the
 * workbench mean-pools into an embedding of `width` numbers (a learner representation, not scores).
 */
export const OutputMappingSchema = z.object({
  output: z.string(),
  kind: z.enum(['probabilities', 'logits', 'embedding']),
  width: z.number().int(),
  /** The model's class names in its column order, where the model (or models.add) names them. */
  modelClasses: z.array(z.string()).optional(),
  /** For each project class, the model column holding it (absent: the project's order). */
  classOrder: z.array(z.number().int()).optional(),
  /** Binary models: P(the project's second class) at or above this predicts it (absent: 0.5). */
  threshold: z.number().gt(0).lt(1).optional(),
});

export const ModelSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.string(),
  sha256: z.string(),
  file: z.string(),
  inputMapping: InputMappingSchema,
  outputMapping: OutputMappingSchema,
  createdAt: z.number(),
});
export type RegisteredModel = z.infer<typeof ModelSchema>;

export const RescoreResultSchema = z.object({
  modelRunId: z.number().int(),
  rows: z.number().int(),
  resumedFrom: z.number().int(),
  device: z.string(),
  /** Why each provider tried before the one that ran was not used. */
  deviceNotes: z.array(z.string()),
  /** Which library tokenized the text (folders with tokenizer.json), else null. */
  tokenizer: z.string().nullable(),
  rowsPerSecond: z.number(),
  /**
   * The share of the job's time the model process spent in session.run (0–1): near 1, the model is
   * what limits the job; well below, reading, tokenizing or writing does.
   */
  modelBusy: z.number().optional(),
});

const InputTemplate = z.string().min(1).max(2000);
/** Checked by the handler (not the schema), so that one field alone gets a message about pairs. */
const InputPair = z.array(z.string().min(1).max(2000)).min(1).max(8);

export const modelsContract = {
  'models.add': method({
    input: z
      .object({
        project: ProjectRefSchema,
        path: z.string().min(1).max(4096),
        name: z.string().trim().min(1).max(100).optional(),
        version: z.string().trim().min(1).max(100).optional(),
        /**
         * The model's classes in its score columns' order, for a model that does not name them
         * (they must agree with the names it gives, if it does). Matched to the project's by name.
         */
        classes: z.array(z.string().trim().min(1).max(200)).min(1).max(10_000).optional(),
        /** Default: inferred from the output's name, or from whether a probe batch sums to 1. */
        outputKind: z.enum(['probabilities', 'logits']).optional(),
        /** Binary projects: the score at or above which the model predicts the second class (default 0.5). */
        threshold: z.number().gt(0).lt(1).optional(),
        /**
         * A model card (JSON file): name, version, classes, threshold, outputKind, trainedOn /
         * trainUntil, inputTemplate / inputPair, for those not given here (these win over the card,
         * the card over the model's own metadata).
         */
        card: z.string().min(1).max(4096).optional(),
        /** Lineage: an export of this workbench the model was trained on (all but its test split). */
        trainedOn: z.number().int().positive().optional(),
        /** Lineage: the model was trained on examples before this time (epoch ms or ISO date). */
        trainUntil: z.union([z.number().int(), z.string().min(1).max(40)]).optional(),
        /** The text the model reads, as a template over the example's text, text parts and metadata. */
        inputTemplate: InputTemplate.optional(),
        /** Tokenizer folders: two fields (or templates) encoded as a text pair, e.g. ['query', 'document']. */
        inputPair: InputPair.optional(),
      })
      .strict(),
    output: ModelSchema.extend({
      /** What was assumed rather than read from the model (e.g. its class order). */
      warnings: z.array(z.string()),
      /** Which library tokenizes the text (folders with tokenizer.json), else null. */
      tokenizer: z.string().nullable(),
      /** Where each value not inferred from the graph came from (name, version, classes, threshold, lineage, input…). */
      from: z.record(z.string(), z.enum(VALUE_SOURCES)),
    }),
    summary: 'Register an ONNX model: copied into the data folder with its sha256; mappings inferred and checked',
  }),
  'models.update': method({
    input: z
      .object({
        project: ProjectRefSchema,
        model: z.union([z.number().int().positive(), z.string().min(1).max(300)]),
        /** The graph input fed the features or the text (not for tokenizer folders). */
        input: z.string().min(1).max(300).optional(),
        /** Tokenizer folders: the longest token sequence fed to the model. */
        maxLength: z.number().int().min(2).max(8192).optional(),
        output: z.string().min(1).max(300).optional(),
        outputKind: z.enum(['probabilities', 'logits']).optional(),
        /** A template for the text the model reads; null: the example's text again. */
        inputTemplate: InputTemplate.nullable().optional(),
        /** Tokenizer folders: two fields (or templates) fed as a text pair; null: one text again. */
        inputPair: InputPair.nullable().optional(),
      })
      .strict(),
    output: ModelSchema,
    summary: "Edit a model's mappings; checked against the graph and a probe batch before they are saved",
  }),
  'models.list': method({
    input: ProjectRefSchema,
    output: z.array(ModelSchema),
    summary: 'Models registered for a project',
  }),
  'models.rescore': method({
    input: z
      .object({
        project: ProjectRefSchema,
        model: z.union([z.number().int().positive(), z.string().min(1).max(300)]),
        device: DeviceSchema.default('auto'),
        batchSize: z.number().int().min(1).max(65_536).default(4096),
        /** The model process is stopped past this resident size (default: FLYWHEEL_MODEL_MEMORY_MB or half the RAM). */
        memoryLimitMb: z.number().int().min(32).max(1_048_576).optional(),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
    summary: 'Score every example with a registered model into a new model run (a resumable job)',
  }),
};

export type RescoreResult = z.infer<typeof RescoreResultSchema>;
