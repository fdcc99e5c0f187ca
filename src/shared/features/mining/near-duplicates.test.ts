import { describe, expect, it } from 'vitest';
import {
  hamming,
  jaccard,
  normaliseText,
  simhash64,
  suppressNearDuplicateVectors,
  suppressNearDuplicates,
  textShingles,
} from './near-duplicates';
import { mulberry32 } from './top-k';

// Genuinely different texts of ~200 characters. 3 and 4 share their first sentence on purpose.
const ORIGINALS = [
  'Hi Anna, the quarterly report is attached. Could you check the revenue figures in section two before Thursday? The finance team wants to send it to the board on Friday morning. Thanks a lot!',
  'Congratulations! You have been selected to receive a free cruise for two. Click the link below and confirm your bank details within 24 hours to claim your prize before it expires. Act now.',
  'The blender arrived with a cracked lid and the motor smells like burning plastic after one minute. Customer support has not answered my two emails. I would not buy this brand again, sadly.',
  'Our team meeting moves to 3pm tomorrow because the projector in room B is broken. Please bring your laptop and the draft slides for the launch plan so we can review them together quickly.',
  'Our team meeting moves to 3pm tomorrow because the projector in room B is broken. Lunch will be catered by the Italian place downstairs, so tell Maria about any allergies before noon today.',
  'Your parcel could not be delivered because the address was incomplete. To reschedule the delivery, pay the small customs fee of 1.99 on our secure page. Otherwise it returns to the sender.',
  'This hiking backpack is light, the straps are comfortable on long days and the rain cover folds into a tiny pocket. After three weekends on the trail it still looks new. Highly recommended.',
  'Reminder: the library will close early on Monday for the staff training day. Books due that day can be returned on Tuesday without any late fee. The online catalogue stays available as usual.',
  'Dear customer, we noticed unusual sign-in activity on your account from a new device. If this was not you, verify your identity immediately using the attached form to avoid suspension today.',
  'The new espresso machine heats up in under a minute and the milk frother is surprisingly quiet. Cleaning the brew group takes some practice, but the coffee tastes much better than before.',
  'Thanks for the interview last week. We enjoyed learning about your work on search ranking and would like to invite you to a final round with the platform team next Wednesday afternoon.',
  'Weekly update: the migration of the billing service is 80 percent done, two integration tests still fail on the staging cluster, and the rollback plan was approved by operations on Tuesday.',
];

/** Replaces the word at `at` (a word index; negative counts from the end) by `by`. */
function swapWord(text: string, at: number, by: string): string {
  const words = text.split(' ');
  words[at < 0 ? words.length + at : at] = by;
  return words.join(' ');
}

describe('text normalisation and shingles', () => {
  it('ignores case, punctuation and spacing', () => {
    expect(normaliseText('  Hello,  WORLD!! It’s 3pm. ')).toBe('hello world it s 3pm');
    expect(normaliseText('Ｆｕｌｌｗｉｄｔｈ')).toBe('fullwidth'); // NFKC
    expect(normaliseText('...')).toBe('');
  });

  it('hashes word 3-shingles into a sorted set', () => {
    const s = textShingles('a b c d a b c');
    // shingles: abc, bcd, cda, dab, abc → 4 distinct
    expect(s).toHaveLength(4);
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(textShingles('two words')).toHaveLength(2);
    expect(textShingles('')).toHaveLength(0);
  });

  it('computes Jaccard of sorted sets', () => {
    // {1, 2, 3} vs {2, 3, 4}: 2 shared of 4 → 0.5
    expect(jaccard(Int32Array.from([1, 2, 3]), Int32Array.from([2, 3, 4]))).toBe(0.5);
    expect(jaccard(Int32Array.from([1]), Int32Array.from([2]))).toBe(0);
    expect(jaccard(new Int32Array(0), new Int32Array(0))).toBe(1);
  });
});

