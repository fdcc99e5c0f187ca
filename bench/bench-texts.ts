import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { mulberry32 } from '../src/shared/features/mining';

const SYLLABLES = 'ba ro ti ne ka lu mi so de fa gu pe ri ta vo zen dor mar lin sta kel bri pol ven tor'.split(' ');
const SENTIMENT = 'love great excellent terrible broken refund okay fine worst best happy poor'.split(' ');
const WORDS = 1500;
/** Words the tokenizer knows whole; the rest split into syllable pieces (## continuations). */
const WHOLE = 1000;

function words(): string[] {
  const next = mulberry32(5);
  const out = new Set<string>();
  while (out.size < WORDS) {
    const n = 1 + (next() % 4);
    out.add(Array.from({ length: n }, () => SYLLABLES[next() % SYLLABLES.length]).join(''));
  }
  return [...out];
}

/** Vocabulary the bench tokenizer adds to the fixture's: common words whole, syllables as pieces. */
export function benchVocabulary(): string[] {
  return [...words().slice(0, WHOLE), ...SYLLABLES, ...SYLLABLES.map((s) => `##${s}`)];
}

/** A review of 20–200 words in sentences, common words more often (as in real text). */
function review(next: () => number, vocabulary: string[]): string {
  const n = 20 + (next() % 181);
  const parts: string[] = [];
  let sentence = 0;
  for (let i = 0; i < n; i++) {
    const u = next() / 2 ** 32;
    let w = next() % 10 === 0 ? SENTIMENT[next() % SENTIMENT.length]! : vocabulary[Math.floor(u * u * WORDS)]!;
    if (sentence === 0) w = w[0]!.toUpperCase() + w.slice(1);
    sentence++;
    const end = sentence > 6 && next() % 8 === 0;
    parts.push(end || i === n - 1 ? `${w}.` : next() % 15 === 0 ? `${w},` : w);
    if (end) sentence = 0;
  }
  return parts.join(' ');
}

/** The demo log with each text replaced by a review of realistic length (made once per size). */
export async function longTextLog(demoLog: string): Promise<string> {
  const file = demoLog.replace(/\.jsonl$/, '-long-texts.jsonl');
  if (fs.existsSync(file)) return file;
  const next = mulberry32(9);
  const vocabulary = words();
  const building = `${file}.building`;
  const out = fs.createWriteStream(building);
  for await (const line of readline.createInterface({ input: fs.createReadStream(demoLog) })) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    row['text'] = review(next, vocabulary);
    if (!out.write(`${JSON.stringify(row)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  fs.renameSync(building, file);
  process.stderr.write(`wrote ${path.basename(file)}\n`);
  return file;
}
