import { mulberry32 } from '../../../shared/features/mining';
import {
  denseClassifier,
  onnxModel,
  treeEnsembleClassifier,
  zipMapOutput,
  FLOAT,
  INT64,
  STRING,
  type TreeNode,
} from './onnx-writer';

/** Seeded weights in [−scale, scale). */
function weights(n: number, seed: number, scale = 0.5): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * scale);
}

/**
 * ONNX models for a project with `dim` features and `k` classes, built here (no downloads): the
 * graph shapes rescoring supports and the broken ones it must refuse.
 */
export function fixtureModels(dim: number, k: number): Record<string, Buffer> {
  const lr = (output: 'probabilities' | 'logits', bias = new Float32Array(k)) =>
    denseClassifier({ layers: [{ weights: weights(dim * k, 1), bias, inputs: dim, outputs: k }], output });
  const nanBias = new Float32Array(k).fill(Number.NaN);
  // Gradient-boosting style: small trees on different features, leaves scoring every class.
  const next = mulberry32(11);
  const leaf = () => Array.from({ length: k }, () => (next() / 2 ** 32) * 2 - 1);
  const tree = (f: number, g: number): TreeNode[] => [
    { feature: f, threshold: 0, yes: 1, no: 2 },
    { feature: g, threshold: -0.5, yes: 3, no: 4 },
    { feature: g, threshold: 0.5, yes: 5, no: 6 },
    { leaf: leaf() },
    { leaf: leaf() },
    { leaf: leaf() },
    { leaf: leaf() },
  ];
  return {
    lr: lr('probabilities'),
    logits: lr('logits'),
    mlp: denseClassifier({
      layers: [
        { weights: weights(dim * 64, 2), bias: weights(64, 3, 0.1), inputs: dim, outputs: 64 },
        { weights: weights(64 * 32, 4), bias: weights(32, 5, 0.1), inputs: 64, outputs: 32 },
        { weights: weights(32 * k, 6), bias: new Float32Array(k), inputs: 32, outputs: k },
      ],
    }),
    text: textPipeline(k),
    sklearn: sklearnStyle(weights(dim * k, 9), dim, k),
    trees: treeEnsembleClassifier([tree(0, 1), tree(2, 3), tree(4, 5 % dim)], dim, k),
    'wrong-dim': denseClassifier({
      layers: [{ weights: weights((dim + 3) * k, 7), bias: new Float32Array(k), inputs: dim + 3, outputs: k }],
    }),
    'wrong-classes': denseClassifier({
      layers: [{ weights: weights(dim * (k + 2), 8), bias: new Float32Array(k + 2), inputs: dim, outputs: k + 2 }],
    }),
    nan: lr('logits', nanBias),
    'custom-op': onnxModel({
      name: 'custom',
      nodes: [{ op: 'SecretSauce', domain: 'com.example', inputs: ['features'], outputs: ['probabilities'] }],
      initializers: [],
      inputs: [{ name: 'features', elemType: FLOAT, shape: ['batch', dim] }],
      outputs: [{ name: 'probabilities', elemType: FLOAT, shape: ['batch', k] }],
      extraOpsets: [{ domain: 'com.example', version: 1 }],
    }),
  };
}

/**
 * Softmax regression fitted by gradient descent (full batch, L2): how the demo's "retrained" model
 * is made from labeled feature vectors, so the flywheel can be shown end to end offline.
 */
export function trainSoftmax(
  features: Float32Array,
  labels: Int32Array,
  dim: number,
  k: number,
  epochs = 200,
  /** The class names, written into the model's metadata so its column order travels with it. */
  classes?: readonly string[],
) {
  const n = labels.length;
  const w = new Float32Array(dim * k);
  const b = new Float32Array(k);
  const rate = 0.5;
  const l2 = 1e-3;
  const logits = new Float64Array(k);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gw = new Float64Array(dim * k);
    const gb = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let z = b[c]!;
        for (let j = 0; j < dim; j++) z += features[i * dim + j]! * w[j * k + c]!;
        logits[c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += logits[c] = Math.exp(logits[c]! - max);
      for (let c = 0; c < k; c++) {
        const g = logits[c]! / sum - (labels[i] === c ? 1 : 0);
        gb[c]! += g;
        for (let j = 0; j < dim; j++) gw[j * k + c]! += g * features[i * dim + j]!;
      }
    }
    for (let c = 0; c < k; c++) b[c]! -= (rate * gb[c]!) / n;
    for (let x = 0; x < w.length; x++) w[x]! -= rate * (gw[x]! / n + l2 * w[x]!);
  }
  return denseClassifier({
    layers: [{ weights: w, bias: b, inputs: dim, outputs: k }],
    ...(classes ? { metadata: { classes: JSON.stringify(classes) } } : {}),
  });
}