describe('SimHash', () => {
  it('is deterministic, two unsigned 32-bit halves, insensitive to case and punctuation', () => {
    const a = simhash64(ORIGINALS[0]!);
    expect(simhash64(ORIGINALS[0]!)).toEqual(a);
    expect(simhash64(ORIGINALS[0]!.toUpperCase().replaceAll(',', ' ;'))).toEqual(a);
    for (const h of [a.hi, a.lo]) {
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 32);
    }
    expect(simhash64('')).toEqual({ hi: 0, lo: 0 });
  });

  it('counts differing bits', () => {
    expect(hamming({ hi: 0xffffffff, lo: 0 }, { hi: 0, lo: 0 })).toBe(32);
    expect(hamming({ hi: 0x80000001, lo: 0x0f }, { hi: 1, lo: 0xff })).toBe(5);
    const a = simhash64(ORIGINALS[1]!);
    expect(hamming(a, a)).toBe(0);
  });

  it('puts an edited copy closer than a different text', () => {
    let edited = 0;
    let different = 0;
    ORIGINALS.forEach((t, i) => {
      edited += hamming(simhash64(t), simhash64(swapWord(t, 10, 'zebra')));
      different += hamming(simhash64(t), simhash64(ORIGINALS[(i + 5) % ORIGINALS.length]!));
    });
    expect(edited / ORIGINALS.length).toBeLessThan(16);
    expect(different / ORIGINALS.length).toBeGreaterThan(24);
  });
});

