import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import type { Input } from '../../../shared/api/contract';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';

let dir: string;
let out: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('scores-export');
  out = path.join(dir, 'exports');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 300);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

type ExportInput = Input<'export.start'>;

async function exportNow(options: Partial<ExportInput> & { name: string }) {
  const { jobId } = await call(
    'export.start',
    { project: { project: 'sentiment' }, dir: out, labelSource: 'human+model', modelRun: 'v1', ...options },
    ctx,
  );
  const status = await ctx.jobs.wait(jobId);
  if (status.state !== 'succeeded') throw Object.assign(new Error(status.error?.message), status.error);
  return status.result as { path: string; files: { path: string; rows: number; sha256: string }[] };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A Parquet file's bytes before its footer: the column chunks (the footer names the writer's version). */
function parquetPages(file: string): Uint8Array {
  const bytes = fs.readFileSync(file);
  const footer = bytes.readUInt32LE(bytes.length - 8);
  return bytes.subarray(0, bytes.length - 8 - footer);
}

describe('export without scores', () => {
  it('writes the same bytes as before score columns existed, in every format', async () => {
    const hashes: Record<string, string> = {};
    for (const format of ['jsonl', 'csv', 'parquet', 'hf'] as const) {
      const r = await exportNow({ name: `plain-${format}`, format });
      for (const f of r.files) {
        const file = path.join(r.path, f.path);
        hashes[`${format}/${f.path}`] = sha256(
          f.path.endsWith('.parquet') ? parquetPages(file) : fs.readFileSync(file),
        );
      }
    }
    // Taken from the writers before score columns existed: an export without them must not change.
    expect(hashes).toEqual({
      'csv/test.csv': '8940adc38fc909ee4326499f59cad5123a04093173abad88c3c97c0b090281f1',
      'csv/train.csv': '988ba01804ab988d7580e6e9afd907263526a18a9603717f72fa0cfb1ac8f6b3',
      'csv/validation.csv': '83b9841c2816c7d5b79f884749e177a441030b0e7f7b09849c69ea5b7e8691cc',
      'hf/data/test.jsonl': 'b5be4a76eda2c3eac9cb4aed76870c36f13cf276ca6cbca286b5e7cc61e44268',
      'hf/data/train.jsonl': '6edc8764838b1e0ce3db90980c5e77d8bc6c87d088f6df157c9357a4d3ee87d3',
      'hf/data/validation.jsonl': 'a0fb83545e4d75293a8e4e33851ff02a495b5df4f34b28d85bab800073975240',
      'jsonl/test.jsonl': 'b5be4a76eda2c3eac9cb4aed76870c36f13cf276ca6cbca286b5e7cc61e44268',
      'jsonl/train.jsonl': '6edc8764838b1e0ce3db90980c5e77d8bc6c87d088f6df157c9357a4d3ee87d3',
      'jsonl/validation.jsonl': 'a0fb83545e4d75293a8e4e33851ff02a495b5df4f34b28d85bab800073975240',
      'parquet/test.parquet': '3dfe01ed3d9e92ad3e81fa69d3ab8c145c023c3dc037509e5bf5d16cabd7b6a7',
      'parquet/train.parquet': 'e519832a87634a3d06fab3835467552439151483d8901b538c8a17646bdda803',
      'parquet/validation.parquet': '35a93256b117b80e85f735e8b455453067276eae3a35328043def8250e8c7f60',
    });
  }, 60_000);
});
