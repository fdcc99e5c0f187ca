import fs from 'node:fs';
import path from 'node:path';
import { importGuessed } from '../src/main/cli/commands/demo';
import { createContext } from '../src/main/core/create-context';
import { writeDemoLog } from '../src/main/features/demo/demo-data';

/** A demo sentiment log of `rows` rows for a model version, generated once into the bench folder. */
export async function sentimentLog(workDir: string, rows: number, version: string): Promise<string> {
  const file = path.join(workDir, `sentiment-${rows}-${version}.jsonl`);
  if (!fs.existsSync(file)) {
    process.stderr.write(`generating ${file}…\n`);
    await writeDemoLog({ project: 'sentiment', rows, modelVersion: version, format: 'jsonl', outPath: file });
  }
  return file;
}

/**
 * A database holding the demo sentiment project with two model runs (v1, v2) over `rows`
 * examples, built once and copied for each bench run so every run starts from the same state.
 */
export async function twoRunDatabase(workDir: string, rows: number): Promise<{ db: string; logs: string[] }> {
  fs.mkdirSync(workDir, { recursive: true });
  const logs = [await sentimentLog(workDir, rows, 'v1'), await sentimentLog(workDir, rows, 'v2')];
  const template = path.join(workDir, `two-runs-${rows}.db`);
  if (!fs.existsSync(template)) {
    process.stderr.write(`importing ${rows} rows × 2 model runs into ${template}…\n`);
    const building = `${template}.building`;
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(building + suffix, { force: true });
    const ctx = createContext({ dbPath: building, runtime: 'cli', dataDir: workDir });
    try {
      for (const log of logs) await importGuessed(ctx, log, 'sentiment');
    } finally {
      await ctx.dispose();
    }
    fs.renameSync(building, template);
  }
  const db = path.join(workDir, `run-${process.pid}.db`);
  fs.copyFileSync(template, db);
  return { db, logs };
}

export function removeDb(db: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(db + suffix, { force: true });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
