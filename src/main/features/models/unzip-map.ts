import { lengthDelimited, readFields, text, type Field } from './onnx-reader';
import { valueInfoBytes } from './onnx-writer';

function floatMatrixInfo(name: string): Buffer {
  return valueInfoBytes({ name, elemType: 1, shape: ['batch', 'classes'] });
}

// onnx.proto field numbers
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const VALUE_NAME = 1;

/**
 * sklearn models exported by skl2onnx end in a ZipMap that turns the probability tensor into a
 * sequence of {class: probability} maps, a type ONNX Runtime for Node cannot hand back. This
 * returns the same model with every ZipMap removed and its input tensor [batch, classes] exposed as
 * the output instead (same name as before, so the mapping reads it), or null when there is none.
 */
export function withoutZipMap(model: Buffer): Buffer | null {
  try {
    return rewrite(model);
  } catch {
    return null; // not protobuf at all: ONNX Runtime names the problem when it loads the file
  }
}

function rewrite(model: Buffer): Buffer | null {
  const top = readFields(model);
  const graphField = top.find((f) => f.number === MODEL_GRAPH);
  if (!graphField || !Buffer.isBuffer(graphField.value)) return null;
  const graph = readFields(graphField.value);
  const zipMaps = graph
    .filter((f) => f.number === GRAPH_NODE && Buffer.isBuffer(f.value))
    .map((f) => ({ field: f, node: readFields(f.value as Buffer) }))
    .filter(({ node }) => text(node.find((x) => x.number === NODE_OP_TYPE)) === 'ZipMap');
  if (zipMaps.length === 0) return null;
  const renames = new Map<string, string>(); // ZipMap output → its input tensor
  for (const { node } of zipMaps) {
    const input = text(node.find((x) => x.number === NODE_INPUT));
    const output = text(node.find((x) => x.number === NODE_OUTPUT));
    if (input && output) renames.set(output, input);
  }
  const dropped = new Set<Field>(zipMaps.map((z) => z.field));
  const parts: Buffer[] = [];
  for (const f of graph) {
    if (dropped.has(f)) continue;
    if (f.number === GRAPH_OUTPUT && Buffer.isBuffer(f.value)) {
      const name = text(readFields(f.value).find((x) => x.number === VALUE_NAME));
      const source = name ? renames.get(name) : undefined;
      if (source) {
        // The probability tensor: float [batch, classes] (the width is checked on a probe batch).
        parts.push(lengthDelimited(GRAPH_OUTPUT, floatMatrixInfo(source)));
        continue;
      }
    }
    parts.push(f.raw);
  }
  const newGraph = Buffer.concat(parts);
  return Buffer.concat(top.map((f) => (f === graphField ? lengthDelimited(MODEL_GRAPH, newGraph) : f.raw)));
}
