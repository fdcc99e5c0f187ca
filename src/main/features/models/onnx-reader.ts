/**
 * Just enough protobuf reading to rewrite an ONNX graph's outputs: fields are kept as raw bytes,
 * so everything not touched is written back exactly as it was.
 */

export interface Field {
  number: number;
  wire: number;
  /** The whole encoded field (key and value), to write back unchanged. */
  raw: Buffer;
  /** Length-delimited value (wire type 2) or varint value. */
  value: Buffer | bigint;
}

function readVarint(buf: Buffer, at: number): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const byte = buf[i]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value: result, next: i + 1 };
    shift += 7n;
  }
  throw new Error('truncated varint');
}

export function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const start = at;
    const key = readVarint(buf, at);
    at = key.next;
    const number = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    let value: Buffer | bigint;
    if (wire === 0) {
      const v = readVarint(buf, at);
      value = v.value;
      at = v.next;
    } else if (wire === 2) {
      const len = readVarint(buf, at);
      at = len.next;
      value = buf.subarray(at, at + Number(len.value));
      at += Number(len.value);
    } else if (wire === 1) {
      value = buf.subarray(at, at + 8);
      at += 8;
    } else if (wire === 5) {
      value = buf.subarray(at, at + 4);
      at += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (at > buf.length) throw new Error('truncated field');
    fields.push({ number, wire, raw: buf.subarray(start, at), value });
  }
  return fields;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0);
  return Buffer.from(bytes);
}

export function lengthDelimited(number: number, value: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(value.length), value]);
}

export function text(field: Field | undefined): string | null {
  return field && Buffer.isBuffer(field.value) ? field.value.toString('utf8') : null;
}
