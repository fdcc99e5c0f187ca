/**
 * A minimal ONNX (protobuf) writer for the graphs the workbench builds itself: demo models and
 * test fixtures (linear and MLP classifiers, and broken variants). Field numbers follow onnx.proto.
 */

class Proto {
  private readonly parts: Buffer[] = [];

  private varint(n: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(n));
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v > 0n);
    this.parts.push(Buffer.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number): this {
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  bytes(field: number, value: Buffer): this {
    this.key(field, 2);
    this.varint(value.length);
    this.parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: Proto): this {
    return this.bytes(field, value.toBuffer());
  }

  packedInts(field: number, values: readonly number[]): this {
    const inner = new Proto();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.toBuffer());
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export const FLOAT = 1;
export const INT64 = 7;
export const STRING = 8;

export interface TensorSpec {
  name: string;
  dims: number[];
  /** float32 values, or int64 ones (a shape, say). */
  values: Float32Array | BigInt64Array;
}

export interface NodeSpec {
  op: string;
  /** Default: the op and its place in the graph. */
  name?: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  intAttrs?: Record<string, number>;
  floatAttrs?: Record<string, number>;
  intsAttrs?: Record<string, number[]>;
  floatsAttrs?: Record<string, number[]>;
  stringsAttrs?: Record<string, string[]>;
  stringAttrs?: Record<string, string>;
}

export interface ValueSpec {
  name: string;
  elemType: number;
  /** A number for a fixed size, a string for a named dynamic one (e.g. 'batch'). */
  shape: (number | string)[];
}

function tensor(t: TensorSpec): Proto {
  return new Proto()
    .packedInts(1, t.dims)
    .int(2, t.values instanceof BigInt64Array ? INT64 : FLOAT)
    .string(8, t.name)
    .bytes(9, Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength));
}

function node(n: NodeSpec, i: number): Proto {
  const p = new Proto();
  for (const input of n.inputs) p.string(1, input);
  for (const output of n.outputs) p.string(2, output);
  p.string(3, n.name ?? `${n.op.toLowerCase()}_${i}`).string(4, n.op);
  for (const [name, value] of Object.entries(n.intAttrs ?? {})) {
    p.message(5, new Proto().string(1, name).int(3, value).int(20, 2)); // AttributeProto INT
  }
  for (const [name, value] of Object.entries(n.floatAttrs ?? {})) {
    const f = Buffer.alloc(4);
    f.writeFloatLE(value);
    const attr = new Proto().string(1, name);
    (attr as unknown as { parts: Buffer[] }).parts.push(Buffer.from([0x15]), f); // field 2, fixed32
    p.message(5, attr.int(20, 1)); // AttributeProto FLOAT
  }
  for (const [name, values] of Object.entries(n.floatsAttrs ?? {})) {
    const packed = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => packed.writeFloatLE(v, i * 4));
    p.message(5, new Proto().string(1, name).bytes(7, packed).int(20, 6)); // AttributeProto FLOATS
  }
  for (const [name, values] of Object.entries(n.intsAttrs ?? {})) {
    p.message(5, new Proto().string(1, name).packedInts(8, values).int(20, 7)); // AttributeProto INTS
  }
  for (const [name, values] of Object.entries(n.stringsAttrs ?? {})) {
    const attr = new Proto().string(1, name);
    for (const v of values) attr.string(9, v);
    p.message(5, attr.int(20, 8)); // AttributeProto STRINGS
  }
  for (const [name, value] of Object.entries(n.stringAttrs ?? {})) {
    p.message(5, new Proto().string(1, name).string(4, value).int(20, 3)); // AttributeProto STRING
  }
  if (n.domain) p.string(7, n.domain);
  return p;
}

function valueInfo(v: ValueSpec): Proto {
  const shape = new Proto();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new Proto().int(1, d) : new Proto().string(2, d));
  const tensorType = new Proto().int(1, v.elemType).message(2, shape);
  return new Proto().string(1, v.name).message(2, new Proto().message(1, tensorType));
}

