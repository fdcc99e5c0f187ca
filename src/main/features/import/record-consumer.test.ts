import { describe, expect, it } from 'vitest';
import { ImportMappingSchema } from '../../../shared/features/import/mapping';
import { SENTIMENT, sentimentMapping, sentimentRow } from '../../../../test/helpers/import-fixtures';
import type { ParseJob, ParserMessage } from './parse-protocol';
import { RecordConsumer } from './record-consumer';

const job = (batchBytes: number, batchRows = 100): ParseJob => ({
  path: 'log.jsonl',
  format: 'jsonl',
  compression: 'none',
  mapping: ImportMappingSchema.parse(sentimentMapping()),
  projectClasses: [...SENTIMENT],
  skipRecords: 0,
  maxLineBytes: 1 << 20,
  maxDecompressedBytes: 1 << 30,
  maxGzipRatio: 200,
  batchRows,
  batchBytes,
  maxInFlight: Infinity,
  shardIndex: 0,
  shardCount: 1,
});

/** Feeds n rows whose text has `chars(i)` characters; returns the batches posted. */
function feed(batchBytes: number, n: number, chars: (i: number) => number, batchRows = 100) {
  const batches: (ParserMessage & { type: 'batch' })[] = [];
  const consumer = new RecordConsumer(job(batchBytes, batchRows), (m) => {
    if (m.type === 'batch') batches.push(m);
  });
  for (let row = 1; row <= n; row++) {
    if (!consumer.visit(row)) continue;
    consumer.record(sentimentRow(row, { text: 'x'.repeat(chars(row)) }), row, row, () => '');
  }
  consumer.finish();
  return batches;
}

describe('RecordConsumer batches', () => {
  it('sends a batch per segment of short rows', () => {
    const batches = feed(1 << 20, 250, () => 30);
    expect(batches.map((b) => [b.segment, b.last, b.batch.n, b.recordsEnd])).toEqual([
      [0, true, 100, 100],
      [1, true, 100, 200],
      [2, true, 50, 250],
    ]);
  });

  it('sends a segment of long rows in batches bounded by memory, in order, the last one marked', () => {
    // 10,000 characters a row (~20 KB in the estimate): about 13 rows fill a 256 KB batch.
    const batches = feed(256 << 10, 250, (i) => (i % 50 === 0 ? 40_000 : 10_000));
    let rows = 0;
    for (const b of batches) {
      const chars = b.batch.texts.reduce((sum, t) => sum + (t?.length ?? 0), 0);
      // Past the bound by one row at most: the row that crossed it.
      expect(chars * 2).toBeLessThan((256 << 10) + 2 * 40_000 + 1000);
      expect(b.recordsEnd).toBe(b.batch.rows.at(-1) ?? b.recordsEnd);
      rows += b.batch.n;
    }
    expect(rows).toBe(250);
    expect(batches.length).toBeGreaterThan(15);
    expect(batches.filter((b) => b.last).map((b) => [b.segment, b.recordsEnd])).toEqual([
      [0, 100],
      [1, 200],
      [2, 250],
    ]);
    const ends = batches.map((b) => b.recordsEnd);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    expect(batches.flatMap((b) => Array.from(b.batch.rows))).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('grows a batch as rows come, every value where it was written', () => {
    const [batch] = feed(1 << 30, 1000, () => 10, 5000).map((b) => b.batch);
    expect(batch!.n).toBe(1000);
    expect(Array.from(batch!.rows)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    for (const i of [0, 255, 256, 511, 512, 999]) {
      const expected = sentimentRow(i + 1)['scores'] as number[];
      const stored = Array.from(batch!.scores.subarray(i * 3, i * 3 + 3));
      stored.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 6));
      expect(batch!.ts[i]).toBe(sentimentRow(i + 1)['ts']);
    }
  });
});
