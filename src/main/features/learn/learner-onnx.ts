/**
 * The learner as an ONNX graph: its linear head (MatMul + Add, then Sigmoid for binary and
 * multilabel, Softmax for multiclass) over the logged features (standardised as the learner saw
 * them), or appended to a sentence encoder's graph after mean pooling over the attention mask and
 * an L2 norm, so that the file takes the encoder's own inputs.
 */
import { lengthDelimited, readFields } from '../models/onnx-reader';
import {
  FLOAT,
  metadataEntryBytes,
  nodeBytes,
  onnxModel,
  tensorBytes,
  valueInfoBytes,
  type NodeSpec,
  type TensorSpec,
} from '../models/onnx-writer';

/** What the graph needs of a fitted LogisticModel. */
export interface LinearHead {
  task: 'binary' | 'multiclass' | 'multilabel';
  dim: number;
  classes: number;
  /** outputs×dim, row-major (outputs = 1 for binary, else classes). */
  weights: Float64Array;
  bias: Float64Array;
}

/** The graph's output: class probabilities [batch, classes] (binary: [1 − p, p]). */
export const LEARNER_OUTPUT = 'probabilities';
/** Every name the learner adds to an encoder's graph starts so, apart from the output. */
const P = 'learner/';

function outputsOf(head: LinearHead): number {
  return head.task === 'binary' ? 1 : head.classes;
}

/** The head over `input` [batch, dim]: nodes and initializers, ending in LEARNER_OUTPUT. */
function headGraph(head: LinearHead, input: string): { nodes: NodeSpec[]; initializers: TensorSpec[] } {
  const outputs = outputsOf(head);
  if (head.weights.length !== outputs * head.dim || head.bias.length !== outputs)
    throw new RangeError(`the learner's weights are not ${outputs}×${head.dim} with ${outputs} biases`);
  // [dim, outputs] for MatMul: the transpose of the learner's row-major outputs×dim.
  const w = new Float32Array(head.dim * outputs);
  for (let k = 0; k < outputs; k++)
    for (let j = 0; j < head.dim; j++) w[j * outputs + k] = head.weights[k * head.dim + j]!;
  const initializers: TensorSpec[] = [
    { name: `${P}W`, dims: [head.dim, outputs], values: w },
    { name: `${P}b`, dims: [outputs], values: Float32Array.from(head.bias) },
  ];
  const nodes: NodeSpec[] = [
    { op: 'MatMul', inputs: [input, `${P}W`], outputs: [`${P}mm`] },
    { op: 'Add', inputs: [`${P}mm`, `${P}b`], outputs: [`${P}z`] },
  ];
  if (head.task === 'multiclass') {
    nodes.push({ op: 'Softmax', inputs: [`${P}z`], outputs: [LEARNER_OUTPUT], intAttrs: { axis: 1 } });
  } else if (head.task === 'multilabel') {
    nodes.push({ op: 'Sigmoid', inputs: [`${P}z`], outputs: [LEARNER_OUTPUT] });
  } else {
    initializers.push({ name: `${P}one`, dims: [], values: Float32Array.of(1) });
    nodes.push(
      { op: 'Sigmoid', inputs: [`${P}z`], outputs: [`${P}p`] },
      { op: 'Sub', inputs: [`${P}one`, `${P}p`], outputs: [`${P}q`] },
      { op: 'Concat', inputs: [`${P}q`, `${P}p`], outputs: [LEARNER_OUTPUT], intAttrs: { axis: 1 } },
    );
  }
  return { nodes, initializers };
}

/** features [batch, dim] → (x − mean) / std → the head. */
export function featuresLearnerOnnx(
  head: LinearHead,
  scaling: { mean: ArrayLike<number>; std: ArrayLike<number> } | null,
  metadata: Record<string, string>,
): Buffer {
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  let input = 'features';
  if (scaling) {
    if (scaling.mean.length !== head.dim || scaling.std.length !== head.dim)
      throw new RangeError(`the learner's feature scaling is not ${head.dim} wide`);
    initializers.push(
      { name: `${P}mean`, dims: [head.dim], values: Float32Array.from(scaling.mean) },
      { name: `${P}std`, dims: [head.dim], values: Float32Array.from(scaling.std) },
    );
    nodes.push(
      { op: 'Sub', inputs: ['features', `${P}mean`], outputs: [`${P}centred`] },
      { op: 'Div', inputs: [`${P}centred`, `${P}std`], outputs: [`${P}x`] },
    );
    input = `${P}x`;
  }
  const body = headGraph(head, input);
  return onnxModel({
    name: 'learner',
    nodes: [...nodes, ...body.nodes],
    initializers: [...initializers, ...body.initializers],
    inputs: [{ name: 'features', elemType: FLOAT, shape: ['batch', head.dim] }],
    outputs: [{ name: LEARNER_OUTPUT, elemType: FLOAT, shape: ['batch', head.classes] }],
    // Opset 13: Softmax over the class axis alone.
    opset: 13,
    metadata,
  });
}

