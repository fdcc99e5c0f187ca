import path from 'node:path';
import { Transform } from 'node:stream';
import Papa from 'papaparse';
import { convertCell, mappedFields } from './field-access';
import type { ParseJob } from './parse-protocol';
import { FileProblem, type RecordConsumer } from './record-consumer';
import { openSource } from './source-stream';

/** Streams an RFC 4180 CSV file with a header row (quoted fields may hold newlines). */
export async function readCsv(job: ParseJob, consumer: RecordConsumer): Promise<string> {
  const name = path.basename(job.path);
  const { chunks, sha256 } = openSource(job, consumer);
  const wanted = mappedFields(job.mapping);
  let columns: { name: string; index: number; type: ReturnType<typeof mappedFields> extends Map<string, infer T> ? T : never }[] | null =
    null;
  let headerLength = 0;
  let row = 0;
  let charsFed = 0;
  let charsAtLastRow = 0;
  let firstText = true;

  const text = new Transform({
    decodeStrings: false,
    readableObjectMode: false,
    transform(chunk: string, _enc, done) {
      if (firstText) {
        firstText = false;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      charsFed += chunk.length;
      done(null, chunk);
    },
  });
  const source = chunks as unknown as NodeJS.ReadableStream;
  source.setEncoding('utf8'); // multi-byte characters split across chunks stay whole
  (source as unknown as NodeJS.ReadableStream & { on: (e: string, f: (e: Error) => void) => void }).on('error', (e) =>
    text.destroy(e),
  );
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
      throw new FileProblem(`${name}: the header has no column ${missing.map((m) => `'${m}'`).join(', ')} named by the mapping`);
    }
    columns = [...wanted].map(([f, type]) => ({ name: f, index: index.get(f)!, type }));
  };

  const onRow = (cells: string[]) => {
    if (columns === null) {
      onHeader(cells);
      return;
    }
    row++;
    if (row <= job.skipRecords) return;
    if (cells.length !== headerLength) {
      consumer.reject(row, null, '(row)', `row has ${cells.length} fields, the header has ${headerLength}`, JSON.stringify(cells));
      return;
    }
    const raw: Record<string, unknown> = Object.create(null);
    for (const c of columns) {
      const v = convertCell(cells[c.index], c.type);
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
              if (row > job.skipRecords) consumer.reject(row, null, '(row)', 'unclosed or misplaced quote', JSON.stringify(cells));
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
          fail(new FileProblem(`${name}: record ${row + 1} runs past the ${job.maxLineBytes}-byte cap (an unclosed quote?)`));
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
  return sha256();
}
