import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../shared/features/mining';
import { f32 } from './float-text';
import { ByteBuilder } from './byte-builder';
import { isoTime, MAX_ISO_TIME_BYTES, writeIsoTime } from './row-format';

describe('f32', () => {
  it('writes float32 values short, and they read back as the same float32', () => {
    for (const [x, text] of [
      [1.461606, '1.461606'],
      [-0.375314, '-0.375314'],
      [0.1, '0.1'],
      [0.009066, '0.009066'],
      [123456.7, '123456.7'],
      [42, '42'],
      [0, '0'],
    ] as const) {
      expect(f32(Math.fround(x))).toBe(text);
    }
    expect(f32(Number.NaN)).toBe('null');
    const next = mulberry32(5);
    const buf = new Float32Array(1);
    const bits = new Uint32Array(buf.buffer);
    for (let i = 0; i < 100_000; i++) {
      bits[0] = next();
      const v = buf[0]!;
      if (!Number.isFinite(v)) continue;
      expect(Math.fround(Number(f32(v)))).toBe(v);
    }
  });

  it('writes the same text as bytes as it does as a string, and the same digits either sign', () => {
    const next = mulberry32(9);
    const buf = new Float32Array(1);
    const bits = new Uint32Array(buf.buffer);
    const out = new ByteBuilder(16);
    const values = [0, -0, 42, -7, 1e-9, 123456.7, 1e20, 3.4e38, Number.NaN, Infinity, 0.5, 1.5, -2.5e-8];
    for (let i = 0; i < 50_000; i++) {
      bits[0] = next();
      values.push(buf[0]!, Math.fround(Math.round((next() / 2 ** 32 - 0.5) * 1e7) / 1e6));
    }
    let expected = '';
    for (const v of values) {
      out.f32(v);
      out.ascii(',');
      expected += `${f32(v)},`;
      if (Number.isFinite(v) && v !== 0) expect(f32(-v)).toBe(v < 0 ? f32(v).slice(1) : `-${f32(v)}`);
    }
    expect(Buffer.from(out.view()).toString('utf8')).toBe(expected);
  });
});

describe('ByteBuilder.f32s', () => {
  it('writes a list or keyed values, null past the stored ones, as f32 would', () => {
    const values = Float32Array.from([0.25, -1.5e-7, 3, 1e20, 0.1]);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => Buffer.from(`${i ? ',' : ''}"${k}":`));
    const out = new ByteBuilder(4);
    out.f32s(values, 1, 3, 4, null, 4 * 25);
    out.ascii('|');
    out.f32s(values, 0, 5, 6, keys, 6 * 30);
    const list = [f32(values[1]!), f32(values[2]!), f32(values[3]!), 'null'].join(',');
    const keyed = [...values].map((v, i) => `"${'abcdef'[i]}":${f32(v)}`).join(',') + ',"f":null';
    expect(Buffer.from(out.view()).toString('utf8')).toBe(`${list}|${keyed}`);
  });
});

describe('isoTime', () => {
  it('matches Date.toISOString, across days and out of the usual range', () => {
    const next = mulberry32(3);
    const times = [
      0, 86_399_999, 86_400_000, -1, -86_400_001, 1.5, 253402300799999, 253402300800000, 8.64e15, -8.64e15,
    ];
    for (let i = 0; i < 20_000; i++) times.push(Math.floor((next() / 2 ** 32) * 4e12));
    const b = new Uint8Array(MAX_ISO_TIME_BYTES);
    for (const ts of times) {
      const text = new Date(ts).toISOString();
      expect(isoTime(ts)).toBe(text);
      expect(Buffer.from(b.subarray(0, writeIsoTime(b, 0, ts))).toString('latin1')).toBe(text);
    }
    expect(isoTime(null)).toBeNull();
  });
});