/**
 * Pooling in ops every opset since 8 has unchanged: the mask [b, s] as [b, 1, s] times the states
 * [b, s, h] is the masked sum [b, 1, h]; the L2 norm makes dividing by the token count needless.
 */
function poolingGraph(states: string, mask: string, hidden: number): { nodes: NodeSpec[]; initializers: TensorSpec[] } {
  return {
    initializers: [
      { name: `${P}rowShape`, dims: [3], values: BigInt64Array.of(0n, 1n, -1n) },
      { name: `${P}flatShape`, dims: [2], values: BigInt64Array.of(0n, -1n) },
      { name: `${P}ones`, dims: [hidden, 1], values: new Float32Array(hidden).fill(1) },
      { name: `${P}tiny`, dims: [], values: Float32Array.of(1e-12) },
    ],
    nodes: [
      { op: 'Cast', inputs: [mask], outputs: [`${P}maskf`], intAttrs: { to: FLOAT } },
      { op: 'Reshape', inputs: [`${P}maskf`, `${P}rowShape`], outputs: [`${P}mask3`] },
      { op: 'MatMul', inputs: [`${P}mask3`, states], outputs: [`${P}sum3`] },
      { op: 'Reshape', inputs: [`${P}sum3`, `${P}flatShape`], outputs: [`${P}sum`] },
      { op: 'Mul', inputs: [`${P}sum`, `${P}sum`], outputs: [`${P}squares`] },
      { op: 'MatMul', inputs: [`${P}squares`, `${P}ones`], outputs: [`${P}sumsq`] },
      { op: 'Sqrt', inputs: [`${P}sumsq`], outputs: [`${P}norm`] },
      { op: 'Max', inputs: [`${P}norm`, `${P}tiny`], outputs: [`${P}safeNorm`] },
      { op: 'Div', inputs: [`${P}sum`, `${P}safeNorm`], outputs: [`${P}embedding`] },
    ],
  };
}

// onnx.proto field numbers
const MODEL_GRAPH = 7;
const MODEL_METADATA = 14;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_OUTPUT = 12;

/**
 * The encoder's model with the learner appended: its nodes, initializers and inputs kept byte for
 * byte, its outputs replaced by LEARNER_OUTPUT, its metadata by the learner's.
 */
export function encoderLearnerOnnx(
  encoder: Buffer,
  names: { states: string; mask: string; hidden: number },
  head: LinearHead,
  metadata: Record<string, string>,
): Buffer {
  if (head.dim !== names.hidden)
    throw new RangeError(`the learner takes ${head.dim} numbers, the encoder gives ${names.hidden}`);
  const top = readFields(encoder);
  const graphField = top.find((f) => f.number === MODEL_GRAPH);
  if (!graphField || !Buffer.isBuffer(graphField.value)) throw new Error('the encoder file has no graph');
  const pooling = poolingGraph(names.states, names.mask, names.hidden);
  const body = headGraph(head, `${P}embedding`);
  const nodes = [...pooling.nodes, ...body.nodes];
  const graph = Buffer.concat([
    ...readFields(graphField.value)
      .filter((f) => f.number !== GRAPH_OUTPUT)
      .map((f) => f.raw),
    ...nodes.map((n, i) => lengthDelimited(GRAPH_NODE, nodeBytes({ ...n, name: n.name ?? `${P}${n.op}_${i}` }, i))),
    ...[...pooling.initializers, ...body.initializers].map((t) => lengthDelimited(GRAPH_INITIALIZER, tensorBytes(t))),
    lengthDelimited(
      GRAPH_OUTPUT,
      valueInfoBytes({ name: LEARNER_OUTPUT, elemType: FLOAT, shape: ['batch', head.classes] }),
    ),
  ]);
  return Buffer.concat([
    ...top.filter((f) => f.number !== MODEL_GRAPH && f.number !== MODEL_METADATA).map((f) => f.raw),
    lengthDelimited(MODEL_GRAPH, graph),
    ...Object.entries(metadata).map(([k, v]) => lengthDelimited(MODEL_METADATA, metadataEntryBytes(k, v))),
  ]);
}
