// Thrift's compact protocol, the encoding of Parquet's page headers and file footer: only what a
// writer needs (structs of integers, strings, booleans, lists and nested structs).

export type ThriftValue =
  | { i32: number }
  | { i64: number }
  | { bool: boolean }
  | { str: string }
  | { struct: ThriftStruct }
  | { list: 'i32'; items: number[] }
  | { list: 'str'; items: string[] }
  | { list: 'struct'; items: ThriftStruct[] };

/** Fields by id; undefined ones are left out. */
export type ThriftStruct = [id: number, value: ThriftValue | undefined][];

const TYPE = { true: 1, false: 2, i32: 5, i64: 6, binary: 8, list: 9, struct: 12 } as const;

export class ThriftWriter {
  private bytes: number[] = [];

  private varint(n: number): void {
    // Numbers above 2^31 (file offsets) need arithmetic, not bit operators.
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.bytes.push(n);
  }

  private zigzag(n: number): void {
    if (!Number.isSafeInteger(n)) throw new Error(`thrift: ${n} is not an integer`);
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private string(s: string): void {
    const utf8 = Buffer.from(s, 'utf8');
    this.varint(utf8.length);
    for (const b of utf8) this.bytes.push(b);
  }

  private listHeader(size: number, type: number): void {
    if (size < 15) this.bytes.push((size << 4) | type);
    else {
      this.bytes.push(0xf0 | type);
      this.varint(size);
    }
  }

  private fieldHeader(id: number, last: number, type: number): void {
    const delta = id - last;
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
  }

  struct(fields: ThriftStruct): this {
    let last = 0;
    for (const [id, value] of fields) {
      if (value === undefined) continue;
      if ('bool' in value) this.fieldHeader(id, last, value.bool ? TYPE.true : TYPE.false);
      else if ('i32' in value) {
        this.fieldHeader(id, last, TYPE.i32);
        this.zigzag(value.i32);
      } else if ('i64' in value) {
        this.fieldHeader(id, last, TYPE.i64);
        this.zigzag(value.i64);
      } else if ('str' in value) {
        this.fieldHeader(id, last, TYPE.binary);
        this.string(value.str);
      } else if ('struct' in value) {
        this.fieldHeader(id, last, TYPE.struct);
        this.struct(value.struct);
      } else {
        this.fieldHeader(id, last, TYPE.list);
        this.list(value);
      }
      last = id;
    }
    this.bytes.push(0); // stop
    return this;
  }

  private list(value: Extract<ThriftValue, { list: string }>): void {
    if (value.list === 'i32') {
      this.listHeader(value.items.length, TYPE.i32);
      for (const n of value.items) this.zigzag(n);
    } else if (value.list === 'str') {
      this.listHeader(value.items.length, TYPE.binary);
      for (const s of value.items) this.string(s);
    } else {
      this.listHeader(value.items.length, TYPE.struct);
      for (const s of value.items) this.struct(s);
    }
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export const thriftStruct = (fields: ThriftStruct): Uint8Array => new ThriftWriter().struct(fields).toBytes();
