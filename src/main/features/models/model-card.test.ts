// model add --card: the command line wins over the card, the card over the model's own metadata.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { mulberry32 } from '../../../shared/features/mining';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';
import { bertConfig, bertTokenizerConfig, bertTokenizerJson, tinyBertModel } from './fixture-bert';
import { denseClassifier } from './onnx-writer';

const ROOT = path.resolve(__dirname, '../../../..');
const spam = { project: 'spam' };
const sentiment = { project: 'sentiment' };
let dir: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('model-card');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 300);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

/** A softmax regression over the project's features (seeded by its name), with metadata_props. */
function model(name: string, dim: number, k: number, metadata: Record<string, string> = {}): string {
  const next = mulberry32(name.length * 31 + dim);
  const weights = Float32Array.from({ length: dim * k }, () => ((next() / 2 ** 32) * 2 - 1) * 0.5);
  const file = path.join(dir, `${name}.onnx`);
  fs.writeFileSync(
    file,
    denseClassifier({ layers: [{ weights, bias: new Float32Array(k), inputs: dim, outputs: k }], metadata }),
  );
  return file;
}

function card(name: string, content: unknown): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const modelCount = async (project: { project: string }) => (await call('models.list', project, ctx)).length;

describe('model card', () => {
  it('takes each value from the command line, else the card, else the ONNX metadata, and says which', async () => {
    const file = model('meta', 16, 2, {
      model_name: 'meta-name',
      model_version: '7',
      classes: 'ham,spam',
      threshold: '0.6',
    });
    const m = await call(
      'models.add',
      {
        project: spam,
        path: file,
        version: 'cli-1',
        card: card('precedence', { name: 'card-name', version: 'card-1', threshold: 0.8, trainUntil: '2026-10-01' }),
      },
      ctx,
    );
    expect(`${m.name}@${m.version}`).toBe('card-name@cli-1');
    expect(m.outputMapping.threshold).toBe(0.8);
    expect(m.from).toEqual({
      name: 'model card',
      version: 'command line',
      classes: 'ONNX metadata',
      threshold: 'model card',
      lineage: 'model card',
    });
    const projectId = (await call('projects.list', {}, ctx)).find((p) => p.name === 'spam')!.id;
    expect(ctx.store.evalSets.lineage(projectId, { name: 'card-name', version: 'cli-1' })?.train_until).toBe(
      Date.parse('2026-10-01T00:00:00Z'),
    );

    // Without a card, the metadata's own values; a threshold on the command line wins over all.
    const same = model('meta-2', 16, 2, {
      model_name: 'meta-name',
      model_version: '7',
      classes: 'ham,spam',
      threshold: '0.6',
    });
    const plain = await call('models.add', { project: spam, path: same }, ctx);
    expect(`${plain.name}@${plain.version}`).toBe('meta-name@7');
    expect(plain.outputMapping.threshold).toBe(0.6);
    expect(plain.from).toMatchObject({ name: 'ONNX metadata', version: 'ONNX metadata', threshold: 'ONNX metadata' });
    const cli = await call(
      'models.add',
      { project: spam, path: file, version: 'cli-2', threshold: 0.3, card: card('t', { threshold: 0.9 }) },
      ctx,
    );
    expect(cli.outputMapping.threshold).toBe(0.3);
    expect(cli.from.threshold).toBe('command line');
  });

  it("rescores with the card's threshold: P(spam) at or above it is spam", async () => {
    const file = model('threshold', 16, 2, { classes: 'ham,spam' });
    const m = await call(
      'models.add',
      { project: spam, path: file, card: card('threshold', { name: 'strict', version: '1', threshold: 0.9 }) },
      ctx,
    );
    const { jobId } = await call('models.rescore', { project: spam, model: m.id }, ctx);
    const status = await ctx.jobs.wait(jobId);
    expect(status.state).toBe('succeeded');
    const rows = ctx.store.db
      .prepare('SELECT p.predicted, p.scores FROM predictions p WHERE p.model_run_id = ?')
      .all((status.result as { modelRunId: number }).modelRunId) as { predicted: number; scores: Buffer }[];
    expect(rows.length).toBeGreaterThan(0);
    const between = rows.filter((r) => r.scores.readFloatLE(0) >= 0.5 && r.scores.readFloatLE(0) < 0.9);
    expect(between.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.predicted).toBe(r.scores.readFloatLE(0) >= 0.9 ? 1 : 0);
  });

  it("reorders by the card's classes where the model names none", async () => {
    const file = model('unnamed', 16, 2);
    const m = await call(
      'models.add',
      { project: spam, path: file, card: card('classes', { name: 'card-classes', classes: ['spam', 'ham'] }) },
      ctx,
    );
    expect(m.outputMapping.classOrder).toEqual([1, 0]);
    expect(m.from.classes).toBe('model card');
    expect(m.warnings).toEqual([]);
  });

  it("takes a tokenizer folder's input from the card, unless the command line gives one", async () => {
    const folder = path.join(dir, 'bert');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'model.onnx'), tinyBertModel(3));
    fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(bertTokenizerJson()));
    fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(bertConfig(['negative', 'neutral', 'positive'])));
    const cardFile = card('bert', { name: 'bert-card', inputPair: ['text', 'text'] });
    const fromCard = await call('models.add', { project: sentiment, path: folder, card: cardFile }, ctx);
    expect(fromCard.inputMapping).toMatchObject({ kind: 'tokens', pair: ['{text}', '{text}'] });
    expect(fromCard.from).toMatchObject({ name: 'model card', classes: 'config.json', input: 'model card' });
    const fromCli = await call(
      'models.add',
      { project: sentiment, path: folder, card: cardFile, version: '2', inputTemplate: '{text}\n{text}' },
      ctx,
    );
    expect(fromCli.inputMapping).toMatchObject({ kind: 'tokens', template: '{text}\n{text}' });
    expect('pair' in fromCli.inputMapping).toBe(false);
    expect(fromCli.from.input).toBe('command line');
  });

  it('refuses a bad card with what is wrong, and registers nothing', async () => {
    const file = model('bad-cards', 16, 2);
    const before = await modelCount(spam);
    const refused = async (content: unknown, project = spam, path_ = file) =>
      failure(call('models.add', { project, path: path_, card: card('bad', content) }, ctx));

    const notJson = await refused('{"name": "x",');
    expect(notJson.code).toBe('bad-file');
    expect(notJson.message).toMatch(/model card .*bad\.json is not JSON/);

    expect((await refused('["ham", "spam"]')).message).toMatch(/must be a JSON object/);

    const unknown = await refused({ name: 'x', labels: ['ham', 'spam'], treshold: 0.5 });
    expect(unknown.code).toBe('bad-file');
    expect(unknown.message).toContain("unknown keys 'labels', 'treshold'");
    expect(unknown.message).toContain(
      'a model card takes name, version, classes, threshold, outputKind, trainedOn, trainUntil, inputTemplate, inputPair',
    );

    const types = await refused({ threshold: 'high', classes: 'ham,spam' });
    expect(types.code).toBe('bad-file');
    expect(types.message).toMatch(/threshold: .*number/);
    expect(types.message).toMatch(/classes: .*array/);
    expect((await refused({ threshold: 1.5 })).message).toMatch(/threshold: /);

    const mismatch = await refused({ classes: ['spam', 'eggs'] });
    expect(mismatch.code).toBe('bad-mapping');
    expect(mismatch.message).toContain(
      "the model's classes (spam, eggs, from the model card's classes) do not match project 'spam' classes (ham, spam)",
    );

    // Both lists named where the card and the model's metadata disagree.
    const named = model('named', 16, 2, { classes: 'spam,ham' });
    const disagree = await refused({ classes: ['ham', 'spam'] }, spam, named);
    expect(disagree.message).toContain(
      "the model card's classes (ham, spam) and the ONNX metadata 'classes' (spam, ham) disagree",
    );

    const duplicate = await refused({ classes: ['ham', 'ham'] });
    expect(duplicate.message).toMatch(/names class 'ham' twice/);

    const multiclass = await refused({ threshold: 0.7 }, sentiment, model('three', 32, 3));
    expect(multiclass.code).toBe('invalid-input');
    expect(multiclass.message).toContain(
      "threshold (from the model card) applies to binary models; project 'sentiment' is multiclass",
    );

    const missing = await failure(
      call('models.add', { project: spam, path: file, card: path.join(dir, 'no-such-card.json') }, ctx),
    );
    expect(missing.code).toBe('bad-file');
    expect(await modelCount(spam)).toBe(before);
  });

  it('on the command line: --card, and a line saying where each value came from', () => {
    const file = model('cli-card', 16, 2, { classes: 'ham,spam' });
    const cardFile = card('cli', { name: 'from-card', version: 'card-v', threshold: 0.65 });
    const cli = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bin/flywheel.js'),
        '--db',
        path.join(dir, 'w.db'),
        'model',
        'add',
        file,
        '--project',
        'spam',
        '--card',
        cardFile,
        '--version',
        'cli-v',
      ],
      { encoding: 'utf8' },
    );
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('Model from-card@cli-v registered');
    expect(cli.stdout).toContain(
      'name from the model card, version from the command line, classes from the ONNX metadata, threshold from the model card',
    );
    expect(cli.stdout).toContain('threshold: 0.65');
  });
});
