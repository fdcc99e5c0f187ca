import path from 'node:path';
import { parseArgs } from 'node:util';
import { browseBench } from './browse-bench';
import { embedBench } from './embed-bench';
import { evalBench } from './eval-bench';
import { exportBench } from './export-bench';
import { importBench } from './import-bench';
import { labelBench } from './label-bench';
import { learnBench } from './learn-bench';
import { mineBench } from './mine-bench';
import { mineFileBench } from './mine-file-bench';
import { rescoreBench } from './rescore-bench';
import { reviewBench } from './review-bench';
import { slicesBench } from './slices-bench';

const BENCHES = [
  'import',
  'mine',
  'mine-file',
  'label',
  'export',
  'rescore',
  'embed',
  'review',
  'browse',
  'eval',
  'slices',
  'learn',
] as const;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      rows: { type: 'string', default: '1000000' },
      format: { type: 'string', default: 'jsonl' },
      dir: { type: 'string' },
      labels: { type: 'string', default: '10000' },
      model: { type: 'string' },
    },
  });
  const name = positionals[0];
  const workDir = path.resolve(values.dir ?? '.bench');
  const rows = Number(values.rows);
  if (name === 'import') {
    const format = values.format as 'jsonl' | 'csv' | 'parquet';
    if (!['jsonl', 'csv', 'parquet'].includes(format)) throw new Error('--format is jsonl, csv or parquet');
    const result = await importBench({ rows, format, workDir });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (name === 'mine') {
    process.stdout.write(`${JSON.stringify(await mineBench({ rows, workDir }))}\n`);
    return;
  }
  if (name === 'mine-file') {
    process.stdout.write(`${JSON.stringify(await mineFileBench({ rows, workDir }))}\n`);
    return;
  }
  if (name === 'review') {
    const labels = values.labels === '10000' ? 300 : Number(values.labels);
    process.stdout.write(`${JSON.stringify(await reviewBench({ rows, labels, workDir }))}\n`);
    return;
  }
  if (name === 'rescore') {
    process.stdout.write(`${JSON.stringify(await rescoreBench({ rows, workDir, model: values.model ?? 'mlp' }))}\n`);
    return;
  }
  if (name === 'embed') {
    process.stdout.write(`${JSON.stringify(await embedBench({ rows, workDir }))}\n`);
    return;
  }
  if (name === 'eval') {
    process.stdout.write(`${JSON.stringify(await evalBench({ rows, workDir }))}\n`);
    return;
  }
  if (name === 'export') {
    process.stdout.write(`${JSON.stringify(await exportBench({ rows, workDir }))}\n`);
    return;
  }
  if (name === 'browse') {
    process.stdout.write(`${JSON.stringify(await browseBench({ rows, workDir }))}\n`);
    return;
  }
  if (name === 'slices') {
    // 100k labels unless --rows says otherwise (the default of the other benches is a million rows)
    const n = values.rows === '1000000' ? 100_000 : rows;
    process.stdout.write(`${JSON.stringify(await slicesBench({ rows: n, workDir }))}\n`);
    return;
  }
  if (name === 'learn') {
    // 5,000 labels unless --labels says otherwise
    const labels = values.labels === '10000' ? 5000 : Number(values.labels);
    process.stdout.write(`${JSON.stringify(await learnBench({ rows, labels, workDir }))}\n`);
    return;
  }
  if (name === 'label') {
    const labels = Number(values.labels);
    process.stdout.write(`${JSON.stringify(await labelBench({ rows, labels, workDir }))}\n`);
    return;
  }
  throw new Error(`usage: npm run bench -- <${BENCHES.join('|')}> [--rows N] [--format F]`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
