import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { makeTempDir, openContext, removeDir, type TestContext } from '../../../../test/helpers/import-fixtures';
import { importGuessed } from '../../cli/commands/demo';
import { call } from '../../core/dispatch';

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let dir: string;
let ctx: TestContext;
const project = { project: 'pets' };

beforeAll(async () => {
  dir = makeTempDir('images');
  ctx = openContext(dir);
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(path.join(logs, 'img'), { recursive: true });
  fs.writeFileSync(path.join(logs, 'img', 'a.png'), PNG);
  fs.writeFileSync(path.join(logs, 'img', 'b.png'), '<svg onload="alert(1)"/>');
  fs.writeFileSync(path.join(dir, 'abs.png'), PNG);
  // A named pipe: reading it the plain way would block until a writer came.
  execFileSync('mkfifo', [path.join(logs, 'img', 'fifo.png')]);
  const rows = [
    { id: 'a', image: 'img/a.png' },
    { id: 'svg', image: 'img/b.png' },
    { id: 'gone', image: 'img/missing.png' },
    { id: 'abs', image: path.join(dir, 'abs.png') },
    { id: 'folder', image: 'img' },
    { id: 'fifo', image: 'img/fifo.png' },
  ].map((r, i) => ({ ...r, scores: { cat: 0.3 + i / 20, dog: 0.7 - i / 20 }, model: 'pets', model_version: 'v1' }));
  const log = path.join(logs, 'pets.jsonl');
  fs.writeFileSync(log, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await importGuessed(ctx, log, 'pets');
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

describe('example images', () => {
  it('gives a real image as a data URL, a relative path taken from the log’s folder', async () => {
    const rel = await call('examples.image', { project, externalId: 'a' }, ctx);
    expect(rel).toEqual({
      mimeType: 'image/png',
      bytes: PNG.length,
      dataUrl: `data:image/png;base64,${PNG.toString('base64')}`,
    });
    expect((await call('examples.image', { project, externalId: 'abs' }, ctx)).mimeType).toBe('image/png');
  });

  it('refuses what is not a raster image file, naming the example and the path', async () => {
    const svg = await failure(call('examples.image', { project, externalId: 'svg' }, ctx));
    expect(svg).toMatchObject({ code: 'bad-file' });
    expect(svg.message).toMatch(/img\/b\.png \(image of 'svg'\) is not a PNG, JPEG, GIF, WebP or BMP image/);
    const gone = await failure(call('examples.image', { project, externalId: 'gone' }, ctx));
    expect(gone.message).toMatch(/the image of example 'gone' is not at .*img\/missing\.png/);
    const folder = await failure(call('examples.image', { project, externalId: 'folder' }, ctx));
    expect(folder.message).toMatch(/is not a regular file/);
    const fifo = await failure(call('examples.image', { project, externalId: 'fifo' }, ctx));
    expect(fifo.message).toMatch(/fifo\.png \(image of 'fifo'\) is not a regular file/);
    const none = await failure(call('examples.image', { project, externalId: 'nope' }, ctx));
    expect(none.code).toBe('not-found');
  });
});
