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

export interface TensorSpec {
  name: string;
  dims: number[];
  values: Float32Array;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  intAttrs?: Record<string, number>;
  floatAttrs?: Record<string, number>;
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
    .int(2, FLOAT)
    .string(8, t.name)
    .bytes(9, Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength));
}

function node(n: NodeSpec, i: number): Proto {
  const p = new Proto();
  for (const input of n.inputs) p.string(1, input);
  for (const output of n.outputs) p.string(2, output);
  p.string(3, `${n.op.toLowerCase()}_${i}`).string(4, n.op);
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
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
}): Buffer {
  const g = new Proto();
  graph.nodes.forEach((n, i) => g.message(1, node(n, i)));
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensor(t));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  const model = new Proto().int(1, 8).string(2, 'flywheel-workbench').string(3, '1').message(7, g);
  model.message(8, new Proto().string(1, '').int(2, graph.opset ?? 17));
  for (const o of graph.extraOpsets ?? []) model.message(8, new Proto().string(1, o.domain).int(2, o.version));
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
  });
}
