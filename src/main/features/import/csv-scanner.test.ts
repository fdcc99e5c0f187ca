import { describe, expect, it } from 'vitest';
import { CsvScanner, fieldNumber, fieldText, RecordTooLong, type CsvRecord } from './csv-scanner';
import { NOT_UTF8 } from './bad-utf8';

interface Seen {
  line: number;
  cells: string[];
  problem: string | null;
}

function scanAll(text: string | Buffer, splits: number[] = [], cap = 1 << 20): Seen[] {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const out: Seen[] = [];
  const on = (r: CsvRecord) => {
    const cells: string[] = [];
    for (let f = 0; f < r.fieldCount; f++) cells.push(fieldText(r, f));
    out.push({ line: r.line, cells, problem: r.problem });
  };
  const scanner = new CsvScanner(cap);
  let at = 0;
  for (const s of [...splits, bytes.length]) {
    scanner.push(bytes.subarray(at, s), on);
    at = s;
  }
  scanner.end(on);
  return out;
}

const SAMPLE =
  '\uFEFFid,text,score\r\n' +
  '1,"say ""hi""",0.5\r\n' +
  '\r\n' +
  '2,"two\nlines, and a comma",-1.25\n' +
  '3,plain é ü 😀,7\n' +
  '4,,\n' +
  '5,"last",1e-3';

describe('CSV scanner', () => {
  it('reads quotes, escapes, quoted newlines, CRLF, blank lines, a BOM and a last line without newline', () => {
    expect(scanAll(SAMPLE)).toEqual([
      { line: 1, cells: ['id', 'text', 'score'], problem: null },
      { line: 2, cells: ['1', 'say "hi"', '0.5'], problem: null },
      { line: 4, cells: ['2', 'two\nlines, and a comma', '-1.25'], problem: null },
      { line: 6, cells: ['3', 'plain é ü 😀', '7'], problem: null },
      { line: 7, cells: ['4', '', ''], problem: null },
      { line: 8, cells: ['5', 'last', '1e-3'], problem: null },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const whole = scanAll(SAMPLE);
    const bytes = Buffer.from(SAMPLE);
    for (let cut = 1; cut < bytes.length; cut++) expect(scanAll(bytes, [cut])).toEqual(whole);
    for (let cut = 1; cut + 7 < bytes.length; cut += 3) expect(scanAll(bytes, [cut, cut + 7])).toEqual(whole);
  });

  it('reports an unclosed quote at the end and a quote in the wrong place', () => {
    expect(scanAll('a,b\n1,"open\n2,3\n').at(-1)).toMatchObject({ line: 2, problem: 'unclosed quote' });
    const bad = scanAll('a,b\n1,"x"y\n2,3\n');
    expect(bad[1]).toMatchObject({ line: 2, problem: expect.stringMatching(/quoted field must end/) });
    expect(bad[2]).toEqual({ line: 3, cells: ['2', '3'], problem: null });
  });

  it('refuses bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n2,ok\n')]);
    const seen = scanAll(bytes);
    expect(seen[1]!.problem).toBe(NOT_UTF8);
    expect(seen[2]).toEqual({ line: 3, cells: ['2', 'ok'], problem: null });
  });

  it('decodes UTF-8 records beside ASCII ones and refuses bad bytes, whatever the chunk boundaries', () => {
    // Chunks are checked for ASCII as a whole: those that are not must fall back to each record.
    const bytes = Buffer.concat([
      Buffer.from('id,text\n1,plain\n2,"café, naïve"\n3,'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\n4,日本語\n5,ascii again\n'),
    ]);
    const whole = scanAll(bytes);
    expect(whole.map((r) => [r.cells[1], r.problem])).toEqual([
      ['text', null],
      ['plain', null],
      ['café, naïve', null],
      [expect.any(String), NOT_UTF8],
      ['日本語', null],
      ['ascii again', null],
    ]);
    for (let cut = 1; cut < bytes.length; cut++) expect(scanAll(bytes, [cut])).toEqual(whole);
  });

  it('stops a record that grows past the cap (an unclosed quote near the start)', () => {
    const big = 'a,b\n1,"' + 'x'.repeat(5000);
    expect(() => scanAll(big, [100, 2000, 4000], 1024)).toThrow(RecordTooLong);
  });

  it('reads numbers exactly as Number() does', () => {
    const cases = [
      '0',
      '-0',
      '1.',
      '.5',
      '-12.345678',
      '007',
      '123456789012345',
      '1234567890123456789',
      '1e5',
      ' 2.5 ',
      'NaN',
      'Infinity',
      '-',
      '1.2.3',
      '0.1',
      '-0.000001',
    ];
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      cases.push(((seed / 2 ** 31 - 0.5) * 10 ** ((seed % 9) - 3)).toFixed(seed % 8));
    }
    const seen: number[] = [];
    const scanner = new CsvScanner(1 << 20);
    scanner.push(Buffer.from(cases.map((c) => `"${c}"`).join('\n') + '\n'), (r) => seen.push(fieldNumber(r, 0)));
    expect(seen).toEqual(cases.map((c) => Number(c)));
  });
});