/** Serialises a single-graph ONNX model (IR 8, opset 17 by default). */
export function onnxModel(graph: {
  name: string;
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  /** Outputs of non-tensor types, already encoded (see zipMapOutput). */
  rawOutputs?: Buffer[];
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
  /** metadata_props: what exporters write about the model (classes, name, version, …). */
  metadata?: Record<string, string>;
}): Buffer {
  const g = new Proto();
  graph.nodes.forEach((n, i) => g.message(1, node(n, i)));
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensor(t));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  for (const raw of graph.rawOutputs ?? []) g.bytes(12, raw);
  const model = new Proto().int(1, 8).string(2, 'flywheel-workbench').string(3, '1').message(7, g);
  model.message(8, new Proto().string(1, '').int(2, graph.opset ?? 17));
  for (const o of graph.extraOpsets ?? []) model.message(8, new Proto().string(1, o.domain).int(2, o.version));
  for (const [key, value] of Object.entries(graph.metadata ?? {})) {
    model.message(14, new Proto().string(1, key).string(2, value)); // StringStringEntryProto
  }
  return model.toBuffer();
}

/**
 * A dense classifier over a float feature vector: `hidden` ReLU layers (none: logistic/softmax
 * regression), then softmax probabilities. Weights are row-major [in, out].
 */
export function denseClassifier(opts: {
  layers: { weights: Float32Array; bias: Float32Array; inputs: number; outputs: number }[];
  inputName?: string;
  outputName?: string;
  /** 'probabilities' ends with Softmax; 'logits' leaves the raw scores. */
  output?: 'probabilities' | 'logits';
  metadata?: Record<string, string>;
}): Buffer {
  const inputName = opts.inputName ?? 'features';
  const outputName = opts.outputName ?? (opts.output === 'logits' ? 'logits' : 'probabilities');
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  let current = inputName;
  opts.layers.forEach((layer, i) => {
    initializers.push({ name: `W${i}`, dims: [layer.inputs, layer.outputs], values: layer.weights });
    initializers.push({ name: `b${i}`, dims: [layer.outputs], values: layer.bias });
    nodes.push({ op: 'MatMul', inputs: [current, `W${i}`], outputs: [`mm${i}`] });
    const last = i === opts.layers.length - 1;
    const sum = last && opts.output === 'logits' ? outputName : `z${i}`;
    nodes.push({ op: 'Add', inputs: [`mm${i}`, `b${i}`], outputs: [sum] });
    if (!last) {
      nodes.push({ op: 'Relu', inputs: [sum], outputs: [`h${i}`] });
      current = `h${i}`;
    } else if (opts.output !== 'logits') {
      nodes.push({ op: 'Softmax', inputs: [sum], outputs: [outputName], intAttrs: { axis: -1 } });
    }
  });
  const first = opts.layers[0]!;
  const last = opts.layers.at(-1)!;
  return onnxModel({
    name: 'dense-classifier',
    nodes,
    initializers,
    inputs: [{ name: inputName, elemType: FLOAT, shape: ['batch', first.inputs] }],
    outputs: [{ name: outputName, elemType: FLOAT, shape: ['batch', last.outputs] }],
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
  });
}

/** One split of a decision tree: `feature < threshold` goes to `yes`, else `no` (node indexes). */
export interface TreeNode {
  feature?: number;
  threshold?: number;
  yes?: number;
  no?: number;
  /** Leaf: a score per class. */
  leaf?: number[];
}

/**
 * An ai.onnx.ml TreeEnsembleClassifier (what XGBoost and LightGBM models become) with tensor
 * outputs: `label` (int64) and `probabilities` [batch, classes] after a softmax of the summed leaves.
 */
