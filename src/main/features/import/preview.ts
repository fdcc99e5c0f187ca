import { fork } from 'node:child_process';
import path from 'node:path';
import Papa from 'papaparse';
import { ApiError } from '../../../shared/api/errors';
import { builtEntry } from '../../core/entry-points';
import type { SniffResult } from './sniff';

export interface Sample {
  fields: string[];
  rows: Record<string, unknown>[];
}

const SAMPLE_TIMEOUT_MS = 30_000;

function completeLines(head: Buffer): string {
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const last = text.lastIndexOf('\n');
  return last >= 0 ? text.slice(0, last) : text;
}

function sampleJsonl(file: SniffResult, n: number): Sample {
  const rows: Record<string, unknown>[] = [];
  const fields = new Set<string>();
  for (const line of completeLines(file.head).split('\n')) {
    if (rows.length >= n) break;
    const t = line.trim();
    if (!t) continue;
    try {
      const v = JSON.parse(t) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        rows.push(v as Record<string, unknown>);
        Object.keys(v).forEach((k) => fields.add(k));
      }
    } catch {
      // the import reports bad lines with their numbers; the preview only needs good ones
    }
  }
  return { fields: [...fields], rows };
}

function sampleCsv(file: SniffResult, n: number): Sample {
  const parsed = Papa.parse<Record<string, unknown>>(completeLines(file.head), {
    header: true,
    skipEmptyLines: true,
    preview: n,
    transform: (value) => value,
  });
  const fields = parsed.meta.fields ?? [];
  const rows = parsed.data.map((r) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = r[f];
      if (typeof v !== 'string' || v === '') continue;
      const t = v.trim();
      if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) out[f] = Number(t);
      else if ((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) {
        try {
          out[f] = JSON.parse(t) as unknown;
        } catch {
          out[f] = v;
        }
      } else out[f] = v;
    }
    return out;
  });
  return { fields, rows };
}

/** Parquet is read by DuckDB in a child process, like the import itself. */
function sampleParquet(file: SniffResult, n: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = fork(builtEntry('parquet-reader'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), SAMPLE_TIMEOUT_MS);
    child.once('message', (m: { type: 'sample'; sample?: Sample; error?: string }) => {
      clearTimeout(timer);
      child.kill();
      if (m.sample) resolve(m.sample);
      else reject(new ApiError('bad-file', m.error ?? 'unreadable Parquet file'));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new ApiError(
          'bad-file',
          `${path.basename(file.path)}: the Parquet reader stopped (${signal ?? code}) before reading a sample`,
        ),
      );
    });
    child.send({ type: 'sample', path: file.path, n });
  });
}

export async function readSample(file: SniffResult, n: number): Promise<Sample> {
  if (file.format === 'jsonl') return sampleJsonl(file, n);
  if (file.format === 'csv') return sampleCsv(file, n);
  return sampleParquet(file, n);
}
