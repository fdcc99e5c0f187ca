import { describe, expect, it } from 'vitest';
import { hashText, hashTexts, murmurhash3String, murmurhash3_32 } from './hashing';

describe('murmurhash3_32', () => {
  it('matches published MurmurHash3_x86_32 vectors', () => {
    const vectors: [string, number, number][] = [
      ['', 0, 0],
      ['', 1, 0x514e28b7],
      ['', 0xffffffff, 0x81f16f39],
      ['hello', 0, 0x248bfa47],
      ['test', 0, 0xba6bd213],
      ['a', 0x9747b28c, 0x7fa09ea6],
      ['ab', 0x9747b28c, 0x74875592],
      ['abc', 0x9747b28c, 0xc84a62dd],
      ['abcd', 0x9747b28c, 0xf0478627],
      ['aaaa', 0x9747b28c, 0x5a97808a],
      ['Hello, world!', 0x9747b28c, 0x24884cba],
      ['Hello, world!', 1234, 0xfaf6cdb3],
      ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
    ];
    for (const [text, seed, expected] of vectors) expect(murmurhash3String(text, seed) >>> 0).toBe(expected);
  });

  it("matches scikit-learn's murmurhash3_32 tests (signed results)", () => {
    expect(murmurhash3String('foo', 0)).toBe(-156908512);
    expect(murmurhash3String('foo', 42)).toBe(-1322301282);
    expect(murmurhash3String('foo', 0) >>> 0).toBe(4138058784); // positive=True
  });

  it('hashes a byte range the same as the bytes alone', () => {
    const bytes = new TextEncoder().encode('xxHello, world!yy');
    expect(murmurhash3_32(bytes, 1234, 2, 15) >>> 0).toBe(0xfaf6cdb3);
  });
});

describe('hashText', () => {
  it('worked by hand: "ab AB" into 16 columns, words [1,2], chars [3,3]', () => {
    // Lower-cased to "ab ab". Word grams: "ab" ×2 and "ab ab" ×1. char_wb grams of " ab " (twice): " ab", "ab ".
    //   murmur("ab")    = 0x9bbfd75f = −1681926305 → column 1681926305 mod 16 = 1, sign −  → count −2
    //   murmur("ab ab") = 0x2e70d905 =   779147525 → column 5,                        sign +  → count +1
    //   murmur(" ab")   = 0xd2b2a982 =  −760043134 → column 14,                       sign −  → count −2
    //   murmur("ab ")   = 0x6198278f =  1637361551 → column 15,                       sign +  → count +2
    // sign·log1p|count|: −ln3, +ln2, −ln3, +ln3; norm = √(3·ln²3 + ln²2) = 2.025167…
    const { indices, values } = hashText('ab AB', { dim: 16, wordNgrams: [1, 2], charNgrams: [3, 3] });
    const norm = Math.sqrt(3 * Math.log(3) ** 2 + Math.log(2) ** 2);
    expect(norm).toBeCloseTo(2.025167, 6);
    expect(Array.from(indices)).toEqual([1, 5, 14, 15]);
    const expected = [-Math.log(3), Math.log(2), -Math.log(3), Math.log(3)].map((v) => v / norm);
    expect(Array.from(values).map((v) => +v.toFixed(6))).toEqual(expected.map((v) => +v.toFixed(6)));
    expect(values[0]).toBeCloseTo(-0.54248, 5);
    expect(values[1]).toBeCloseTo(0.342267, 5);
  });

  it('agrees with a plain transcription of scikit-learn’s word and char_wb analyzers', () => {
    const texts = [
      'Free money!!! Click   here\tnow: http://spam.example/win',
      'a b c — the quick brown fox, the QUICK brown dog',
      'Café naïve résumé; 東京は晴れ 🙂🙂 x_y under_score 42 4',
      '',
      '   ',
      'ünïcode\u00a0spaces\u2003and\nnew lines',
      'lone \ud800 surrogate\udc00s and a pair \ud83d\ude00 ok',
      'https://example.com/a/very/long/path?q=1 and https://example.com/a/very/long/path?q=1 again',
    ];
    for (const text of texts) {
      const got = hashText(text);
      const want = reference(text, 2 ** 18, [1, 2], [3, 5]);
      expect(Array.from(got.indices)).toEqual(want.indices);
      for (let i = 0; i < want.values.length; i++) expect(got.values[i]).toBeCloseTo(want.values[i]!, 6);
    }
  });

  it('keeps case when asked, and gives an L2 norm of 1', () => {
    const lower = hashText('Spam Offer');
    const kept = hashText('Spam Offer', { lowercase: false });
    expect(Array.from(lower.indices)).toEqual(Array.from(hashText('spam offer').indices));
    expect(Array.from(kept.indices)).not.toEqual(Array.from(lower.indices));
    const norm = Math.sqrt(Array.from(kept.values).reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 6);
  });

  it('refuses bad options', () => {
    expect(() => hashText('x', { dim: 0 })).toThrow(/dim/);
    expect(() => hashText('x', { wordNgrams: [2, 1] })).toThrow(/wordNgrams/);
    expect(() => hashText('x', { charNgrams: [0, 3] })).toThrow(/charNgrams/);
  });
});

