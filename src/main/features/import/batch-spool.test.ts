// The Parquet reader's batches as files: written whole, read back equal, deleted once read.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createSpool, removeSpool, spooler, spoolPrefix, sweepStaleSpools, unspool } from './batch-spool';
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
    textParts: [null, null],
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
    dir = createSpool()!;
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

  it('keeps a batch read earlier intact while later ones are read, however its arrays fall in the file', () => {
    // Node's deserializer returns a typed array as a view of the bytes read when its data happens
    // to be aligned in them: ids of 0 to 7 characters move the arrays through every alignment.
    dir = createSpool()!;
    for (let pad = 0; pad < 8; pad++) {
      const sent: SpooledMessage[] = [];
      const post = spooler(dir, (m) => sent.push(m as SpooledMessage));
      const first = batchMessage();
      const second = batchMessage();
      if (first.type !== 'batch' || second.type !== 'batch') throw new Error('not a batch');
      first.batch.ids = ['x'.repeat(pad), 'y'];
      second.batch.ids = ['x'.repeat(pad), 'y'];
      second.batch.scores = new Float32Array([9, 9]);
      second.batch.hashes = new Float64Array([7, 7]);
      post(first);
      post(second);
      const one = unspool(dir, sent[0]!);
      const two = unspool(dir, sent[1]!);
      expect(one, `ids of ${pad} characters`).toEqual(first);
      expect(two).toEqual(second);
    }
  });

  it('reads only files directly in its own folder, whatever name the other process sends', () => {
    dir = createSpool()!;
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
    dir = createSpool()!;
    removeSpool(dir);
    const sent: (ParserMessage | SpooledMessage)[] = [];
    spooler(dir, (m) => sent.push(m))(batchMessage());
    expect(sent).toEqual([batchMessage()]);
  });

  it('sweeps folders of killed imports once idle an hour, of any import once idle a day, never a fresh one', () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const base = path.dirname(spoolPrefix());
    const made = (pid: number) => {
      const d = path.join(base, `flywheel-batches-${pid}-test`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, '0.batch'), 'x');
      return d;
    };
    const dead = made(gone);
    const live = made(process.pid);
    try {
      const hour = 60 * 60 * 1000;
      sweepStaleSpools(Date.now() + hour / 2);
      expect([fs.existsSync(dead), fs.existsSync(live)]).toEqual([true, true]);
      sweepStaleSpools(Date.now() + 2 * hour);
      expect([fs.existsSync(dead), fs.existsSync(live)]).toEqual([false, true]);
      sweepStaleSpools(Date.now() + 25 * hour);
      expect(fs.existsSync(live)).toBe(false);
    } finally {
      removeSpool(dead);
      removeSpool(live);
    }
  });

  it('makes each spool folder under the prefix of this process', () => {
    dir = createSpool();
    expect(dir).not.toBeNull();
    expect(path.basename(dir!).startsWith(path.basename(spoolPrefix()))).toBe(true);
  });
});
