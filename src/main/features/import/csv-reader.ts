import { isAscii } from 'node:buffer';
import path from 'node:path';
import { Transform } from 'node:stream';
import Papa from 'papaparse';
import { cellConverter, mappedFields, UNSAFE_KEYS } from './field-access';
import type { ParseJob } from './parse-protocol';
import { FileProblem, type RecordConsumer } from './record-consumer';
import { openSource } from './source-stream';

/** Streams an RFC 4180 CSV file with a header row (quoted fields may hold newlines). */
export async function readCsv(job: ParseJob, consumer: RecordConsumer): Promise<void> {
  const name = path.basename(job.path);
  const chunks = openSource(job, consumer);
  const wanted = mappedFields(job.mapping);
  let columns: { name: string; index: number; convert: (cell: string) => unknown }[] | null = null;
  // Plain objects with the same keys in the same order stay fast; a name that could reach
  // the prototype forces null-prototype objects instead.
  const safeKeys = ![...wanted.keys()].some((k) => UNSAFE_KEYS.has(k));
  let headerLength = 0;
  let row = 0;
  let charsFed = 0;
  let charsAtLastRow = 0;
  let firstText = true;

  // Decode whole lines only (a newline byte is always a character boundary): ASCII regions
  // as latin1, the cheapest path; others as UTF-8. Strings go to Papa Parse as they are.
  let pending: Buffer | null = null;
  const decode = (bytes: Buffer): string => {
    let text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    if (firstText) {
      firstText = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    charsFed += text.length;
    return text;
  };
  const text = new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      const last = buf.lastIndexOf(0x0a);
      if (last < 0) {
        pending = buf;
        if (buf.length > job.maxLineBytes) {
          done(
            new FileProblem(
              `${name}: record ${row + 1} runs past the ${job.maxLineBytes}-byte cap (an unclosed quote?)`,
            ),
          );
          return;
        }
        done();
        return;
      }
      pending = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : null;
      done(null, decode(buf.subarray(0, last + 1)));
    },
    flush(done) {
      done(null, pending && pending.length > 0 ? decode(pending) : undefined);
    },
  });
  const source = chunks as unknown as NodeJS.ReadableStream & { on: (e: string, f: (e: Error) => void) => void };
  source.on('error', (e) => text.destroy(e));
  source.pipe(text);

  const onHeader = (header: string[]) => {
    headerLength = header.length;
    const index = new Map<string, number>();
    header.forEach((h, i) => {
      if (index.has(h)) throw new FileProblem(`${name}: the header names column '${h}' twice`);
      index.set(h, i);
    });
    const missing = [...wanted.keys()].filter((f) => !index.has(f));
    if (missing.length > 0) {
      throw new FileProblem(
        `${name}: the header has no column ${missing.map((m) => `'${m}'`).join(', ')} named by the mapping`,
      );
    }
    columns = [...wanted].map(([f, type]) => ({ name: f, index: index.get(f)!, convert: cellConverter(type) }));
  };

  const onRow = (cells: string[]) => {
    if (columns === null) {
      onHeader(cells);
      return;
    }
    row++;
    if (row <= job.skipRecords) return;
    if (cells.length !== headerLength) {
      consumer.reject(
        row,
        null,
        '(row)',
        `row has ${cells.length} fields, the header has ${headerLength}`,
        JSON.stringify(cells),
      );
      return;
    }
    const raw: Record<string, unknown> = safeKeys ? {} : Object.create(null);
    for (const c of columns) {
      const cell = cells[c.index]!;
      if (cell === '') continue;
      const v = c.convert(cell);
      if (v !== undefined) raw[c.name] = v;
    }
    consumer.record(raw, row, null, () => JSON.stringify(cells));
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      reject(e);
    };
    text.on('error', fail);
    Papa.parse<string[]>(text as unknown as File, {
      header: false,
      skipEmptyLines: true,
      chunk(results, parser) {
        if (failed) return;
        try {
          const broken = new Set<number>();
          for (const e of results.errors) if (e.type === 'Quotes' && typeof e.row === 'number') broken.add(e.row);
          results.data.forEach((cells, i) => {
            if (!broken.has(i)) onRow(cells);
            else if (columns !== null) {
              row++;
              if (row > job.skipRecords)
                consumer.reject(row, null, '(row)', 'unclosed or misplaced quote', JSON.stringify(cells));
            }
          });
        } catch (e) {
          parser.abort();
          fail(e);
          return;
        }
        if (results.data.length > 0) charsAtLastRow = charsFed;
        else if (charsFed - charsAtLastRow > job.maxLineBytes) {
          parser.abort();
          fail(
            new FileProblem(
              `${name}: record ${row + 1} runs past the ${job.maxLineBytes}-byte cap (an unclosed quote?)`,
            ),
          );
          return;
        }
        if (consumer.stopped) {
          parser.abort();
          return;
        }
        parser.pause();
        consumer.drain().then(() => parser.resume(), fail);
      },
      complete() {
        if (!failed) resolve();
      },
      error(e: Error) {
        fail(e);
      },
    });
  });
  if (columns === null && !consumer.stopped) throw new FileProblem(`${name}: the file is empty`);
  if (row === 0 && !consumer.stopped) throw new FileProblem(`${name}: the CSV has a header but no data rows`);
}