describe('suppressNearDuplicates', () => {
  it('drops one-word edits and exact copies, keeps different texts', () => {
    const texts: (string | null)[] = [...ORIGINALS];
    const expectedDup = new Map<number, number>();
    const add = (text: string, of: number) => {
      expectedDup.set(texts.length, of);
      texts.push(text);
    };
    ORIGINALS.forEach((t, i) => {
      add(swapWord(t, 0, 'Hello'), i); // first word
      add(swapWord(t, 12, 'banana'), i); // a middle word
      add(swapWord(t, -1, 'indeed.'), i); // last word
      add(t.toLowerCase().replaceAll('.', '!'), i); // exact after normalisation
    });
    add(swapWord(swapWord(ORIGINALS[5]!, 4, 'parcels'), 20, 'tiny'), 5); // two words
    // walk the originals first, then their variants
    const order = Int32Array.from(texts.keys());
    const { kept, duplicateOf } = suppressNearDuplicates(order, texts);
    expect(Array.from(kept)).toEqual(ORIGINALS.map((_, i) => i));
    expect(new Map([...duplicateOf].sort((a, b) => a[0] - b[0]))).toEqual(expectedDup);
  });

  it('keeps the higher-priority copy and reports what each duplicate duplicates', () => {
    const texts = [ORIGINALS[0]!, swapWord(ORIGINALS[0]!, 8, 'numbers'), ORIGINALS[1]!, ORIGINALS[0]!];
    // priority order: the edited copy first
    const { kept, duplicateOf } = suppressNearDuplicates(Int32Array.from([1, 2, 0, 3]), texts);
    expect(Array.from(kept)).toEqual([1, 2]);
    expect(duplicateOf.get(0)).toBe(1);
    expect(duplicateOf.get(3)).toBe(1); // an exact copy of a suppressed text points at the kept one
  });

  it('handles null and empty texts, repeated indexes and a limit', () => {
    const texts = [null, '', '!!', ORIGINALS[2]!, null, ORIGINALS[3]!, ORIGINALS[4]!];
    const { kept, duplicateOf } = suppressNearDuplicates(Int32Array.from([0, 1, 2, 3, 3, 4, 5, 6]), texts);
    expect(Array.from(kept)).toEqual([0, 1, 3, 4, 5, 6]);
    expect(duplicateOf).toEqual(new Map([[2, 1]])); // '!!' normalises to '' like ''
    const limited = suppressNearDuplicates(Int32Array.from([3, 3, 5, 6]), texts, { limit: 2 });
    expect(Array.from(limited.kept)).toEqual([3, 5]);
  });

  it('treats a shared sentence as different, and minJaccard sets how close is a copy', () => {
    // 3 and 4 share their first sentence: 13 of 50 distinct shingles → Jaccard 0.26, kept
    expect(jaccard(textShingles(ORIGINALS[3]!), textShingles(ORIGINALS[4]!))).toBeCloseTo(0.26, 6);
    expect(suppressNearDuplicates(Int32Array.from([3, 4]), ORIGINALS).kept).toHaveLength(2);
    // two swapped words far apart: 6 of ~33 shingles change → Jaccard ≈ 0.7, a copy at the default 0.6
    // but not at 0.9 (the check is exact, so a stricter threshold never merges more)
    const texts = [ORIGINALS[6]!, swapWord(swapWord(ORIGINALS[6]!, 3, 'heavy'), 25, 'old')];
    const j = jaccard(textShingles(texts[0]!), textShingles(texts[1]!));
    expect(j).toBeGreaterThan(0.6);
    expect(j).toBeLessThan(0.9);
    const order = Int32Array.from([0, 1]);
    expect(suppressNearDuplicates(order, texts).kept).toHaveLength(1);
    expect(suppressNearDuplicates(order, texts, { minJaccard: 0.9 }).kept).toHaveLength(2);
    expect(() => suppressNearDuplicates(order, texts, { minJaccard: 0 })).toThrow(RangeError);
  });

  it('catches every one-word edit in a larger random corpus without merging originals', () => {
    const next = mulberry32(5);
    const vocab = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}${'abcdefgh'[i % 8]}`);
    const word = () => vocab[next() % vocab.length]!;
    const originals = Array.from({ length: 400 }, () => {
      const words: string[] = [];
      while (words.join(' ').length < 200) words.push(word());
      return words.join(' ');
    });
    const edits = originals.map((t) => swapWord(t, next() % t.split(' ').length, 'zz' + word()));
    const texts = [...originals, ...edits];
    // interleave: original i, then later its edit
    const order = Int32Array.from([...originals.keys(), ...edits.map((_, i) => originals.length + i)]);
    const { kept, duplicateOf } = suppressNearDuplicates(order, texts);
    expect(kept).toHaveLength(originals.length);
    for (let i = 0; i < edits.length; i++) expect(duplicateOf.get(originals.length + i)).toBe(i);
  });
});

describe('suppressNearDuplicateVectors', () => {
  it('drops vectors within the cosine threshold of a kept one', () => {
    // rows: a = [1, 0]; b = [0.999, 0.01] (cos(a, b) = 0.999 / 0.99905 ≈ 0.99995); c = [0, 1];
    // d = [0.7, 0.7] (cos(a, d) = 0.707); e = [0, 0]; f = [0, 0]; g = [2, 0] (a scaled)
    const features = Float32Array.from([1, 0, 0.999, 0.01, 0, 1, 0.7, 0.7, 0, 0, 0, 0, 2, 0]);
    const { kept, duplicateOf } = suppressNearDuplicateVectors(Int32Array.from([0, 1, 2, 3, 4, 5, 6]), features, 2);
    expect(Array.from(kept)).toEqual([0, 2, 3, 4]);
    expect(duplicateOf).toEqual(
      new Map([
        [1, 0],
        [5, 4],
        [6, 0],
      ]),
    );
    // a stricter threshold keeps b
    const strict = suppressNearDuplicateVectors(Int32Array.from([0, 1]), features, 2, 0.99999);
    expect(Array.from(strict.kept)).toEqual([0, 1]);
    const limited = suppressNearDuplicateVectors(Int32Array.from([0, 1, 2, 3]), features, 2, 0.995, 2);
    expect(Array.from(limited.kept)).toEqual([0, 2]);
  });

  it('rejects a row outside the matrix', () => {
    expect(() => suppressNearDuplicateVectors(Int32Array.from([3]), new Float32Array(4), 2)).toThrow(RangeError);
  });
});
