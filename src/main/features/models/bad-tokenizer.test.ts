// A Hugging Face folder whose tokenizer.json the tokenizer library cannot load is refused at
// registration, saying which file and why, with nothing stored.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { loadDemo } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';
import { bertConfig, bertTokenizerConfig, bertTokenizerJson, tinyBertModel } from './fixture-bert';

const sentiment = { project: 'sentiment' };
let dir: string;
let ctx: TestContext;

beforeAll(async () => {
  dir = makeTempDir('bad-tokenizer');
  ctx = openContext(dir);
  await loadDemo(ctx, path.join(dir, 'demo'), 100);
}, 120_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

function folder(name: string, tokenizerJson: string): string {
  const f = path.join(dir, name);
  fs.mkdirSync(f);
  fs.writeFileSync(path.join(f, 'model.onnx'), tinyBertModel(3));
  fs.writeFileSync(path.join(f, 'tokenizer.json'), tokenizerJson);
  fs.writeFileSync(path.join(f, 'tokenizer_config.json'), JSON.stringify(bertTokenizerConfig()));
  fs.writeFileSync(path.join(f, 'config.json'), JSON.stringify(bertConfig(['negative', 'neutral', 'positive'])));
  return f;
}

describe('a tokenizer.json the tokenizer cannot load', () => {
  it('is refused naming the file and the reason, and nothing is stored', async () => {
    const json = bertTokenizerJson() as Record<string, unknown>;
    const cases: [string, string, RegExp][] = [
      ['not-json', '{"version": "1.0", "model": ', /tokenizer\.json.*not JSON/],
      [
        'unknown-model',
        JSON.stringify({ ...json, model: { type: 'NoSuchModel', vocab: {} } }),
        /^\S+: the tokenizer cannot load tokenizer\.json \(.+\): save it again/,
      ],
      [
        'unknown-normalizer',
        JSON.stringify({ ...json, normalizer: { type: 'NoSuchNormalizer' } }),
        /^\S+: the tokenizer cannot load tokenizer\.json \(.+\): save it again/,
      ],
    ];
    const stored = () => (fs.existsSync(path.join(dir, 'models')) ? fs.readdirSync(path.join(dir, 'models')) : []);
    const before = stored();
    for (const [name, content, message] of cases) {
      const e = await failure(call('models.add', { project: sentiment, path: folder(name, content), name }, ctx));
      expect(e.code, name).toBe('bad-file');
      expect(e.message, name).toMatch(message);
    }
    expect(await call('models.list', sentiment, ctx)).toEqual([]);
    expect(stored()).toEqual(before);
  });
});