describe('hashTexts', () => {
  it('stacks hashText rows into CSR, an empty text giving an empty row', () => {
    const texts = ['win a prize now', '', 'meeting at noon', 'win win win'];
    const x = hashTexts(texts, { dim: 1024 });
    expect(x.kind).toBe('sparse');
    expect(x.rows).toBe(4);
    expect(x.dim).toBe(1024);
    for (let r = 0; r < texts.length; r++) {
      const row = hashText(texts[r]!, { dim: 1024 });
      const from = x.indptr[r]!;
      const to = x.indptr[r + 1]!;
      expect(Array.from(x.indices.subarray(from, to))).toEqual(Array.from(row.indices));
      expect(Array.from(x.values.subarray(from, to))).toEqual(Array.from(row.values));
    }
    expect(x.indptr[2]).toBe(x.indptr[1]);
  });
});

/**
 * scikit-learn's HashingVectorizer, written as plainly as its Python: word analyzer (token_pattern
 * \b\w\w+\b, n-grams joined by spaces) plus char_wb analyzer, each feature hashed by murmurhash3_32 of
 * its UTF-8, column abs(h) % dim, sign of h; then our sign·log1p(|count|) and L2 norm.
 */
function reference(text: string, dim: number, word: [number, number], char: [number, number]) {
  const doc = text.toLowerCase();
  const features: string[] = [];
  const tokens = doc.match(/[\p{L}\p{N}_]{2,}/gu) ?? [];
  for (let n = word[0]; n <= Math.min(word[1], tokens.length); n++) {
    for (let i = 0; i + n <= tokens.length; i++) features.push(tokens.slice(i, i + n).join(' '));
  }
  const words = doc
    // eslint-disable-next-line no-control-regex
    .split(/[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/)
    .filter(Boolean);
  for (const w of words) {
    const cps = Array.from(` ${w} `);
    for (let n = char[0]; n <= char[1]; n++) {
      let offset = 0;
      features.push(cps.slice(offset, offset + n).join(''));
      while (offset + n < cps.length) {
        offset++;
        features.push(cps.slice(offset, offset + n).join(''));
      }
      if (offset === 0) break;
    }
  }
  const counts = new Map<number, number>();
  for (const f of features) {
    const h = murmurhash3String(f);
    const column = h === -2147483648 ? 2 ** 31 % dim : Math.abs(h) % dim;
    counts.set(column, (counts.get(column) ?? 0) + (h >= 0 ? 1 : -1));
  }
  const indices = [...counts.keys()].filter((k) => counts.get(k) !== 0).sort((a, b) => a - b);
  const raw = indices.map((k) => Math.sign(counts.get(k)!) * Math.log1p(Math.abs(counts.get(k)!)));
  const norm = Math.sqrt(raw.reduce((s, v) => s + v * v, 0));
  return { indices, values: raw.map((v) => v / norm) };
}
