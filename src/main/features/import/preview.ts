import path from 'node:path';
import { ApiError } from '../../../shared/api/errors';
import { builtEntry } from '../../core/entry-points';
import { spawnHelper } from '../../core/spawn-helper';
import { CsvScanner, fieldText, type CsvRecord } from './csv-scanner';
import type { SniffResult } from './sniff';

export interface Sample {
  fields: string[];
  rows: Record<string, unknown>[];
  /** CSV: the rows' text cells, for checking a mapping with the import's own conversions. */
  cells?: Record<string, string>[];
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

/** Cells as a person would read them: numbers as numbers, JSON lists and objects parsed. */
function typedCell(v: string): unknown {
  const t = v.trim();
  if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if ((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

/** The same scanner as the import, over the complete lines of the file's start. */
function sampleCsv(file: SniffResult, n: number): Sample {
  const head = file.head;
  const last = head.lastIndexOf(0x0a);
  const scanner = new CsvScanner(head.length + 1);
  let fields: string[] | null = null;
  const rows: Record<string, unknown>[] = [];
  const texts: Record<string, string>[] = [];
  const onRecord = (r: CsvRecord) => {
    const cells = Array.from({ length: r.fieldCount }, (_, f) => fieldText(r, f));
    if (fields === null) {
      fields = cells;
      return;
    }
    if (rows.length >= n || r.problem || cells.length !== fields.length) return;
    const row: Record<string, unknown> = {};
    const text: Record<string, string> = Object.create(null) as Record<string, string>;
    fields.forEach((f, i) => {
      text[f] = cells[i]!;
      if (cells[i] !== '' && f !== '__proto__') row[f] = typedCell(cells[i]!);
    });
    rows.push(row);
    texts.push(text);
  };
  scanner.push(last >= 0 ? head.subarray(0, last + 1) : head, onRecord);
  if (last < 0) scanner.end(onRecord);
  return { fields: fields ?? [], rows, cells: texts };
}

/** Parquet is read by DuckDB in a child process, like the import itself. */
function sampleParquet(file: SniffResult, n: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawnHelper<{ type: 'sample'; sample?: Sample; error?: string }>(builtEntry('parquet-reader'), {
      stderr: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), SAMPLE_TIMEOUT_MS);
    child.once('message', (m) => {
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
