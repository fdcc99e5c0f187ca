// A Hugging Face folder's text goes through its tokenizer exactly as in Python: the ids fed to the
// model are the Rust tokenizer's own encoding (truncation included), and the stored scores are
// session.run on those ids.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeTempDir,
  openContext,
  removeDir,
  sentimentRow,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { importGuessed } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';
import { BERT_MAX_LENGTH, bertConfig, bertTokenizerConfig, bertTokenizerJson, tinyBertModel } from './fixture-bert';
import { openModel } from './model-host';
import { tokenizerOf } from './model-input';

type Ort = typeof import('onnxruntime-node');
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node') as Ort;
const { Tokenizer } = require('tokenizers') as typeof import('tokenizers');

const LONG = 'the best thing , and it was lovely but the refund was awful ! '.repeat(20).trim();
const TEXTS = [
  LONG,
  `${LONG} never returned`,
  'Café TRÈS bien, naïve!',
  '中文很好 love it',
  'love it 😍🔥 best ever',
  '',
  ...Array.from({ length: 30 }, (_, i) => `it was ${['great', 'okay', 'awful'][i % 3]} and ${'fine '.repeat(i % 5)}`),
];
const project = { project: 'reviews' };
let dir: string;
let ctx: TestContext;
let folder: string;

beforeAll(async () => {
  dir = makeTempDir('hf-tokenizer');
  ctx = openContext(dir);
  const log = writeJsonl(
    path.join(dir, 'reviews.jsonl'),
    TEXTS.map((text, i) => sentimentRow(i, { text })),
  );
  await importGuessed(ctx, log, 'reviews');
  folder = path.join(dir, 'tiny-bert');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'model.onnx'), tinyBertModel(3, { tokenTypeIds: true }));
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(bertConfig(['negative', 'neutral', 'positive'])));
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

