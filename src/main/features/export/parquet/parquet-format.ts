// The parts of the Parquet format an export writes: PLAIN values, RLE levels, data pages (v1),
// Snappy where it pays, and the footer. https://github.com/apache/parquet-format
import { snappyCompressor } from 'hysnappy';
import { thriftStruct, type ThriftStruct } from './thrift-compact';

export const MAGIC = Buffer.from('PAR1', 'ascii');

export const PhysicalType = { INT64: 2, FLOAT: 4, BYTE_ARRAY: 6 } as const;
export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
const Codec = { UNCOMPRESSED: 0, SNAPPY: 1 } as const;
const Encoding = { PLAIN: 0, RLE: 3 } as const;

/** One schema node, depth first; leaves have a physical type, groups a child count. */
export interface SchemaNode {
  name: string;
  repetition?: number;
  type?: number;
  children?: number;
  convertedType?: number;
  logicalType?: ThriftStruct;
}

/** Where a column chunk lies in the bytes a worker made, and what the footer says of it. */
export interface ColumnChunkInfo {
  path: string[];
  type: number;
  codec: number;
  numValues: number;
  offset: number;
  uncompressedBytes: number;
  compressedBytes: number;
}

export interface RowGroupInfo {
  numRows: number;
  columns: ColumnChunkInfo[];
}

/** One leaf column's page: levels (null when the column cannot have them) and PLAIN values. */
export interface ColumnPage {
  path: string[];
  type: number;
  numValues: number;
  repetitionLevels: Uint8Array | null;
  definitionLevels: Uint8Array | null;
  values: Uint8Array;
}

/** Levels as runs of the RLE / bit-packing hybrid (levels here fit one byte), after their 4-byte length. */
function levels(values: Uint8Array): Buffer {
  const out: number[] = [0, 0, 0, 0];
  for (let i = 0; i < values.length;) {
    const v = values[i]!;
    let run = 1;
    while (i + run < values.length && values[i + run] === v) run++;
    for (let header = run * 2; ; header = Math.floor(header / 128)) {
      if (header < 128) {
        out.push(header);
        break;
      }
      out.push((header % 128) | 128);
    }
    out.push(v);
    i += run;
  }
  const bytes = Buffer.from(out);
  bytes.writeUInt32LE(bytes.length - 4, 0);
  return bytes;
}

let compressor: ((input: Uint8Array) => Uint8Array) | null = null;
const SAMPLE_BYTES = 4096;

/** Snappy-compressed bytes when a sample shows they shrink by a tenth or more, else null. */
function compressed(body: Uint8Array): Uint8Array | null {
  compressor ??= snappyCompressor();
  if (body.length < 64) return null;
  // Feature floats rarely compress: a sample decides, so they do not pay for a full attempt.
  if (body.length > SAMPLE_BYTES) {
    const sample = compressor(body.subarray(0, SAMPLE_BYTES));
    if (sample.length > SAMPLE_BYTES * 0.9) return null;
  }
  const out = compressor(body);
  return out.length <= body.length * 0.9 ? out : null;
}

/** A column chunk of one data page: the page header and body, and its footer entry (offset relative to `at`). */
export function encodeColumnChunk(page: ColumnPage, at: number): { bytes: Uint8Array[]; info: ColumnChunkInfo } {
  const parts: Uint8Array[] = [];
  if (page.repetitionLevels) parts.push(levels(page.repetitionLevels));
  if (page.definitionLevels) parts.push(levels(page.definitionLevels));
  parts.push(page.values);
  const body = parts.length === 1 ? page.values : Buffer.concat(parts);
  const packed = compressed(body);
  const stored = packed ?? body;
  const header = thriftStruct([
    [1, { i32: 0 }], // DATA_PAGE
    [2, { i32: body.length }],
    [3, { i32: stored.length }],
    [
      5,
      {
        struct: [
          [1, { i32: page.numValues }],
          [2, { i32: Encoding.PLAIN }],
          [3, { i32: Encoding.RLE }],
          [4, { i32: Encoding.RLE }],
        ],
      },
    ],
  ]);
  return {
    bytes: [header, stored],
    info: {
      path: page.path,
      type: page.type,
      codec: packed ? Codec.SNAPPY : Codec.UNCOMPRESSED,
      numValues: page.numValues,
      offset: at,
      uncompressedBytes: header.length + body.length,
      compressedBytes: header.length + stored.length,
    },
  };
}

function schemaElement(node: SchemaNode): ThriftStruct {
  return [
    [1, node.type === undefined ? undefined : { i32: node.type }],
    [3, node.repetition === undefined ? undefined : { i32: node.repetition }],
    [4, { str: node.name }],
    [5, node.children === undefined ? undefined : { i32: node.children }],
    [6, node.convertedType === undefined ? undefined : { i32: node.convertedType }],
    [10, node.logicalType === undefined ? undefined : { struct: node.logicalType }],
  ];
}

/** The footer: file metadata, its length and the magic. Offsets of row groups are absolute. */
export function footer(schema: SchemaNode[], rowGroups: RowGroupInfo[], createdBy: string): Uint8Array {
  const numRows = rowGroups.reduce((n, g) => n + g.numRows, 0);
  const meta = thriftStruct([
    [1, { i32: 1 }],
    [2, { list: 'struct', items: schema.map(schemaElement) }],
    [3, { i64: numRows }],
    [
      4,
      {
        list: 'struct',
        items: rowGroups.map((g) => [
          [
            1,
            {
              list: 'struct',
              items: g.columns.map((c) => [
                [2, { i64: c.offset }],
                [
                  3,
                  {
                    struct: [
                      [1, { i32: c.type }],
                      [2, { list: 'i32', items: [Encoding.PLAIN, Encoding.RLE] }],
                      [3, { list: 'str', items: c.path }],
                      [4, { i32: c.codec }],
                      [5, { i64: c.numValues }],
                      [6, { i64: c.uncompressedBytes }],
                      [7, { i64: c.compressedBytes }],
                      [9, { i64: c.offset }],
                    ],
                  },
                ],
              ]),
            },
          ],
          [2, { i64: g.columns.reduce((n, c) => n + c.uncompressedBytes, 0) }],
          [3, { i64: g.numRows }],
        ]),
      },
    ],
    [6, { str: createdBy }],
  ]);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(meta.length, 0);
  MAGIC.copy(tail, 4);
  return Buffer.concat([meta, tail]);
}
