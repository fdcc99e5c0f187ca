// The Parquet reader's batches as files: written whole, read back equal, deleted once read.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createSpool, removeSpool, spooler, spoolPrefix, unspool } from './batch-spool';
import type { ParserMessage, SpooledMessage } from './parse-protocol';

let dir: string | null = null;
afterEach(() => {
  if (dir) removeSpool(dir);
  dir = null;
});

const batchMessage = (): ParserMessage => ({
  type: 'batch',
  segment: 3,
  last: true,
  recordsEnd: 99,
  bytesRead: 1234,
  rejects: [{ row: 7, line: null, field: 'scores', reason: 'not a number', raw: '{"x": "é"}' }],
  batch: {
    n: 2,
    ids: ['a', 'b 👍'],
    rows: new Float64Array([1, 2]),
    ts: new Float64Array([Number.NaN, 5]),
    texts: ['hello', null],
    imagePaths: [null, null],
    featureDim: 2,
    features: new Float32Array([0.5, -1, 3.25, 1e-30]),
    width: 1,
    scores: new Float32Array([0.25, 0.75]),
    predicted: new Float64Array([0, 1]),
    groundTruth: [null, 'pos'],
    modelIndex: new Int32Array([0, 0]),
    models: [['m', '1']],
    metadata: ['{"lang":"en"}', null],
    hashes: new Float64Array([11, 12]),
  },
});

describe('batch spool', () => {
  it('sends a batch as a file, reads it back equal and deletes the file; other messages go as they are', () => {
    dir = createSpool();
    const sent: (ParserMessage | SpooledMessage)[] = [];
    const post = spooler(dir, (m) => sent.push(m));
    post(batchMessage());
    post({ type: 'end', records: 99, bytesRead: 1234 });
    expect(sent[0]).toMatchObject({ type: 'spooled' });
    expect(sent[1]).toEqual({ type: 'end', records: 99, bytesRead: 1234 });
    expect(fs.readdirSync(dir)).toHaveLength(1);
    const back = unspool(dir, sent[0] as SpooledMessage);
    expect(back).toEqual(batchMessage());
    expect((back as { batch: { features: unknown } }).batch.features).toBeInstanceOf(Float32Array);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('reads only files directly in its own folder, whatever name the other process sends', () => {
    dir = createSpool();
    const outside = path.join(path.dirname(dir), `${path.basename(dir)}-outside.batch`);
    fs.writeFileSync(outside, 'x');
    try {
      expect(() => unspool(dir!, { type: 'spooled', file: `../${path.basename(outside)}` })).toThrow(/ENOENT/);
      expect(fs.existsSync(outside)).toBe(true);
    } finally {
      fs.rmSync(outside, { force: true });
    }
  });

  it('sends a batch it cannot write through the pipe instead', () => {
    dir = createSpool();
    removeSpool(dir);
    const sent: (ParserMessage | SpooledMessage)[] = [];
    spooler(dir, (m) => sent.push(m))(batchMessage());
    expect(sent).toEqual([batchMessage()]);
  });

  it('removes the folders of importing processes that are gone, not those of live ones', () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const prefix = spoolPrefix();
    const stale = path.join(path.dirname(prefix), `flywheel-batches-${gone}-test`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, '0.batch'), 'x');
    dir = createSpool();
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(dir)).toBe(true);
    expect(path.basename(dir).startsWith(path.basename(prefix))).toBe(true);
  });
});
