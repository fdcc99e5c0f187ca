import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../shared/features/mining';
import { f32 } from './row-format';

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
});
