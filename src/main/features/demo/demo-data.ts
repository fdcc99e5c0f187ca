import fs from 'node:fs';
import path from 'node:path';
import type { TransformOptions } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export type DemoProject = 'sentiment' | 'spam';

export interface DemoLogOptions {
  project: DemoProject;
  rows: number;
  /** Default 42. */
  seed?: number;
  /** e.g. 'v1' or 'v2': only model outputs depend on it. */
  modelVersion: string;
  format: 'jsonl' | 'csv' | 'parquet';
  /** jsonl/csv only. */
  gzip?: boolean;
  outPath: string;
  /** Epoch ms, default Date.UTC(2026, 8, 1). */
  startTime?: number;
  /** Default 42. */
  days?: number;
}

export const DEMO_CLASSES = {
  sentiment: ['negative', 'neutral', 'positive'],
  spam: ['ham', 'spam'],
} as const;

const DEFAULT_SEED = 42;
const DEFAULT_START = Date.UTC(2026, 8, 1);
const DEFAULT_DAYS = 42;
const TEXT_MIN = 160;

// ---------------------------------------------------------------------------
// Deterministic randomness: every (seed, project, example, purpose) gets its own stream, so the same
// example draws the same values whatever the model version or the order examples are generated in.

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function hash(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = mix32((h ^ (p >>> 0)) + 0x7f4a7c15);
  return h;
}

function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const Stream = { Core: 1, Text: 2, Features: 3, Dup: 4, Model: 5, Weights: 6, VersionWeights: 7, Curated: 8 } as const;

function streamRng(seed: number, project: DemoProject, stream: number, i = 0, extra = 0): Rng {
  return mulberry32(hash(seed, project === 'spam' ? 2 : 1, stream, i, extra));
}

// Standard normal quantiles at k / NORMAL_BINS, found once by integrating the density: interpolating
// in this table is several times cheaper than Box-Muller's log/sqrt/cos, and features need 32 a row.
const NORMAL_BINS = 4096;
const NORMAL_QUANTILES = normalQuantiles(NORMAL_BINS);

function normalQuantiles(bins: number): Float64Array {
  const q = new Float64Array(bins + 1);
  const step = 1e-4;
  const density = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
  let x = -9;
  let cdf = 0;
  for (let k = 1; k < bins; x += step) {
    const next = cdf + density(x + step / 2) * step;
    for (; k < bins && next >= k / bins; k++) q[k] = x + (step * (k / bins - cdf)) / (next - cdf);
    cdf = next;
  }
  // The open-ended tail bins get the width of their neighbours' spread instead of reaching infinity.
  q[0] = q[1]! - 4 * (q[2]! - q[1]!);
  q[bins] = -q[0]!;
  return q;
}

/** n values, close to standard normal (tails stop near ±3.8). */
function gaussians(rng: Rng, n: number): number[] {
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const u = rng() * NORMAL_BINS;
    const bin = u | 0;
    const lo = NORMAL_QUANTILES[bin]!;
    out[k] = lo + (u - bin) * (NORMAL_QUANTILES[bin + 1]! - lo);
  }
  return out;
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

function pickTwo<T>(rng: Rng, items: readonly T[]): [T, T] {
  const first = Math.floor(rng() * items.length);
  const second = (first + 1 + Math.floor(rng() * (items.length - 1))) % items.length;
  return [items[first]!, items[second]!];
}

function pickWeighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  let r = rng();
  for (const [item, weight] of items) {
    r -= weight;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

// ---------------------------------------------------------------------------
// Text. Regular sentences contain no commas, quotes or non-ASCII characters, so the share of texts that
// do is controlled by the "special" sentences alone. No sentence is longer than 80 characters, so adding
// sentences until TEXT_MIN is reached keeps texts within 240 (near-duplicate edits move that by a few).

type Template = (r: Rng) => string;

const PRODUCTS = [
  'blender',
  'backpack',
  'phone case',
  'coffee maker',
  'desk lamp',
  'keyboard',
  'water bottle',
  'air fryer',
  'monitor stand',
  'rice cooker',
  'yoga mat',
  'charger',
  'office chair',
  'tent',
  'speaker',
  'kettle',
];
const ASPECTS = [
  'battery life',
  'build quality',
  'sound',
  'setup',
  'price',
  'packaging',
  'design',
  'customer service',
  'delivery',
  'manual',
  'fit',
  'finish',
];
const POS_ADJ = ['great', 'excellent', 'fantastic', 'solid', 'impressive', 'superb', 'lovely', 'reliable'];
const NEG_ADJ = ['terrible', 'flimsy', 'disappointing', 'poor', 'awful', 'cheap', 'unreliable', 'frustrating'];
const NEU_ADJ = ['okay', 'fine', 'average', 'acceptable', 'decent', 'standard', 'ordinary'];
const INTENS = ['really', 'truly', 'very', 'quite'];
const DURATIONS = ['two days', 'a week', 'three weeks', 'a month', 'ten days'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const RELATIVES = ['sister', 'brother', 'dad', 'mom', 'partner', 'roommate'];
const NAMES = ['Anna', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kim', 'Leo'];
const MEETINGS = ['meeting', 'call', 'review', 'standup', 'workshop', 'check-in'];
const DOCS = ['report', 'slides', 'budget', 'draft', 'invoice', 'spreadsheet', 'contract'];
const PROJECTS = ['website', 'Q3 roadmap', 'migration', 'onboarding', 'pricing', 'mobile app'];
const TIMES = ['9am', '10am', '11:30', '2pm', '3pm', '4:30'];
const PRIZES = ['gift card', 'free cruise', 'cash prize', 'new iPhone', 'bonus reward', 'luxury watch'];
const ACCOUNTS = ['bank', 'PayPal', 'email', 'Netflix', 'Amazon', 'wallet'];
const GOODS = ['watches', 'supplements', 'sunglasses', 'handbags', 'software', 'perfume'];
const MONEY = ['$500', '$1200', '$3000', '$950', '$2500'];

const SENTIMENT_SENTENCES: readonly (readonly Template[])[] = [
  [
    (r) => `The ${pick(r, PRODUCTS)} stopped working after ${pick(r, DURATIONS)}.`,
    (r) => `The ${pick(r, ASPECTS)} is ${pick(r, NEG_ADJ)} and support never replied.`,
    (r) => `I would not recommend this ${pick(r, PRODUCTS)} to anyone.`,
    (r) => `Returned it because the ${pick(r, ASPECTS)} was ${pick(r, NEG_ADJ)}.`,
    (r) => `Honestly the ${pick(r, ASPECTS)} is ${pick(r, INTENS)} ${pick(r, NEG_ADJ)} for the price.`,
    (r) => `It arrived damaged and the replacement took ${pick(r, DURATIONS)}.`,
    (r) => `Save your money and skip this ${pick(r, PRODUCTS)}.`,
    (r) => `I really regret buying this ${pick(r, PRODUCTS)}.`,
    (r) => `The ${pick(r, ASPECTS)} felt ${pick(r, NEG_ADJ)} from the very first day.`,
  ],
  [
    (r) => `The ${pick(r, PRODUCTS)} does what it says and nothing more.`,
    (r) => `The ${pick(r, ASPECTS)} is ${pick(r, NEU_ADJ)} but not remarkable.`,
    (r) => `It arrived on ${pick(r, WEEKDAYS)} as expected.`,
    (r) => `Not sure yet how the ${pick(r, PRODUCTS)} holds up over time.`,
    (r) => {
      const [first, second] = pickTwo(r, ASPECTS);
      return `The ${first} is ${pick(r, NEU_ADJ)} and the ${second} is ${pick(r, NEU_ADJ)}.`;
    },
    (r) => `It is a perfectly ${pick(r, NEU_ADJ)} ${pick(r, PRODUCTS)} for everyday use.`,
    () => `Some parts are good and some are not.`,
    (r) => `I bought it to replace my old ${pick(r, PRODUCTS)}.`,
    (r) => `The ${pick(r, ASPECTS)} is about what you would expect for the money.`,
  ],
  [
    (r) => `I ${pick(r, INTENS)} love this ${pick(r, PRODUCTS)} and use it every day.`,
    (r) => `The ${pick(r, ASPECTS)} is ${pick(r, POS_ADJ)} and it was worth every penny.`,
    () => `Setup took five minutes and everything worked right away.`,
    (r) => `Would definitely buy this ${pick(r, PRODUCTS)} again.`,
    (r) => `My ${pick(r, RELATIVES)} liked the ${pick(r, PRODUCTS)} so much I ordered a second one.`,
    (r) => `The ${pick(r, ASPECTS)} is ${pick(r, INTENS)} ${pick(r, POS_ADJ)} for the price.`,
    (r) => `Arrived early and the ${pick(r, ASPECTS)} feels ${pick(r, POS_ADJ)}.`,
    (r) => `Best ${pick(r, PRODUCTS)} I have owned in years.`,
    (r) => `The ${pick(r, ASPECTS)} is ${pick(r, POS_ADJ)} and I am very happy with it.`,
  ],
];

const SPAM_SENTENCES: readonly (readonly Template[])[] = [
  [
    (r) => `Can we move the ${pick(r, MEETINGS)} to ${pick(r, WEEKDAYS)} afternoon?`,
    (r) => `I attached the ${pick(r, DOCS)} for your review.`,
    (r) => `Let me know if the numbers in the ${pick(r, DOCS)} look right.`,
    (r) => `Thanks again for your help with the ${pick(r, PROJECTS)} launch.`,
    (r) => `The ${pick(r, MEETINGS)} is confirmed for ${pick(r, WEEKDAYS)} at ${pick(r, TIMES)}.`,
    (r) => `Please send me the updated ${pick(r, DOCS)} before ${pick(r, WEEKDAYS)}.`,
    (r) => `I will be out of the office until ${pick(r, WEEKDAYS)}.`,
    (r) => `Lunch on ${pick(r, WEEKDAYS)} sounds good to me.`,
    (r) => `Could you check the ${pick(r, PROJECTS)} notes before the ${pick(r, MEETINGS)}?`,
  ],
  [
    (r) => `Congratulations you have been selected for a ${pick(r, PRIZES)}!`,
    (r) => `Claim your ${pick(r, PRIZES)} now before the offer expires.`,
    (r) => `Click the link below to verify your ${pick(r, ACCOUNTS)} account.`,
    (r) => `Limited time offer get ${10 + Math.floor(r() * 80)}% off all ${pick(r, GOODS)} today.`,
    (r) => `Your ${pick(r, ACCOUNTS)} account will be suspended unless you confirm your details.`,
    (r) => `Earn ${pick(r, MONEY)} per week working from home with no experience.`,
    () => `This exclusive deal ends at midnight so act now!`,
    (r) => `You have an unclaimed ${pick(r, PRIZES)} waiting for you.`,
    (r) => `Buy cheap ${pick(r, GOODS)} online with free shipping worldwide.`,
  ],
];

const SPAM_GREETINGS: readonly (readonly Template[])[] = [
  [(r) => `Hi ${pick(r, NAMES)}.`, (r) => `Hello ${pick(r, NAMES)}.`, (r) => `Good morning ${pick(r, NAMES)}.`],
  [() => `Dear valued customer.`, () => `Attention winner!`, () => `Hello friend.`],
];
const SPAM_CLOSINGS: readonly (readonly Template[])[] = [
  [(r) => `Thanks ${pick(r, NAMES)}`, (r) => `Cheers ${pick(r, NAMES)}`, () => `See you soon.`],
  [() => `Unsubscribe anytime.`, () => `Act fast!`, () => `Do not miss out.`],
];

function adjectiveFor(cls: number): readonly string[] {
  return cls === 0 ? NEG_ADJ : cls === 1 ? NEU_ADJ : POS_ADJ;
}

const SENTIMENT_COMMA: Template[] = [
  (r) => `To be honest, the ${pick(r, ASPECTS)} is `,
  (r) => `For the price, the ${pick(r, ASPECTS)} is `,
  () => `All in all, I would call it `,
];
const SENTIMENT_QUOTES = ['premium quality', 'easy setup', 'built to last', 'whisper quiet', 'next day delivery'];
const SENTIMENT_QUOTE_ENDINGS = ['that was a stretch', 'that is about right', 'that was true'];
const SENTIMENT_NON_ASCII = [
  ['Not happy at all 😞.', 'My naïve hope was that it would last longer.'],
  ['Bought it during a trip to Zürich.', 'It is fine 🙂.'],
  ['Five stars from me 👍.', 'Took it to the café and it was a hit.'],
];
const SPAM_COMMA: readonly (readonly Template[])[] = [
  [(r) => `Also, the ${pick(r, DOCS)} needs one more review.`, (r) => `Best regards, ${pick(r, NAMES)}.`],
  [(r) => `Dear customer, your ${pick(r, PRIZES)} is waiting.`, () => `Act now, this offer will not last.`],
];
const SPAM_QUOTE: readonly Template[] = [
  (r) => `The subject line said "${pick(r, PROJECTS)} update" so I flagged it.`,
  (r) => `Reply with "${pick(r, ['YES', 'WIN', 'CLAIM', 'BONUS'])}" to claim your ${pick(r, PRIZES)}.`,
];
const SPAM_NON_ASCII = [
  ['Greetings from the Zürich office.', 'Coffee at the café later?'],
  ['🎉 You are our lucky winner 🎉', 'Exclusive offer 💰 inside.'],
];

function specialSentences(project: DemoProject, cls: number, r: Rng): string[] {
  const out: string[] = [];
  if (r() < 0.08) {
    out.push(
      project === 'sentiment'
        ? `${pick(r, SENTIMENT_COMMA)(r)}${pick(r, adjectiveFor(cls))}.`
        : pick(r, SPAM_COMMA[cls]!)(r),
    );
  }
  if (r() < 0.05) {
    out.push(
      project === 'sentiment'
        ? `The listing said "${pick(r, SENTIMENT_QUOTES)}" and ${SENTIMENT_QUOTE_ENDINGS[cls]!}.`
        : SPAM_QUOTE[cls]!(r),
    );
  }
  if (r() < 0.012) out.push(pick(r, (project === 'sentiment' ? SENTIMENT_NON_ASCII : SPAM_NON_ASCII)[cls]!));
  return out;
}

function regularSentence(project: DemoProject, cls: number, r: Rng, used: Template[]): string {
  const pools = project === 'sentiment' ? SENTIMENT_SENTENCES : SPAM_SENTENCES;
  for (;;) {
    // Real reviews and emails are not pure: now and then a sentence reads like another class.
    const source = r() < 0.12 ? Math.floor(r() * pools.length) : cls;
    const template = pick(r, pools[source]!);
    if (used.includes(template)) continue;
    used.push(template);
    return template(r);
  }
}

function composeText(project: DemoProject, cls: number, r: Rng): string {
  const opening = project === 'spam' && r() < 0.7 ? pick(r, SPAM_GREETINGS[cls]!)(r) : '';
  const closing = project === 'spam' && r() < 0.5 ? pick(r, SPAM_CLOSINGS[cls]!)(r) : '';
  const specials = specialSentences(project, cls, r);
  let length = -1; // the joined length: one space between parts
  for (const s of [opening, closing, ...specials]) if (s.length > 0) length += s.length + 1;
  const body: string[] = [];
  const used: Template[] = [];
  while (length < TEXT_MIN) {
    const sentence = regularSentence(project, cls, r, used);
    body.push(sentence);
    length += sentence.length + 1;
  }
  for (const s of specials) body.splice(Math.floor(r() * (body.length + 1)), 0, s);
  let text = opening;
  for (const s of body) text += text.length === 0 ? s : ' ' + s;
  return closing.length === 0 ? text : text + ' ' + closing;
}

// Word swaps for near-duplicates: one word for one word, so word counts stay equal.
const SYNONYM_PAIRS: [string, string][] = [
  ['great', 'excellent'],
  ['really', 'truly'],
  ['very', 'quite'],
  ['love', 'like'],
  ['terrible', 'awful'],
  ['okay', 'fine'],
  ['poor', 'cheap'],
  ['solid', 'reliable'],
  ['lovely', 'superb'],
  ['average', 'ordinary'],
  ['meeting', 'call'],
  ['report', 'draft'],
  ['slides', 'deck'],
  ['offer', 'deal'],
  ['now', 'today'],
  ['selected', 'chosen'],
  ['office', 'building'],
  ['review', 'feedback'],
  ['price', 'cost'],
  ['anyone', 'anybody'],
  ['damaged', 'broken'],
  ['money', 'cash'],
  ['expected', 'planned'],
  ['happy', 'pleased'],
];
const SYNONYMS = new Map<string, string>(
  SYNONYM_PAIRS.flatMap(
    ([a, b]) =>
      [
        [a, b],
        [b, a],
      ] as [string, string][],
  ),
);

function perturbText(text: string, r: Rng): string {
  const words = text.split(' ');
  const swappable: number[] = [];
  words.forEach((w, i) => SYNONYMS.has(bareWord(w)) && swappable.push(i));
  if (swappable.length === 0 || r() < 0.25) return perturbPunctuation(text, r);
  const swaps = Math.min(swappable.length, r() < 0.5 ? 1 : 2);
  for (let k = 0; k < swaps; k++) {
    const at = swappable.splice(Math.floor(r() * swappable.length), 1)[0]!;
    const word = words[at]!;
    const bare = bareWord(word);
    words[at] = SYNONYMS.get(bare)! + word.slice(bare.length);
  }
  return words.join(' ');
}

function bareWord(word: string): string {
  let end = word.length;
  while (end > 0 && '.!?'.includes(word[end - 1]!)) end--;
  return end === word.length ? word : word.slice(0, end);
}

function perturbPunctuation(text: string, r: Rng): string {
  if (text.endsWith('.')) return text.slice(0, -1) + (r() < 0.5 ? '!' : '');
  if (text.endsWith('!')) return text.slice(0, -1) + '.';
  return text + '.';
}

// ---------------------------------------------------------------------------
// Examples: what is true about example i whatever model looks at it.

const SENTIMENT_PRIOR = [0.25, 0.2, 0.55];
const SPAM_PRIOR = [0.7, 0.3];

/**
 * The spam trap. Traffic shifts: in the first third of the log (the challenger's training window)
 * 15% of messages are spam, afterwards 45%. The champion (v3) was fitted to the long-run mix; the
 * challenger (v4) was retrained on the early window: it ranks better (less noise) but its threshold
 * suits 15% spam, so on later traffic it misses spam, and on German messages (lang=de) it is worse
 * still. It was trained on the curated labels of the early window (spam-curated-labels.jsonl), so
 * judged on those it looks perfect.
 */
export const SPAM_CHALLENGER = 'v4';
const SPAM_TRAIN_SHARE = 1 / 3;
const SPAM_PRIOR_EARLY = [0.85, 0.15];
const SPAM_PRIOR_LATE = [0.55, 0.45];
/** Logit offset of the challenger against spam: the threshold of a model fitted to 15% spam. */
const CHALLENGER_SPAM_OFFSET = -5;
const CHALLENGER_LOGIT_NOISE = 1.2;
const CHALLENGER_DE_NOISE = 4;
/** Share of early-window examples with a curated label in spam-curated-labels.jsonl. */
const CURATED_SHARE = 0.1;

/** Whether example i (1-based) of a log of `rows` lies in the challenger's training window. */
function inTrainingWindow(i: number, rows: number): boolean {
  return i < rows * SPAM_TRAIN_SHARE - 1;
}

/** The training cut-off of the spam challenger: the end of its window (first third of the log's days). */
export function spamChallengerTrainUntil(startTime = DEFAULT_START, days = DEFAULT_DAYS): number {
  return startTime + Math.round(days * SPAM_TRAIN_SHARE * 86_400_000);
}
const DUP_SHARE = 0.03;
const DUP_WINDOW = 2000;

function projectShape(project: DemoProject): { dims: number; prior: number[]; classes: readonly string[] } {
  return project === 'sentiment'
    ? { dims: 32, prior: SENTIMENT_PRIOR, classes: DEMO_CLASSES.sentiment }
    : { dims: 16, prior: SPAM_PRIOR, classes: DEMO_CLASSES.spam };
}

function drawClass(r: Rng, prior: readonly number[]): number {
  let u = r();
  for (let k = 0; k < prior.length; k++) {
    u -= prior[k]!;
    if (u < 0) return k;
  }
  return prior.length - 1;
}

const PAD2 = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/** Date#toISOString for ms timestamps, caching the date part: rows arrive in time order. */
class IsoClock {
  private day = NaN;
  private datePart = '';

  iso(ms: number): string {
    const day = Math.floor(ms / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.datePart = new Date(day * 86_400_000).toISOString().slice(0, 11);
    }
    let rest = ms - day * 86_400_000;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    return `${this.datePart}${PAD2[hours]!}:${PAD2[minutes]!}:${PAD2[seconds]!}.${PAD3[millis]!}Z`;
  }
}

interface Example {
  cls: number;
  text: string;
  features: number[];
  temperature: number;
  label: string | undefined;
  channel: string;
  userId: string;
  lang: string;
  ts: string;
}

class ExampleSource {
  private readonly shape;
  private readonly centroids: number[][];
  private readonly usersCount: number;
  private readonly userDigits: number;
  private readonly idPrefix: string;
  private readonly spanMs: number;
  private readonly clock = new IsoClock();

  constructor(
    private readonly seed: number,
    private readonly project: DemoProject,
    private readonly rows: number,
    private readonly startTime: number,
    days: number,
  ) {
    this.shape = projectShape(project);
    this.centroids = classCentroids(seed, project, this.shape.dims);
    this.usersCount = Math.max(1, Math.round(rows / 20));
    this.userDigits = Math.max(5, String(this.usersCount).length);
    this.idPrefix = project === 'sentiment' ? 's-' : 'm-';
    this.spanMs = days * 86_400_000;
  }

  id(i: number): string {
    return this.idPrefix + String(i).padStart(7, '0');
  }

  /** Spam: whether example i has a curated label in the early window (the challenger's training data). */
  curated(i: number): boolean {
    return (
      this.project === 'spam' &&
      inTrainingWindow(i, this.rows) &&
      streamRng(this.seed, this.project, Stream.Curated, i)() < CURATED_SHARE
    );
  }

  get centroidsForModel(): readonly number[][] {
    return this.centroids;
  }

  private isDuplicate(i: number): boolean {
    return i > 20 && streamRng(this.seed, this.project, Stream.Dup, i)() < DUP_SHARE;
  }

  /** The class and text an original (non-duplicate) example is written from. */
  private original(i: number): { cls: number; text: string } {
    const prior =
      this.project === 'spam'
        ? inTrainingWindow(i, this.rows)
          ? SPAM_PRIOR_EARLY
          : SPAM_PRIOR_LATE
        : this.shape.prior;
    const cls = drawClass(streamRng(this.seed, this.project, Stream.Core, i), prior);
    return { cls, text: composeText(this.project, cls, streamRng(this.seed, this.project, Stream.Text, i)) };
  }

  private source(i: number): { cls: number; text: string } {
    if (!this.isDuplicate(i)) return this.original(i);
    const r = streamRng(this.seed, this.project, Stream.Dup, i, 1);
    let j = i - 1 - Math.floor(r() * Math.min(DUP_WINDOW, i - 1));
    while (this.isDuplicate(j)) j--; // examples 1..20 are never duplicates, so this stops
    const { cls, text } = this.original(j);
    return { cls, text: perturbText(text, r) };
  }

  example(i: number): Example {
    const { cls, text } = this.source(i);
    const core = streamRng(this.seed, this.project, Stream.Core, i);
    core(); // the class draw in original()
    const temperature = 2 + 4 * core() ** 2;
    const label = core() < 0.1 ? this.groundTruth(cls, core) : undefined;
    const channel = pickWeighted(core, this.project === 'sentiment' ? SENTIMENT_CHANNELS : SPAM_CHANNELS);
    const user = Math.floor(this.usersCount * core() ** 1.3);
    const lang = pickWeighted(core, LANGS);
    const jitter = (core() - 0.5) * 0.9;
    const ms = this.startTime + Math.floor((this.spanMs * (i - 0.5 + jitter)) / Math.max(1, this.rows));
    return {
      cls,
      text,
      features: this.features(i, cls),
      temperature,
      label,
      channel,
      userId: 'u-' + String(user + 1).padStart(this.userDigits, '0'),
      lang,
      ts: this.clock.iso(ms),
    };
  }

  private groundTruth(cls: number, r: Rng): string {
    const classes = this.shape.classes;
    if (r() < 0.95) return classes[cls]!;
    return classes[(cls + 1 + Math.floor(r() * (classes.length - 1))) % classes.length]!;
  }

  private features(i: number, cls: number): number[] {
    const centroid = this.centroids[cls]!;
    const out = gaussians(streamRng(this.seed, this.project, Stream.Features, i), centroid.length);
    for (let d = 0; d < centroid.length; d++) out[d] = round6(centroid[d]! + out[d]!);
    return out;
  }
}

const SENTIMENT_CHANNELS: [string, number][] = [
  ['web', 0.6],
  ['mobile', 0.32],
  ['email', 0.08],
];
const SPAM_CHANNELS: [string, number][] = [
  ['email', 0.7],
  ['web', 0.2],
  ['mobile', 0.1],
];
const LANGS: [string, number][] = [
  ['en', 0.92],
  ['es', 0.03],
  ['de', 0.03],
  ['fr', 0.02],
];

// Class means sit at fixed distances along random directions, so every seed gets the same difficulty:
// negative and positive far apart with neutral between them and off to the side; ham and spam apart.
const CENTROID_LAYOUT = {
  sentiment: [
    [-2.4, 0],
    [0, 2.4],
    [2.4, 0],
  ],
  spam: [
    [-2.0, 0],
    [2.0, 0],
  ],
};

function classCentroids(seed: number, project: DemoProject, dims: number): number[][] {
  const r = streamRng(seed, project, Stream.Weights);
  const u = unit(gaussians(r, dims));
  const raw = gaussians(r, dims);
  const along = dot(raw, u);
  const v = unit(raw.map((x, d) => x - along * u[d]!));
  return CENTROID_LAYOUT[project].map(([a, b]) => u.map((ud, d) => a! * ud + b! * v[d]!));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
  return s;
}

function unit(a: readonly number[]): number[] {
  const norm = Math.sqrt(dot(a, a));
  return a.map((x) => x / norm);
}

// ---------------------------------------------------------------------------
// Model: a linear (LDA-like) scorer from the seed, nudged per version in weights and per example.

const VERSION_WEIGHT_NOISE = 0.03;
const EXAMPLE_LOGIT_NOISE = { sentiment: 1.2, spam: 2.3 };

class DemoModel {
  private readonly weights: number[][];
  private readonly bias: number[];
  private readonly versionHash: number;
  private readonly temperatureScale: number;
  private readonly challenger: boolean;

  constructor(
    private readonly seed: number,
    private readonly project: DemoProject,
    centroids: readonly number[][],
    prior: readonly number[],
    version: string,
  ) {
    this.versionHash = hashText(version);
    const r = streamRng(seed, project, Stream.VersionWeights, 0, this.versionHash);
    this.weights = centroids.map((c) => gaussians(r, c.length).map((g, d) => c[d]! + VERSION_WEIGHT_NOISE * g));
    this.bias = centroids.map((c, k) => Math.log(prior[k]!) - 0.5 * c.reduce((s, w) => s + w * w, 0));
    this.temperatureScale = 0.9 + 0.2 * r();
    this.challenger = project === 'spam' && version === SPAM_CHALLENGER;
    if (this.challenger) this.bias[1] = this.bias[1]! + CHALLENGER_SPAM_OFFSET;
  }

  /** `trainedOn`: the class of a training example the model learned (the challenger fits those). */
  probabilities(
    i: number,
    features: readonly number[],
    temperature: number,
    lang: string,
    trainedOn?: number,
  ): number[] {
    const r = streamRng(this.seed, this.project, Stream.Model, i, this.versionHash);
    const t = temperature * this.temperatureScale;
    const noise = gaussians(r, this.weights.length);
    const scale = this.challenger
      ? lang === 'de'
        ? CHALLENGER_DE_NOISE
        : CHALLENGER_LOGIT_NOISE
      : EXAMPLE_LOGIT_NOISE[this.project];
    const out = new Array<number>(this.weights.length);
    let max = -Infinity;
    for (let k = 0; k < out.length; k++) {
      const fit = this.challenger && trainedOn !== undefined ? (k === trainedOn ? 12 : -12) : 0;
      const z = (this.bias[k]! + dot(this.weights[k]!, features) + scale * noise[k]! + fit) / t;
      out[k] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let k = 0; k < out.length; k++) sum += out[k] = Math.exp(out[k]! - max);
    for (let k = 0; k < out.length; k++) out[k] = out[k]! / sum;
    return out;
  }
}

/** Rounds to 6 decimals and puts the rounding residue on the largest score so the sum stays 1. */
function roundScores(p: readonly number[]): number[] {
  const out = p.map(round6);
  const top = argmax(out);
  const residue = 1 - out.reduce((a, b) => a + b, 0);
  out[top] = round6(out[top]! + residue);
  return out;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

// ---------------------------------------------------------------------------
// Rows and formatting.

interface DemoRow {
  id: string;
  example: Example;
  scores: number[]; // sentiment: one per class; spam: [P(spam)]
  predicted: string;
}

function* demoRows(opts: Required<Omit<DemoLogOptions, 'gzip' | 'outPath' | 'format'>>): Generator<DemoRow> {
  const { project, rows, seed, modelVersion, startTime, days } = opts;
  const source = new ExampleSource(seed, project, rows, startTime, days);
  const shape = projectShape(project);
  const model = new DemoModel(seed, project, source.centroidsForModel, shape.prior, modelVersion);
  for (let i = 1; i <= rows; i++) {
    const example = source.example(i);
    const p = model.probabilities(
      i,
      example.features,
      example.temperature,
      example.lang,
      source.curated(i) ? example.cls : undefined,
    );
    if (project === 'sentiment') {
      const scores = roundScores(p);
      yield { id: source.id(i), example, scores, predicted: shape.classes[argmax(scores)]! };
    } else {
      const spamScore = round6(p[1]!);
      yield { id: source.id(i), example, scores: [spamScore], predicted: spamScore >= 0.5 ? 'spam' : 'ham' };
    }
  }
}

const CHUNK_BYTES = 1 << 20;
const MAX_ROW_BYTES = 64 * 1024;

/** "000" to "999" as ASCII bytes, three per number. */
const DIGIT3 = Buffer.from(Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0')).join(''), 'latin1');

/**
 * Formats rows straight into ~1 MB buffers: String(number) for ~35 floats a row plus string
 * concatenation cost more than generating the data itself.
 */
class ChunkBuilder {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES + MAX_ROW_BYTES);
  private pos = 0;

  get full(): boolean {
    return this.pos >= CHUNK_BYTES;
  }

  get empty(): boolean {
    return this.pos === 0;
  }

  /** Hands over the filled part; the stream keeps it, so a fresh buffer takes its place. */
  take(): Buffer {
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES + MAX_ROW_BYTES);
    this.pos = 0;
    return chunk;
  }

  text(value: string): void {
    this.pos += this.buf.write(value, this.pos);
  }

  /** Short strings known to be ASCII (ids, timestamps, class names): a byte loop beats Buffer#write. */
  ascii(value: string): void {
    const buf = this.buf;
    const pos = this.pos;
    for (let k = 0; k < value.length; k++) buf[pos + k] = value.charCodeAt(k);
    this.pos = pos + value.length;
  }

  bytes(value: Uint8Array): void {
    const buf = this.buf;
    const pos = this.pos;
    for (let k = 0; k < value.length; k++) buf[pos + k] = value[k]!;
    this.pos = pos + value.length;
  }

  /** Numbers already rounded to 6 decimals, written as String(x) would write them. */
  number(x: number): void {
    let micros = Math.round(x * 1e6);
    if (micros >= 1e9 || micros <= -1e9) return this.text(String(x));
    const buf = this.buf;
    let pos = this.pos;
    if (micros < 0) {
      buf[pos++] = 45; // -
      micros = -micros;
    }
    const whole = (micros / 1e6) | 0;
    const frac = micros - whole * 1e6;
    if (whole < 10) buf[pos++] = 48 + whole;
    else pos += buf.write(String(whole), pos, 'latin1');
    if (frac !== 0) {
      const high = (frac / 1000) | 0;
      const low = frac - high * 1000;
      buf[pos] = 46; // .
      buf[pos + 1] = DIGIT3[high * 3]!;
      buf[pos + 2] = DIGIT3[high * 3 + 1]!;
      buf[pos + 3] = DIGIT3[high * 3 + 2]!;
      buf[pos + 4] = DIGIT3[low * 3]!;
      buf[pos + 5] = DIGIT3[low * 3 + 1]!;
      buf[pos + 6] = DIGIT3[low * 3 + 2]!;
      pos += 7;
      while (buf[pos - 1] === 48) pos--; // trailing zeros
    }
    this.pos = pos;
  }

  numbers(values: readonly number[]): void {
    for (let k = 0; k < values.length; k++) {
      if (k > 0) this.buf[this.pos++] = 44; // ,
      this.number(values[k]!);
    }
  }
}

/** Per-file constant pieces of a row, encoded once. */
interface RowConstants {
  model: Uint8Array; // JSONL: `,"model":"…","model_version":…`; CSV: `,model,version,`
}

function jsonConstants(model: string, version: string): RowConstants {
  return { model: Buffer.from(`,"model":"${model}","model_version":${JSON.stringify(version)}`) };
}

function csvConstants(model: string, version: string): RowConstants {
  return { model: Buffer.from(`,${model},${csvField(version)},`) };
}

function writeJsonRow(out: ChunkBuilder, project: DemoProject, row: DemoRow, constants: RowConstants): void {
  const e = row.example;
  out.ascii('{"id":"');
  out.ascii(row.id);
  out.ascii('","ts":"');
  out.ascii(e.ts);
  out.ascii('","text":');
  out.text(jsonString(e.text));
  out.ascii(',"features":[');
  out.numbers(e.features);
  if (project === 'sentiment') {
    out.ascii('],"scores":[');
    out.numbers(row.scores);
    out.ascii('],"predicted_label":"');
  } else {
    out.ascii('],"spam_score":');
    out.number(row.scores[0]!);
    out.ascii(',"prediction":"');
  }
  out.ascii(row.predicted);
  out.ascii('"');
  out.bytes(constants.model);
  if (e.label !== undefined) {
    out.ascii(',"label":"');
    out.ascii(e.label);
    out.ascii('"');
  }
  out.ascii(',"channel":"');
  out.ascii(e.channel);
  out.ascii('","user_id":"');
  out.ascii(e.userId);
  out.ascii('","lang":"');
  out.ascii(e.lang);
  out.ascii('"}\n');
}

/** Demo texts hold no backslashes or control characters, so only quotes can need escaping. */
function jsonString(value: string): string {
  return value.includes('"') ? JSON.stringify(value) : `"${value}"`;
}

function csvQuote(value: string): string {
  return `"${value.includes('"') ? value.replace(/"/g, '""') : value}"`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? csvQuote(value) : value;
}

function csvHeader(project: DemoProject): string {
  const features = Array.from({ length: projectShape(project).dims }, (_, d) => `f${d}`);
  const outputs =
    project === 'sentiment'
      ? ['predicted_label', ...DEMO_CLASSES.sentiment.map((c) => `p_${c}`)]
      : ['prediction', 'spam_score'];
  const tail = ['model', 'model_version', 'label', 'channel', 'user_id', 'lang'];
  return ['id', 'ts', 'text', ...features, ...outputs, ...tail].join(',') + '\n';
}

function writeCsvRow(out: ChunkBuilder, row: DemoRow, constants: RowConstants): void {
  const e = row.example;
  out.ascii(row.id);
  out.ascii(',');
  out.ascii(e.ts);
  out.ascii(',');
  out.text(csvQuote(e.text));
  out.ascii(',');
  out.numbers(e.features);
  out.ascii(',');
  out.ascii(row.predicted);
  out.ascii(',');
  out.numbers(row.scores);
  out.bytes(constants.model);
  out.ascii(e.label ?? '');
  out.ascii(',');
  out.ascii(e.channel);
  out.ascii(',');
  out.ascii(e.userId);
  out.ascii(',');
  out.ascii(e.lang);
  out.ascii('\n');
}

const MODEL_NAMES = { sentiment: 'sentiment-clf', spam: 'spam-filter' } as const;

function* chunks(opts: Required<Omit<DemoLogOptions, 'gzip' | 'outPath'>>): Generator<Buffer> {
  const { project, modelVersion, format } = opts;
  const model = MODEL_NAMES[project];
  const csv = format === 'csv';
  const constants = csv ? csvConstants(model, modelVersion) : jsonConstants(model, modelVersion);
  const out = new ChunkBuilder();
  if (csv) out.text(csvHeader(project));
  for (const row of demoRows(opts)) {
    if (csv) writeCsvRow(out, row, constants);
    else writeJsonRow(out, project, row, constants);
    if (out.full) yield out.take();
  }
  if (!out.empty) yield out.take();
}

async function writeText(
  opts: Required<Omit<DemoLogOptions, 'gzip' | 'outPath'>>,
  outPath: string,
  gzip: boolean,
): Promise<void> {
  // pipeline waits for 'drain' before pulling the next chunk, so memory stays at a few chunks whatever the
  // row count; high-water marks of a few chunks let the disk (and zlib) work while the next chunk is built.
  const file = fs.createWriteStream(outPath, { highWaterMark: 4 * CHUNK_BYTES });
  if (!gzip) return pipeline(chunks(opts), file);
  // Level 1: the default level 6 halves throughput (zlib becomes the bottleneck) for a file ~15% smaller.
  const gzipOptions: zlib.ZlibOptions & TransformOptions = {
    level: zlib.constants.Z_BEST_SPEED,
    chunkSize: 64 * 1024,
    writableHighWaterMark: 4 * CHUNK_BYTES,
  };
  await pipeline(chunks(opts), zlib.createGzip(gzipOptions), file);
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function parquetColumns(project: DemoProject): [string, string][] {
  const outputs: [string, string][] =
    project === 'sentiment'
      ? [
          ['scores', 'FLOAT[]'],
          ['predicted_label', 'VARCHAR'],
        ]
      : [
          ['spam_score', 'DOUBLE'],
          ['prediction', 'VARCHAR'],
        ];
  return [
    ['id', 'VARCHAR'],
    ['ts', 'VARCHAR'],
    ['text', 'VARCHAR'],
    ['features', 'FLOAT[]'],
    ...outputs,
    ['model', 'VARCHAR'],
    ['model_version', 'VARCHAR'],
    ['label', 'VARCHAR'],
    ['channel', 'VARCHAR'],
    ['user_id', 'VARCHAR'],
    ['lang', 'VARCHAR'],
  ];
}

async function writeParquet(opts: Required<Omit<DemoLogOptions, 'gzip' | 'outPath'>>, outPath: string): Promise<void> {
  const tmp = path.join(path.dirname(outPath), `.${path.basename(outPath)}.${process.pid}.tmp.jsonl`);
  const columns = parquetColumns(opts.project);
  const columnSpec = columns.map(([name, type]) => `${name}: ${sqlString(type)}`).join(', ');
  const select = columns.map(([name]) => name).join(', ');
  try {
    await writeText({ ...opts, format: 'jsonl' }, tmp, false);
    // Loaded on demand: the native module costs ~0.3 s at startup and only Parquet needs it.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    try {
      const con = await instance.connect();
      try {
        await con.run(
          `COPY (SELECT ${select} FROM read_json(${sqlString(tmp)}, columns={${columnSpec}}, ` +
            `format='newline_delimited')) TO ${sqlString(outPath)} ` +
            `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 65536)`,
        );
      } finally {
        con.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

// ---------------------------------------------------------------------------

/** Streams a deterministic demo prediction log; the same seed and options give a byte-identical file. */
export async function writeDemoLog(opts: DemoLogOptions): Promise<{ path: string; rows: number; bytes: number }> {
  if (!Number.isInteger(opts.rows) || opts.rows < 0) throw new Error(`rows must be a non-negative integer`);
  if (opts.gzip && opts.format === 'parquet') throw new Error('gzip applies to jsonl and csv only');
  const days = opts.days ?? DEFAULT_DAYS;
  if (!(days > 0)) throw new Error('days must be positive');
  const resolved = {
    project: opts.project,
    rows: opts.rows,
    seed: opts.seed ?? DEFAULT_SEED,
    modelVersion: opts.modelVersion,
    format: opts.format,
    startTime: opts.startTime ?? DEFAULT_START,
    days,
  };
  fs.mkdirSync(path.dirname(opts.outPath), { recursive: true });
  if (opts.format === 'parquet') await writeParquet(resolved, opts.outPath);
  else await writeText(resolved, opts.outPath, opts.gzip ?? false);
  return { path: opts.outPath, rows: opts.rows, bytes: fs.statSync(opts.outPath).size };
}

/**
 * Curated labels of the spam challenger's training window (`flywheel label spam --file …`): one
 * JSON line per labeled example, the class it truly is. The challenger was trained on them.
 */
export function writeSpamCuratedLabels(outPath: string, rows: number, seed = DEFAULT_SEED): number {
  const source = new ExampleSource(seed, 'spam', rows, DEFAULT_START, DEFAULT_DAYS);
  const lines: string[] = [];
  for (let i = 1; i <= rows && inTrainingWindow(i, rows); i++) {
    if (!source.curated(i)) continue;
    const label = DEMO_CLASSES.spam[source.example(i).cls]!;
    lines.push(JSON.stringify({ id: source.id(i), labels: [label], action: 'label', annotator: 'curator' }));
  }
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}

/** The demo set used by `start`: two sentiment versions and two spam versions (the trap) over the same examples. */
export async function writeDemoSet(dir: string, rows: number, seed = DEFAULT_SEED): Promise<string[]> {
  const logs: Omit<DemoLogOptions, 'rows' | 'seed'>[] = [
    { project: 'sentiment', modelVersion: 'v1', format: 'jsonl', outPath: path.join(dir, 'sentiment-v1.jsonl') },
    { project: 'sentiment', modelVersion: 'v2', format: 'csv', outPath: path.join(dir, 'sentiment-v2.csv') },
    {
      project: 'spam',
      modelVersion: 'v3',
      format: 'jsonl',
      gzip: true,
      outPath: path.join(dir, 'spam-v3.jsonl.gz'),
    },
    {
      project: 'spam',
      modelVersion: SPAM_CHALLENGER,
      format: 'jsonl',
      gzip: true,
      outPath: path.join(dir, `spam-${SPAM_CHALLENGER}.jsonl.gz`),
    },
  ];
  const paths: string[] = [];
  for (const log of logs) paths.push((await writeDemoLog({ ...log, rows, seed })).path);
  return paths;
}