/** Sentiment words of the demo's review texts and the class each one leans to. */
const SENTIMENT_WORDS: [string, number][] = [
  ['love', 2],
  ['excellent', 2],
  ['great', 2],
  ['impressive', 2],
  ['lovely', 2],
  ['best', 2],
  ['perfect', 2],
  ['recommend', 2],
  ['happy', 2],
  ['worth', 2],
  ['broken', 0],
  ['terrible', 0],
  ['worst', 0],
  ['refund', 0],
  ['disappointed', 0],
  ['returned', 0],
  ['poor', 0],
  ['waste', 0],
  ['awful', 0],
  ['never', 0],
  ['okay', 1],
  ['fine', 1],
  ['average', 1],
  ['expected', 1],
  ['decent', 1],
  ['remarkable', 1],
  ['nothing', 1],
  ['ordinary', 1],
];

/**
 * A string-input text classifier whose graph tokenizes by itself, as sklearn pipelines exported
 * with skl2onnx do: StringNormalizer (lower case) → Tokenizer (com.microsoft, runs of letters) →
 * TfIdfVectorizer (term counts over a vocabulary) → linear layer → softmax.
 */
export function textPipeline(k: number): Buffer {
  const vocab = SENTIMENT_WORDS.map(([w]) => w);
  const v = vocab.length;
  const weights = new Float32Array(v * k);
  SENTIMENT_WORDS.forEach(([, cls], i) => {
    for (let c = 0; c < k; c++) weights[i * k + c] = c === cls % k ? 1.2 : -0.4;
  });
  return onnxModel({
    name: 'text-pipeline',
    nodes: [
      {
        op: 'StringNormalizer',
        inputs: ['text'],
        outputs: ['normalized'],
        stringAttrs: { case_change_action: 'LOWER', locale: 'C' },
      },
      {
        op: 'Tokenizer',
        domain: 'com.microsoft',
        inputs: ['normalized'],
        outputs: ['tokens'],
        intAttrs: { mark: 0, mincharnum: 1 },
        stringAttrs: { pad_value: '#', tokenexp: '[a-z]+' },
      },
      {
        op: 'TfIdfVectorizer',
        inputs: ['tokens'],
        outputs: ['counts'],
        intAttrs: { min_gram_length: 1, max_gram_length: 1, max_skip_count: 0 },
        intsAttrs: { ngram_counts: [0], ngram_indexes: vocab.map((_, i) => i) },
        stringAttrs: { mode: 'TF' },
        stringsAttrs: { pool_strings: vocab },
      },
      { op: 'MatMul', inputs: ['counts', 'W'], outputs: ['mm'] },
      { op: 'Add', inputs: ['mm', 'b'], outputs: ['z'] },
      { op: 'Softmax', inputs: ['z'], outputs: ['probabilities'], intAttrs: { axis: -1 } },
    ],
    initializers: [
      { name: 'W', dims: [v, k], values: weights },
      { name: 'b', dims: [k], values: new Float32Array(k) },
    ],
    inputs: [{ name: 'text', elemType: STRING, shape: ['batch'] }],
    outputs: [{ name: 'probabilities', elemType: FLOAT, shape: ['batch', k] }],
    extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
  });
}

/**
 * A classifier shaped like skl2onnx's output: `output_label` (int64) and `output_probability`, a
 * ZipMap sequence of {class: probability} maps, behind a softmax regression.
 */
export function sklearnStyle(w: Float32Array, dim: number, k: number, labels?: string[]): Buffer {
  return onnxModel({
    name: 'sklearn-style',
    nodes: [
      { op: 'MatMul', inputs: ['float_input', 'coef'], outputs: ['mm'] },
      { op: 'Add', inputs: ['mm', 'intercept'], outputs: ['scores'] },
      { op: 'Softmax', inputs: ['scores'], outputs: ['probability_tensor'], intAttrs: { axis: -1 } },
      { op: 'ArgMax', inputs: ['probability_tensor'], outputs: ['output_label'], intAttrs: { axis: 1, keepdims: 0 } },
      {
        op: 'ZipMap',
        domain: 'ai.onnx.ml',
        inputs: ['probability_tensor'],
        outputs: ['output_probability'],
        ...(labels
          ? { stringsAttrs: { classlabels_strings: labels } }
          : { intsAttrs: { classlabels_int64s: Array.from({ length: k }, (_, i) => i) } }),
      },
    ],
    initializers: [
      { name: 'coef', dims: [dim, k], values: w },
      { name: 'intercept', dims: [k], values: new Float32Array(k) },
    ],
    inputs: [{ name: 'float_input', elemType: FLOAT, shape: ['batch', dim] }],
    outputs: [{ name: 'output_label', elemType: INT64, shape: ['batch'] }],
    rawOutputs: [zipMapOutput('output_probability', labels ? STRING : INT64)],
    extraOpsets: [{ domain: 'ai.onnx.ml', version: 1 }],
  });
}
