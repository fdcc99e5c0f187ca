// A model's input mapping as a template over an example's text parts and metadata, or as a text
// pair: what it scores is session.run on the Rust tokenizer's encoding of exactly that text.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  sentimentMapping,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { call } from '../../core/dispatch';
import { bertConfig, bertTokenizerConfig, bertTokenizerJson, tinyBertModel } from './fixture-bert';
import { textPipeline } from './fixture-models';
import { textsOf } from './model-template';

type Ort = typeof import('onnxruntime-node');
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node') as Ort;
const { Tokenizer } = require('tokenizers') as typeof import('tokenizers');

const ROOT = path.resolve(__dirname, '../../../..');
const LONG = 'the best thing , and it was lovely but the refund was awful ! '.repeat(12).trim();
const MAILS = Array.from({ length: 24 }, (_, i) => ({
  id: `mail-${i}`,
  ts: 1_700_000_000_000 + i,
  subject: i % 5 === 0 ? '' : `${['great', 'awful', 'okay'][i % 3]} order ${'!'.repeat(i % 3)}`,
  body: i === 3 ? LONG : `it was ${['lovely', 'broken', 'fine', 'not worth it'][i % 4]} and ${'never '.repeat(i % 4)}`,
  query: i % 6 === 0 ? `is it ${LONG}` : `is it ${['good', 'bad'][i % 2]}`,
  document: i === 7 ? LONG : i % 4 === 0 ? '' : `this was the ${['best', 'worst', 'average'][i % 3]} thing`,
  lang: ['en', 'de'][i % 2],
  scores: [0.2, 0.3, 0.5],
  predicted_label: 'positive',
  model: 'mailer',
  model_version: '1',
}));
const CLASSES = ['negative', 'neutral', 'positive'];
const project = { project: 'mail' };
let dir: string;
let ctx: TestContext;
let folder: string;

