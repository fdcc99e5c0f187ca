import { readFields, text, type Field } from './onnx-reader';

// onnx.proto field numbers
const MODEL_VERSION = 5;
const MODEL_GRAPH = 7;
const MODEL_METADATA = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const GRAPH_NODE = 1;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_NAME = 1;
const ATTR_INTS = 8;
const ATTR_STRINGS = 9;

/** What an ONNX file says about itself, beyond its graph's inputs and outputs. */
export interface OnnxCard {
  /** metadata_props, key → value. */
  props: Record<string, string>;
  /** ModelProto.model_version (0 when unset). */
  modelVersion: number;
  /** The class labels of a ZipMap or an ai.onnx.ml classifier op, in its column order. */
  labels: { op: string; names: string[]; numeric: boolean } | null;
}

/** Ops whose probability columns follow their classlabels_strings / classlabels_int64s. */
const LABELLED_OPS = ['ZipMap', 'LinearClassifier', 'SVMClassifier', 'TreeEnsembleClassifier'];

function varints(buf: Buffer): number[] {
  const out: number[] = [];
  let value = 0n;
  let shift = 0n;
  for (const byte of buf) {
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      out.push(Number(BigInt.asIntN(64, value)));
      value = 0n;
      shift = 0n;
    } else shift += 7n;
  }
  return out;
}

function labelsOf(node: Field[]): { names: string[]; numeric: boolean } | null {
  for (const attr of node.filter((f) => f.number === NODE_ATTRIBUTE && Buffer.isBuffer(f.value))) {
    const fields = readFields(attr.value as Buffer);
    const name = text(fields.find((f) => f.number === ATTR_NAME));
    if (name === 'classlabels_strings') {
      const names = fields.filter((f) => f.number === ATTR_STRINGS).map((f) => text(f) ?? '');
      if (names.length > 0) return { names, numeric: false };
    }
    if (name === 'classlabels_int64s') {
      const ints = fields
        .filter((f) => f.number === ATTR_INTS)
        .flatMap((f) => (Buffer.isBuffer(f.value) ? varints(f.value) : [Number(BigInt.asIntN(64, f.value))]));
      if (ints.length > 0) return { names: ints.map(String), numeric: true };
    }
  }
  return null;
}

/** Reads the model card; an unreadable file gives an empty one (ONNX Runtime names the problem). */
export function readOnnxCard(model: Buffer): OnnxCard {
  const card: OnnxCard = { props: {}, modelVersion: 0, labels: null };
  try {
    const top = readFields(model);
    for (const f of top) {
      if (f.number === MODEL_VERSION && typeof f.value === 'bigint') card.modelVersion = Number(f.value);
      if (f.number === MODEL_METADATA && Buffer.isBuffer(f.value)) {
        const entry = readFields(f.value);
        const key = text(entry.find((x) => x.number === ENTRY_KEY));
        if (key) card.props[key] = text(entry.find((x) => x.number === ENTRY_VALUE)) ?? '';
      }
    }
    const graph = top.find((f) => f.number === MODEL_GRAPH);
    if (!graph || !Buffer.isBuffer(graph.value)) return card;
    const nodes = readFields(graph.value)
      .filter((f) => f.number === GRAPH_NODE && Buffer.isBuffer(f.value))
      .map((f) => readFields(f.value as Buffer));
    // A ZipMap names the columns the workbench reads; otherwise the classifier op that makes them.
    for (const op of LABELLED_OPS) {
      for (const node of nodes) {
        if (text(node.find((x) => x.number === NODE_OP_TYPE)) !== op) continue;
        const labels = labelsOf(node);
        if (labels) {
          card.labels = { op, ...labels };
          return card;
        }
      }
    }
  } catch {
    // not protobuf: the load reports it
  }
  return card;
}