export function treeEnsembleClassifier(trees: TreeNode[][], dim: number, classes: number): Buffer {
  const a = {
    nodes_treeids: [] as number[],
    nodes_nodeids: [] as number[],
    nodes_featureids: [] as number[],
    nodes_values: [] as number[],
    nodes_modes: [] as string[],
    nodes_truenodeids: [] as number[],
    nodes_falsenodeids: [] as number[],
    class_treeids: [] as number[],
    class_nodeids: [] as number[],
    class_ids: [] as number[],
    class_weights: [] as number[],
  };
  trees.forEach((tree, t) =>
    tree.forEach((node, id) => {
      a.nodes_treeids.push(t);
      a.nodes_nodeids.push(id);
      if (node.leaf) {
        a.nodes_featureids.push(0);
        a.nodes_values.push(0);
        a.nodes_modes.push('LEAF');
        a.nodes_truenodeids.push(0);
        a.nodes_falsenodeids.push(0);
        node.leaf.forEach((w, c) => {
          a.class_treeids.push(t);
          a.class_nodeids.push(id);
          a.class_ids.push(c);
          a.class_weights.push(w);
        });
      } else {
        a.nodes_featureids.push(node.feature!);
        a.nodes_values.push(node.threshold!);
        a.nodes_modes.push('BRANCH_LT');
        a.nodes_truenodeids.push(node.yes!);
        a.nodes_falsenodeids.push(node.no!);
      }
    }),
  );
  return onnxModel({
    name: 'tree-ensemble',
    nodes: [
      {
        op: 'TreeEnsembleClassifier',
        domain: 'ai.onnx.ml',
        inputs: ['features'],
        outputs: ['label', 'probabilities'],
        intsAttrs: {
          nodes_treeids: a.nodes_treeids,
          nodes_nodeids: a.nodes_nodeids,
          nodes_featureids: a.nodes_featureids,
          nodes_truenodeids: a.nodes_truenodeids,
          nodes_falsenodeids: a.nodes_falsenodeids,
          class_treeids: a.class_treeids,
          class_nodeids: a.class_nodeids,
          class_ids: a.class_ids,
          classlabels_int64s: Array.from({ length: classes }, (_, i) => i),
        },
        floatsAttrs: { nodes_values: a.nodes_values, class_weights: a.class_weights },
        stringsAttrs: { nodes_modes: a.nodes_modes },
        stringAttrs: { post_transform: 'SOFTMAX' },
      },
    ],
    initializers: [],
    inputs: [{ name: 'features', elemType: FLOAT, shape: ['batch', dim] }],
    outputs: [
      { name: 'label', elemType: INT64, shape: ['batch'] },
      { name: 'probabilities', elemType: FLOAT, shape: ['batch', classes] },
    ],
    extraOpsets: [{ domain: 'ai.onnx.ml', version: 3 }],
  });
}

/** A graph output typed sequence<map<int64 or string, float>>: what sklearn's ZipMap produces. */
export function zipMapOutput(name: string, keyType = INT64): Buffer {
  const floatTensor = new Proto().message(1, new Proto().int(1, FLOAT));
  const map = new Proto().int(1, keyType).message(2, floatTensor);
  const sequence = new Proto().message(1, new Proto().message(5, map));
  return new Proto().string(1, name).message(2, new Proto().message(4, sequence)).toBuffer();
}

export function valueInfoBytes(v: ValueSpec): Buffer {
  return valueInfo(v).toBuffer();
}

/** A NodeProto's bytes, to splice into a graph read from a file. */
export function nodeBytes(n: NodeSpec, i: number): Buffer {
  return node(n, i).toBuffer();
}

/** A TensorProto's bytes (an initializer), to splice into a graph read from a file. */
export function tensorBytes(t: TensorSpec): Buffer {
  return tensor(t).toBuffer();
}

/** A StringStringEntryProto's bytes (one metadata_props entry). */
export function metadataEntryBytes(key: string, value: string): Buffer {
  return new Proto().string(1, key).string(2, value).toBuffer();
}