function softmax(v: number[]): number[] {
  const max = Math.max(...v);
  const e = v.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** The examples' texts and stored scores of a model run, by text. */
function stored(modelRunId: number): Map<string, number[]> {
  const db = new Database(path.join(dir, 'w.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT e.text, p.scores FROM predictions p JOIN examples e ON e.id = p.example_id WHERE p.model_run_id = ?',
      )
      .all(modelRunId) as { text: string | null; scores: Buffer }[];
    return new Map(
      rows.map((r) => [r.text ?? '', Array.from(new Float32Array(r.scores.buffer, r.scores.byteOffset, 3))]),
    );
  } finally {
    db.close();
  }
}

/** The Rust tokenizer's own encoding of one text, with tokenizer.json's truncation. */
async function rustEncoding(text: string) {
  const tok = Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
  const e = await tok.encode(text);
  return { ids: e.getIds(), typeIds: e.getTypeIds() };
}

/** One padded row of a batch, without its padding. */
function unpadded(row: number[], mask: number[]): number[] {
  return row.filter((_, j) => mask[j] === 1);
}

describe('Hugging Face tokenization', () => {
  it('registers the folder with the tokenizer.json truncation length and token_type_ids', async () => {
    const m = await call('models.add', { project, path: folder, version: '1' }, ctx);
    expect(m.inputMapping).toEqual({
      kind: 'tokens',
      inputIds: 'input_ids',
      attentionMask: 'attention_mask',
      tokenTypeIds: 'token_type_ids',
      maxLength: BERT_MAX_LENGTH,
    });
    expect(m.name).toBe('acme/tiny-bert-reviews');
    expect(m.tokenizer).toMatch(/^Hugging Face tokenizers 0\.23\.2 \(Rust\)$/);
    expect(m.warnings).toEqual([]);
  });

  it('stores scores equal to session.run on the Rust encoding, long texts truncated as [CLS] … [SEP]', async () => {
    const { jobId } = await call('models.rescore', { project, model: 'acme/tiny-bert-reviews@1' }, ctx);
    const status = await ctx.jobs.wait(jobId);
    expect(status.error?.message).toBeUndefined();
    const result = status.result as { rows: number; modelRunId: number; tokenizer: string };
    expect(result.rows).toBe(TEXTS.length);
    expect(result.tokenizer).toMatch(/Rust/);
    const got = stored(result.modelRunId);
    const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
    let worst = 0;
    for (const text of TEXTS) {
      const { ids, typeIds } = await rustEncoding(text);
      const dims = [1, ids.length];
      const out = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), dims),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
        token_type_ids: new ort.Tensor('int64', BigInt64Array.from(typeIds.map(BigInt)), dims),
      });
      const want = softmax(Array.from(out['logits']!.data as Float32Array));
      const have = got.get(text)!;
      expect(have, JSON.stringify(text.slice(0, 40))).toBeDefined();
      want.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - have[c]!))));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('feeds the model the Rust encoding of every text, with either tokenizer library', async () => {
    const [m] = await call('models.list', project, ctx);
    const long = await rustEncoding(LONG);
    expect(long.ids).toHaveLength(BERT_MAX_LENGTH);
    expect([long.ids[0], long.ids.at(-1)]).toEqual([2, 3]); // [CLS] … [SEP]
    for (const library of ['rust', 'javascript']) {
      if (library === 'javascript') process.env['FLYWHEEL_TOKENIZER'] = 'javascript';
      const opened = await openModel(m!.file, 'cpu', 'tiny-bert', tokenizerOf(m!.inputMapping, m!.file));
      try {
        expect(opened.tokenizer).toMatch(library === 'rust' ? /\(Rust\)$/ : /^@huggingface\/tokenizers \(JavaScript;/);
        const fed = await opened.tokenize(TEXTS);
        const width = fed.ids[0]!.length;
        expect(width).toBe(BERT_MAX_LENGTH);
        for (const [i, text] of TEXTS.entries()) {
          const want = await rustEncoding(text);
          expect(fed.ids[i], `${library}: ${JSON.stringify(text.slice(0, 40))}`).toHaveLength(width);
          expect(unpadded(fed.ids[i]!, fed.mask[i]!), `${library}: ${JSON.stringify(text.slice(0, 40))}`).toEqual(
            want.ids,
          );
          expect(unpadded(fed.typeIds[i]!, fed.mask[i]!)).toEqual(want.typeIds);
          // Padding: [PAD] (id 0) after the text, masked out.
          expect(fed.ids[i]!.slice(want.ids.length).every((id) => id === 0)).toBe(true);
        }
      } finally {
        await opened.close();
        delete process.env['FLYWHEEL_TOKENIZER'];
      }
    }
  });

  it("truncates to the mapping's max length when it is edited, keeping [SEP]", async () => {
    await call('models.add', { project, path: folder, version: 'short' }, ctx);
    const m = await call('models.update', { project, model: 'acme/tiny-bert-reviews@short', maxLength: 32 }, ctx);
    const opened = await openModel(m.file, 'cpu', 'tiny-bert', tokenizerOf(m.inputMapping, m.file));
    try {
      const fed = await opened.tokenize([LONG, 'love it']);
      const tok = Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
      tok.setTruncation(32);
      expect(fed.ids[0]).toEqual((await tok.encode(LONG)).getIds());
      expect(fed.ids[0]).toHaveLength(32);
      expect(fed.ids[0]!.at(-1)).toBe(3);
    } finally {
      await opened.close();
    }
  });

  it("follows tokenizer.json's left truncation and left padding, with either library", async () => {
    const left = path.join(dir, 'tiny-bert-left');
    fs.mkdirSync(left);
    for (const f of ['model.onnx', 'tokenizer_config.json', 'config.json'])
      fs.copyFileSync(path.join(folder, f), path.join(left, f));
    const json = bertTokenizerJson();
    json['truncation'] = { direction: 'Left', max_length: BERT_MAX_LENGTH, strategy: 'LongestFirst', stride: 0 };
    json['padding'] = {
      strategy: 'BatchLongest',
      direction: 'Left',
      pad_to_multiple_of: 8,
      pad_id: 0,
      pad_type_id: 0,
      pad_token: '[PAD]',
    };
    fs.writeFileSync(path.join(left, 'tokenizer.json'), JSON.stringify(json));
    const m = await call('models.add', { project, path: left, name: 'left', version: '1' }, ctx);
    const rust = Tokenizer.fromFile(path.join(left, 'tokenizer.json'));
    const texts = [`never ${LONG}`, 'love it', 'okay'];
    const want = (await rust.encodeBatch(texts)).map((e) => ({ ids: e.getIds(), mask: e.getAttentionMask() }));
    // The start of a long text is dropped: [CLS], then its last words and [SEP].
    const whole = Tokenizer.fromFile(path.join(left, 'tokenizer.json'));
    whole.disableTruncation();
    const all = (await whole.encode(texts[0]!)).getIds();
    expect(want[0]!.ids).toEqual([2, ...all.slice(all.length - BERT_MAX_LENGTH + 1)]);
    expect(want[1]!.ids).toHaveLength(BERT_MAX_LENGTH);
    for (const library of ['rust', 'javascript']) {
      if (library === 'javascript') process.env['FLYWHEEL_TOKENIZER'] = 'javascript';
      const opened = await openModel(m.file, 'cpu', 'left', tokenizerOf(m.inputMapping, m.file));
      try {
        const fed = await opened.tokenize(texts);
        expect(fed.ids, library).toEqual(want.map((w) => w.ids));
        expect(fed.mask, library).toEqual(want.map((w) => w.mask));
        expect(fed.mask[1]![0], library).toBe(0); // padded on the left
      } finally {
        await opened.close();
        delete process.env['FLYWHEEL_TOKENIZER'];
      }
    }
    // The same model.onnx with another tokenizer is another model: the first keeps its own tokenizer.
    const first = (await call('models.list', project, ctx)).find((x) => x.version === '1' && x.name !== 'left')!;
    expect(first.file).not.toBe(m.file);
    const opened = await openModel(first.file, 'cpu', 'first', tokenizerOf(first.inputMapping, first.file));
    try {
      expect((await opened.tokenize([texts[0]!])).ids[0]).toEqual((await rustEncoding(texts[0]!)).ids);
    } finally {
      await opened.close();
    }
  });

  it('says so when nothing states a maximum length, and truncates at 512', async () => {
    const bare = path.join(dir, 'tiny-bert-bare');
    fs.mkdirSync(bare);
    fs.copyFileSync(path.join(folder, 'model.onnx'), path.join(bare, 'model.onnx'));
    fs.writeFileSync(path.join(bare, 'tokenizer.json'), JSON.stringify({ ...bertTokenizerJson(), truncation: null }));
    const m = await call(
      'models.add',
      { project, path: bare, name: 'bare', version: '1', classes: ['negative', 'neutral', 'positive'] },
      ctx,
    );
    expect(m.inputMapping).toMatchObject({ maxLength: 512 });
    expect(m.warnings).toContainEqual(
      expect.stringMatching(
        /^neither tokenizer.json, tokenizer_config.json nor config.json states a maximum length; texts are truncated to 512 tokens/,
      ),
    );
  });
});
