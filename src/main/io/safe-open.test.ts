// Paths the API reads that are not regular files (a FIFO, a device, a folder) are refused at once,
// through the real dispatch: a FIFO read the plain way blocks the process until a writer comes.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../test/helpers/expect-failure';
import {
  makeTempDir,
  openContext,
  removeDir,
  sentimentMapping,
  sentimentRow,
  writeJsonl,
  type TestContext,
} from '../../../test/helpers/import-fixtures';
import { call } from '../core/dispatch';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
let ctx: TestContext;
const rescuers: ChildProcess[] = [];
const project = { project: 'p' };

function fifo(name: string): string {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  // Code that reads the pipe the plain way is freed by this writer after 5 s (and then fails on
  // time) instead of hanging the test run for good; code that refuses the pipe never opens it.
  const rescuer = spawn('sh', ['-c', 'sleep 5; echo "{}" > "$0"', file], { stdio: 'ignore' });
  rescuers.push(rescuer);
  return file;
}

/** The call's ApiError and how long it took to come back. */
async function timedFailure(p: Promise<unknown>) {
  const t0 = Date.now();
  const error = await failure(p);
  return { error, ms: Date.now() - t0 };
}

beforeAll(async () => {
  dir = makeTempDir('safe-open');
  ctx = openContext(dir);
  await call(
    'projects.create',
    { name: 'p', taskType: 'multiclass', inputKind: 'text', classes: ['negative', 'neutral', 'positive'] },
    ctx,
  );
});

afterAll(async () => {
  for (const r of rescuers) if (r.exitCode === null) r.kill('SIGKILL');
  await ctx?.dispose();
  removeDir(dir);
});

describe('reading a path that is not a regular file', () => {
  it('models.add refuses a FIFO at once, and registers nothing', async () => {
    const pipe = fifo('model.onnx');
    const { error, ms } = await timedFailure(call('models.add', { project, path: pipe }, ctx));
    expect(ms).toBeLessThan(1000);
    expect(error).toMatchObject({ code: 'bad-file' });
    expect(error.message).toBe(
      `${pipe} (model file) is not a regular file but a named pipe (FIFO): give the path of a regular file`,
    );
    expect(await call('models.list', project, ctx)).toEqual([]);
  });

  it('models.add refuses a model folder whose tokenizer.json is a FIFO', async () => {
    const folder = path.join(dir, 'hf');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'model.onnx'), 'not read before the folder is checked');
    const pipe = fifo(path.join('hf', 'tokenizer.json'));
    const { error, ms } = await timedFailure(call('models.add', { project, path: folder }, ctx));
    expect(ms).toBeLessThan(1000);
    expect(error.message).toMatch(`${pipe} (tokenizer file) is not a regular file but a named pipe (FIFO)`);
    expect(await call('models.list', project, ctx)).toEqual([]);
  });

  it('models.add refuses a device and a folder without model.onnx', async () => {
    const device = await failure(call('models.add', { project, path: '/dev/null' }, ctx));
    expect(device.message).toMatch('/dev/null (model file) is not a regular file but a device');
    const empty = path.join(dir, 'empty-folder');
    fs.mkdirSync(empty);
    expect((await failure(call('models.add', { project, path: empty }, ctx))).message).toMatch(/needs model\.onnx/);
    expect(await call('models.list', project, ctx)).toEqual([]);
  });

  it('import.preview and import.start refuse a FIFO at once, and start no import', async () => {
    const pipe = fifo('log.jsonl');
    const preview = await timedFailure(call('import.preview', { path: pipe, project: 'p' }, ctx));
    expect(preview.ms).toBeLessThan(1000);
    expect(preview.error.message).toMatch(`${pipe} (prediction log) is not a regular file but a named pipe (FIFO)`);
    const start = await timedFailure(
      call('import.start', { path: pipe, project: 'p', mapping: sentimentMapping(), strict: false }, ctx),
    );
    expect(start.ms).toBeLessThan(1000);
    expect(start.error).toMatchObject({ code: 'bad-file' });
    expect(start.error.message).toMatch('is not a regular file but a named pipe (FIFO)');
    const folder = await failure(call('import.preview', { path: dir, project: 'p' }, ctx));
    expect(folder.message).toMatch(`${dir} (prediction log) is not a regular file but a folder`);
    const { id } = ctx.store.projects.byName('p')!;
    expect(await call('import.runs', { projectId: id }, ctx)).toEqual([]);
  });

  it('the CLI refuses a FIFO as --mapping FILE.json at once', () => {
    const log = writeJsonl(path.join(dir, 'ok.jsonl'), [sentimentRow(1), sentimentRow(2)]);
    const pipe = fifo('mapping.json');
    const t0 = Date.now();
    const cli = spawnSync(
      process.execPath,
      ['bin/flywheel.js', '--db', path.join(dir, 'cli.db'), 'import', log, '--project', 'p', '--mapping', pipe],
      { cwd: ROOT, env: { ...process.env, FLYWHEEL_HOME: dir }, encoding: 'utf8', timeout: 20_000 },
    );
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(cli.status).toBe(3);
    expect(cli.stderr).toMatch(`${pipe} (mapping file) is not a regular file but a named pipe (FIFO)`);
  });
});
