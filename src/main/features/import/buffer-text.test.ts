import { describe, expect, it } from 'vitest';
import { bufferText } from './buffer-text';

describe('bufferText', () => {
  it('gives what toString gives, for every range of ASCII and multi-byte text', () => {
    const buf = Buffer.from('plain {"a":1} é日本語😀 \u2028 end');
    for (let from = 0; from <= buf.length; from++) {
      for (let to = from; to <= buf.length; to++) {
        expect(bufferText(buf, from, to, true)).toBe(buf.toString('latin1', from, to));
        expect(bufferText(buf, from, to, false)).toBe(buf.toString('utf8', from, to));
      }
    }
  });

  it('reads a view into a larger buffer from the view’s own start', () => {
    const view = Buffer.from('xxhello worldxx').subarray(2, 13);
    expect(bufferText(view, 0, 5, true)).toBe('hello');
    expect(bufferText(view, 6, 11, false)).toBe('world');
  });
});
