import { isAscii, isUtf8 } from 'node:buffer';
import path from 'node:path';
import { jsonFieldWithBadBytes, NOT_UTF8 } from './bad-utf8';
import { blankRunMessage, MAX_BLANK_RUN } from './bomb-limits';
import { bufferText } from './buffer-text';
import type { ParseJob } from './parse-protocol';
import { FileProblem, type RecordConsumer } from './record-consumer';
import { openSource } from './source-stream';

const NEWLINE = 0x0a;

/**
 * Streams a JSON Lines file: one record per line (blank lines are counted, not imported).
 * Lines over the cap are skipped without being held in memory.
 */
export async function readJsonl(job: ParseJob, consumer: RecordConsumer): Promise<void> {
  const name = path.basename(job.path);
  const chunks = openSource(job, consumer);
  let line = 0;
  let carry: Buffer | null = null;
  let overlong = 0; // > 0 while skipping the rest of a line that passed the cap
  let first = true;
  let blankRun = 0;

  /** `bytes`: the line's length in the file, for the cap (UTF-8 text takes more bytes than characters). */
  const handleLine = (text: string, bytes: number) => {
    line++;
    if (line <= job.skipRecords || !consumer.visit(line)) return;
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) {
      text = text.slice(0, -1);
      bytes--;
    }
    if (bytes > job.maxLineBytes) {
      consumer.reject(line, line, '(line)', `line is longer than the ${job.maxLineBytes}-byte cap`, text);
      return;
    }
    if (text.trim().length === 0) {
      if (++blankRun > MAX_BLANK_RUN) throw new FileProblem(blankRunMessage(name, line - blankRun + 1));
      return;
    }
    blankRun = 0;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      consumer.reject(line, line, '(line)', `not valid JSON: ${(e as Error).message}`, text);
      return;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      consumer.reject(line, line, '(line)', 'each line must be a JSON object', text);
      return;
    }
    consumer.record(raw as Record<string, unknown>, line, line, () => text);
  };

  const decodeLines = (buf: Buffer, start: number, end: number) => {
    // Line by line: ASCII lines (most of a log) decode as latin1, the cheapest path, and give
    // one-byte strings that JSON.parse reads fastest; other lines must be valid UTF-8.
    // Most chunks are ASCII throughout: one check for them all instead of one a line.
    const ascii = isAscii(buf.subarray(start, end));
    let s = start;
    while (s <= end) {
      let e = buf.indexOf(NEWLINE, s);
      if (e < 0 || e > end) e = end;
      if (ascii || isAscii(buf.subarray(s, e))) handleLine(bufferText(buf, s, e, true), e - s);
      else if (isUtf8(buf.subarray(s, e))) handleLine(bufferText(buf, s, e, false), e - s);
      else {
        line++;
        blankRun = 0;
        if (line > job.skipRecords && consumer.visit(line)) {
          const field = jsonFieldWithBadBytes(buf.subarray(s, e));
          consumer.reject(line, line, field, NOT_UTF8, buf.toString('latin1', s, Math.min(e, s + 300)));
        }
      }
      s = e + 1;
    }
  };

  const skipFast = (buf: Buffer): number => {
    // Resuming: step over committed lines by counting newlines, without decoding them.
    let pos = 0;
    while (line < job.skipRecords) {
      const e = buf.indexOf(NEWLINE, pos);
      if (e < 0) return pos;
      line++;
      pos = e + 1;
    }
    return pos;
  };

  for await (let chunk of chunks as AsyncIterable<Buffer>) {
    if (consumer.stopped) break;
    if (first) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    let buf: Buffer;
    if (overlong > 0) {
      const e = chunk.indexOf(NEWLINE);
      if (e < 0) {
        overlong += chunk.length;
        continue;
      }
      overlong = 0;
      buf = chunk.subarray(e + 1);
    } else {
      buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = null;
    }
    let start: number = carry === null && line < job.skipRecords ? skipFast(buf) : 0;
    const lastNl = buf.lastIndexOf(NEWLINE);
    if (lastNl >= start) {
      decodeLines(buf, start, lastNl);
      start = lastNl + 1;
    }
    const rest = buf.length - start;
    if (rest > job.maxLineBytes) {
      line++;
      blankRun = 0;
      overlong = rest;
      if (line > job.skipRecords && consumer.visit(line)) {
        consumer.reject(
          line,
          line,
          '(line)',
          `line is longer than the ${job.maxLineBytes}-byte cap`,
          buf.toString('utf8', start, start + 300),
        );
      }
    } else if (rest > 0) {
      carry = Buffer.from(buf.subarray(start));
    }
    await consumer.drain();
  }
  if (carry && carry.length > 0) decodeLines(carry, 0, carry.length);
  if (line === 0 && !consumer.stopped) throw new FileProblem(`${name}: the file is empty`);
}