function writeFolder(name: string, tokenizer: Record<string, unknown>): string {
  const f = path.join(dir, name);
  fs.mkdirSync(f);
  fs.writeFileSync(path.join(f, 'model.onnx'), tinyBertModel(3, { tokenTypeIds: true }));
  fs.writeFileSync(path.join(f, 'tokenizer.json'), JSON.stringify(tokenizer));
  fs.writeFileSync(path.join(f, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  fs.writeFileSync(path.join(f, 'config.json'), JSON.stringify(bertConfig(CLASSES)));
  return f;
}

beforeAll(async () => {
  dir = makeTempDir('model-template');
  ctx = openContext(dir);
  const log = writeJsonl(path.join(dir, 'mail.jsonl'), MAILS);
  const mapping = sentimentMapping({
    text: undefined,
    textTemplate: '{subject}\n{body}',
    metadata: ['lang', 'query', 'document'],
  });
  const { run } = await importFile(ctx, log, mapping, { project: 'mail' });
  expect(run.rowsImported).toBe(MAILS.length);
  folder = writeFolder('tiny-bert', bertTokenizerJson());
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

/** Stored scores of a model run by example id. */
function stored(modelRunId: number): Map<string, number[]> {
  const db = new Database(path.join(dir, 'w.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT e.external_id, p.scores FROM predictions p JOIN examples e ON e.id = p.example_id WHERE p.model_run_id = ?',
      )
      .all(modelRunId) as { external_id: string; scores: Buffer }[];
    return new Map(
      rows.map((r) => [r.external_id, Array.from(new Float32Array(r.scores.buffer, r.scores.byteOffset, 3))]),
    );
  } finally {
    db.close();
  }
}

/** session.run on the Rust tokenizer's own encoding (tokenizer.json's truncation) of a text or pair. */
async function direct(a: string, b?: string): Promise<number[]> {
  const tok = Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
  const e = b === undefined ? await tok.encode(a) : await tok.encode(a, b);
  const ids = e.getIds();
  const dims = [1, ids.length];
  const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
  const out = await session.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
    token_type_ids: new ort.Tensor('int64', BigInt64Array.from(e.getTypeIds().map(BigInt)), dims),
  });
  return softmax(Array.from(out['logits']!.data as Float32Array));
}

async function rescore(model: string): Promise<Map<string, number[]>> {
  const { jobId } = await call('models.rescore', { project, model }, ctx);
  const status = await ctx.jobs.wait(jobId);
  expect(status.error?.message).toBeUndefined();
  const result = status.result as { rows: number; modelRunId: number; tokenizer: string };
  expect(result.rows).toBe(MAILS.length);
  expect(result.tokenizer).toMatch(/Rust/);
  return stored(result.modelRunId);
}

async function refused(input: Record<string, unknown>, method: 'models.add' | 'models.update' = 'models.add') {
  const before = (await call('models.list', project, ctx)).length;
  const e = await call(method, { project, ...input } as never, ctx).then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiError);
  expect((e as ApiError).code).toBe('bad-mapping');
  expect((await call('models.list', project, ctx)).length).toBe(before);
  return (e as ApiError).message;
}

describe('model input templates and pairs', () => {
  it('scores the rendered template of text parts and metadata, equal to session.run on its Rust encoding', async () => {
    const template = '{subject}\n{body} [lang={lang}]';
    const m = await call('models.add', { project, path: folder, version: 'tpl', inputTemplate: template }, ctx);
    expect(m.inputMapping).toMatchObject({ kind: 'tokens', template });
    const got = await rescore(`${m.name}@tpl`);
    let worst = 0;
    for (const mail of MAILS) {
      const want = await direct(`${mail.subject}\n${mail.body} [lang=${mail.lang}]`);
      want.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - got.get(mail.id)![c]!))));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it("without a template a model reads the example's text: the import's rendered template", async () => {
    const m = await call('models.add', { project, path: folder, version: 'plain' }, ctx);
    expect(m.inputMapping).not.toHaveProperty('template');
    const got = await rescore(`${m.name}@plain`);
    for (const mail of MAILS.slice(0, 6)) {
      const want = await direct(`${mail.subject}\n${mail.body}`);
      want.forEach((v, c) => expect(Math.abs(v - got.get(mail.id)![c]!)).toBeLessThan(1e-5));
    }
  });

  it('a string-input model reads the rendered template too, equal to session.run on that string', async () => {
    const file = path.join(dir, 'pipeline.onnx');
    fs.writeFileSync(file, textPipeline(3));
    const template = '{text} {document}';
    const m = await call(
      'models.add',
      { project, path: file, name: 'pipe', version: '1', inputTemplate: template },
      ctx,
    );
    expect(m.inputMapping).toMatchObject({ kind: 'text', template });
    const { jobId } = await call('models.rescore', { project, model: 'pipe@1' }, ctx);
    const status = await ctx.jobs.wait(jobId);
    expect(status.error?.message).toBeUndefined();
    const got = stored((status.result as { modelRunId: number }).modelRunId);
    const session = await ort.InferenceSession.create(file);
    const texts = MAILS.map((mail) => `${mail.subject}\n${mail.body} ${mail.document}`);
    const out = await session.run({ text: new ort.Tensor('string', texts, [texts.length]) });
    const probs = out[session.outputNames[0]!]!.data as Float32Array;
    let worst = 0;
    MAILS.forEach((mail, i) =>
      got.get(mail.id)!.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - probs[i * 3 + c]!)))),
    );
    expect(worst).toBeLessThan(1e-5);
    // A pair needs a tokenizer folder.
    expect(await refused({ path: file, name: 'pipe', version: '2', inputPair: ['query', 'document'] })).toMatch(
      /takes one string input: a text pair is for a Hugging Face folder/,
    );
  });

  it('feeds a pair as [CLS] a [SEP] b [SEP] with token_type_ids, equal to session.run on encode(query, document)', async () => {
    const m = await call(
      'models.add',
      { project, path: folder, version: 'pair', inputPair: ['query', 'document'] },
      ctx,
    );
    expect(m.inputMapping).toMatchObject({ kind: 'tokens', pair: ['{query}', '{document}'] });
    const got = await rescore(`${m.name}@pair`);
    let worst = 0;
    for (const mail of MAILS) {
      const want = await direct(mail.query, mail.document);
      want.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - got.get(mail.id)![c]!))));
    }
    expect(worst).toBeLessThan(1e-5);
    // The pair's second segment matters: the same texts joined as one differ.
    const joined = await direct(`${MAILS[1]!.query} ${MAILS[1]!.document}`);
    expect(Math.max(...joined.map((v, c) => Math.abs(v - got.get(MAILS[1]!.id)![c]!)))).toBeGreaterThan(1e-4);
  });

  it('models.update sets, changes and clears the template, checked as models.add checks it', async () => {
    await call('models.add', { project, path: folder, version: 'edit' }, ctx);
    const model = 'acme/tiny-bert-reviews@edit';
    const set = await call('models.update', { project, model, inputTemplate: '{body}' }, ctx);
    expect(set.inputMapping).toMatchObject({ template: '{body}' });
    const pair = await call('models.update', { project, model, inputPair: ['subject', '{body}'] }, ctx);
    expect(pair.inputMapping).toMatchObject({ pair: ['{subject}', '{body}'] });
    expect(pair.inputMapping).not.toHaveProperty('template');
    const cleared = await call('models.update', { project, model, inputPair: null }, ctx);
    expect(cleared.inputMapping).not.toHaveProperty('pair');
    expect(cleared.inputMapping).not.toHaveProperty('template');
  });

  it('refuses a template naming a field the project lacks, listing the fields it has', async () => {
    const message = await refused({ path: folder, version: 'x1', inputTemplate: '{subject}\n{sender}' });
    expect(message).toMatch(/names 'sender', which project 'mail' does not have/);
    expect(message).toMatch(/its examples have: text, subject, body, lang, query, document/);
    const pair = await refused({ path: folder, version: 'x2', inputPair: ['query', 'answer'] });
    expect(pair).toMatch(/names 'answer'/);
  });

  it('refuses a pair of one field, and a pair for a tokenizer with no pair template', async () => {
    expect(await refused({ path: folder, version: 'x3', inputPair: ['query'] })).toMatch(
      /a text pair takes two fields, the first and the second text \(e\.g\. query,document\); got 1: query/,
    );
    const json = bertTokenizerJson();
    const post = json['post_processor'] as Record<string, unknown>;
    const single = writeFolder('tiny-bert-single', { ...json, post_processor: { ...post, pair: undefined } });
    expect(await refused({ path: single, version: 'x4', inputPair: ['query', 'document'] })).toMatch(
      /no post-processor template for a pair of texts/,
    );
  });

  it("refuses a template whose fixed text does not fit the model's maximum length, with both numbers", async () => {
    const fixed = `${'the '.repeat(130)}{body}`;
    expect(await refused({ path: folder, version: 'x5', inputTemplate: fixed })).toMatch(
      /fixed text takes 132 tokens \(special tokens included\) but the model reads at most 128/,
    );
    await call('models.add', { project, path: folder, version: 'short', inputTemplate: 'the the the the {body}' }, ctx);
    const message = await refused({ model: 'acme/tiny-bert-reviews@short', maxLength: 6 }, 'models.update');
    expect(message).toMatch(/fixed text takes 6 tokens .* at most 6/);
    expect((await call('models.list', project, ctx)).find((m) => m.version === 'short')!.inputMapping).toMatchObject({
      maxLength: 128,
    });
  });

  it('refuses a malformed template, and a template given with a pair', async () => {
    expect(await refused({ path: folder, version: 'x6', inputTemplate: '{subject' })).toMatch(/never closed/);
    expect(await refused({ path: folder, version: 'x7', inputTemplate: 'x', inputPair: ['a', 'b'] })).toMatch(
      /not both/,
    );
  });

  it('model add --input-template (\\n written as such) and --input-pair on the command line', () => {
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [path.join(ROOT, 'bin/flywheel.js'), '--db', path.join(dir, 'w.db'), '--json', 'model', 'add', folder, ...args],
        { encoding: 'utf8' },
      );
    const tpl = cli('--project', 'mail', '--version', 'cli-tpl', '--input-template', '{subject}\\n{body}');
    expect(tpl.stderr).toBe('');
    expect(tpl.status).toBe(0);
    expect(JSON.parse(tpl.stdout)).toMatchObject({ inputMapping: { template: '{subject}\n{body}' } });
    const pair = cli('--project', 'mail', '--version', 'cli-pair', '--input-pair', 'query,document');
    expect(pair.status).toBe(0);
    expect(JSON.parse(pair.stdout)).toMatchObject({ inputMapping: { pair: ['{query}', '{document}'] } });
    const one = cli('--project', 'mail', '--version', 'cli-one', '--input-pair', 'query');
    expect(one.status).not.toBe(0);
    expect(one.stderr).toMatch(/a text pair takes two fields/);
  });

  it('renders from the text, the text parts and the metadata; an example lacking a named field is passed over', () => {
    const mapping = { kind: 'text' as const, input: 'text', rank: 1 as const, template: '{subject}|{n}|{text}' };
    const row = { text: 'T', text_parts: JSON.stringify([['subject', 'S']]), metadata: '{"n":3,"o":{"x":1}}' };
    expect(textsOf(mapping)(row)).toEqual(['S|3|T']);
    expect(textsOf(mapping)({ ...row, metadata: '{"m":1}' })).toBeNull();
    expect(textsOf({ ...mapping, template: '{o}' })(row)).toBeNull(); // an object is no text
    expect(textsOf({ ...mapping, template: undefined })(row)).toEqual(['T']);
    expect(textsOf({ ...mapping, template: undefined })({ ...row, text: null })).toBeNull();
  });
});
