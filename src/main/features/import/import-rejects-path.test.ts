// The rejects file is always a new file the import creates: an existing path is refused, never
// overwritten, and the end of an import deletes only the file it created. Over HTTP, paths the
// server writes (rejects file, export folder) stay inside the data folder.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  importFile,
  makeTempDir,
  openContext,
  readRejects,
  removeDir,
  sentimentMapping,
  sentimentRow,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { call } from '../../core/dispatch';
import { createContext } from '../../core/create-context';
import { startHttpServer, type RunningServer } from '../../server/http-server';
import { RejectsFile } from './rejects-file';
import { fingerprint, sniffFile } from './sniff';

let dir: string;
let ctx: TestContext;
let clean: string;
let bad: string;

beforeAll(() => {
  dir = makeTempDir('rejects-path');
  ctx = openContext(dir);
  clean = writeJsonl(
    path.join(dir, 'clean.jsonl'),
    Array.from({ length: 50 }, (_, i) => sentimentRow(i)),
  );
  bad = writeJsonl(path.join(dir, 'bad.jsonl'), [
    ...Array.from({ length: 20 }, (_, i) => sentimentRow(i)),
    '{"not json',
  ]);
});

afterAll(async () => {
  await ctx?.dispose();
  removeDir(dir);
});

function start(file: string, rejectsPath: string, project = 'p') {
  return call('import.start', { path: file, project, mapping: sentimentMapping(), strict: false, rejectsPath }, ctx);
}

describe('the rejects file', () => {
  it('refuses an existing file as --rejects, leaving it as it was, and starts no import', async () => {
    const precious = path.join(dir, 'precious.txt');
    fs.writeFileSync(precious, 'keep me\n');
    for (const file of [clean, bad]) {
      const refused = await failure(start(file, precious));
      expect(refused).toMatchObject({ code: 'conflict' });
      expect(refused.message).toBe(
        `${precious} already exists: a rejects file is always a new file that the import creates ` +
          '(give a path where nothing is, or leave --rejects out to write it in the data folder)',
      );
      expect(fs.readFileSync(precious, 'utf8')).toBe('keep me\n');
    }
    // A link is refused too, whether or not what it points to exists.
    const link = path.join(dir, 'link.jsonl');
    fs.symlinkSync(path.join(dir, 'nowhere.jsonl'), link);
    expect((await failure(start(clean, link))).code).toBe('conflict');
    expect(fs.existsSync(path.join(dir, 'nowhere.jsonl'))).toBe(false);
    expect(ctx.store.db.prepare('SELECT count(*) FROM import_runs').pluck().get()).toBe(0);
    expect(ctx.store.projects.byName('p')).toBeNull();
  });

  it('creates a new file at --rejects: kept with the rejects, removed when nothing was rejected', async () => {
    const withRejects = path.join(dir, 'out', 'bad.rejects.jsonl');
    const { status, run } = await (async () => {
      const { jobId } = await start(bad, withRejects);
      const s = await ctx.jobs.wait(jobId);
      return { status: s, run: s.result as { rejectsPath: string | null; rowsRejected: number } };
    })();
    expect(status.state).toBe('succeeded');
    expect(run.rejectsPath).toBe(withRejects);
    expect(readRejects(withRejects).map((r) => r.row)).toEqual([21]);

    const none = path.join(dir, 'out', 'clean.rejects.jsonl');
    const { jobId } = await start(clean, none);
    const done = await ctx.jobs.wait(jobId);
    expect(done.state).toBe('succeeded');
    expect((done.result as { rejectsPath: string | null }).rejectsPath).toBeNull();
    expect(fs.existsSync(none)).toBe(false);
  });

  it('deletes at the end only the file it created, never one put at its path since', () => {
    const file = path.join(dir, 'swapped.rejects.jsonl');
    const rejects = RejectsFile.create(file);
    rejects.close();
    fs.renameSync(file, `${file}.moved`);
    fs.writeFileSync(file, 'someone else’s\n');
    expect(rejects.removeOwn()).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('someone else’s\n');
    const mine = RejectsFile.create(path.join(dir, 'mine.rejects.jsonl'));
    mine.close();
    expect(mine.removeOwn()).toBe(true);
    expect(fs.existsSync(mine.file)).toBe(false);
  });

  it('an import without --rejects writes its rejects in the data folder, beside any earlier file of that name', async () => {
    const next = ctx.store.db.prepare('SELECT coalesce(max(id), 0) + 1 FROM import_runs').pluck().get() as number;
    const taken = path.join(dir, 'rejects', `import-${next}-bad.jsonl.rejects.jsonl`);
    fs.mkdirSync(path.dirname(taken), { recursive: true });
    fs.writeFileSync(taken, 'left from another database\n');
    const { status, run } = await importFile(ctx, bad, sentimentMapping(), { project: 'q' });
    expect(status.state).toBe('succeeded');
    expect(run.id).toBe(next);
    expect(run.rejectsPath).not.toBe(taken);
    expect(path.dirname(run.rejectsPath!)).toBe(path.dirname(taken));
    expect(fs.readFileSync(taken, 'utf8')).toBe('left from another database\n');
    expect(readRejects(run.rejectsPath).map((r) => r.row)).toEqual([21]);
  });
});

describe('the rejects file of a resumed run', () => {
  it('is the run’s own recorded file: reopened and cut back to its committed rejects, never another', async () => {
    const resumeCtx = openContext(dir, 'resume.db');
    try {
      await call(
        'projects.create',
        { name: 'p', taskType: 'multiclass', inputKind: 'text', classes: ['negative', 'neutral', 'positive'] },
        resumeCtx,
      );
      // An import killed after writing rejects for a batch that never committed.
      const own = path.join(dir, 'own.rejects.jsonl');
      fs.writeFileSync(own, '{"row":999,"uncommitted":true}\n');
      const file = sniffFile(bad);
      const run = resumeCtx.store.importRuns.create({
        projectId: 1,
        sourcePath: file.path,
        sourceSize: file.size,
        fingerprint: fingerprint(file.path, file.size),
        format: 'jsonl',
        compression: 'none',
        mapping: JSON.stringify(sentimentMapping()),
        strict: false,
        ownerPid: process.ppid,
        ownerHost: 'gone',
      });
      resumeCtx.store.db
        .prepare('UPDATE import_runs SET heartbeat_at = 0, rejects_path = ? WHERE id = ?')
        .run(own, run.id);
      const start = (rejectsPath: string) =>
        call(
          'import.start',
          { path: bad, project: 'p', mapping: sentimentMapping(), strict: false, rejectsPath },
          resumeCtx,
        );
      const elsewhere = path.join(dir, 'elsewhere.jsonl');
      const refused = await failure(start(elsewhere));
      expect(refused.message).toBe(
        `import #${run.id} resumes writing its rejects to ${own}: leave --rejects out, or give that path`,
      );
      expect(fs.existsSync(elsewhere)).toBe(false);
      const { jobId } = await start(own);
      const status = await resumeCtx.jobs.wait(jobId);
      expect(status.state).toBe('succeeded');
      expect(status.result).toMatchObject({ id: run.id, rejectsPath: own, rowsRejected: 1 });
      expect(readRejects(own).map((r) => r.row)).toEqual([21]);
    } finally {
      await resumeCtx.dispose();
    }
  });
});

describe('over HTTP, written paths stay in the data folder', () => {
  let home: string;
  let outside: string;
  let server: RunningServer;
  let serverCtx: ReturnType<typeof createContext>;
  const token = 't'.repeat(43);

  beforeAll(async () => {
    home = path.join(dir, 'server-home');
    outside = path.join(dir, 'outside');
    fs.mkdirSync(home);
    fs.mkdirSync(outside);
    serverCtx = createContext({ dbPath: path.join(home, 'w.db'), runtime: 'server', dataDir: home });
    fs.mkdirSync(path.join(dir, 'static'));
    server = await startHttpServer(serverCtx, {
      host: '127.0.0.1',
      port: 0,
      token,
      staticDir: path.join(dir, 'static'),
    });
  });

  afterAll(async () => {
    await server?.close();
    await serverCtx?.dispose();
  });

  interface Reply {
    ok: boolean;
    result?: { jobId: string };
    error?: { code: string; message: string };
  }

  async function api(method: string, input: unknown): Promise<Reply> {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    return (await res.json()) as Reply;
  }

  it('refuses a rejects path outside the data folder (directly, by .., or through a link)', async () => {
    fs.symlinkSync(outside, path.join(home, 'escape'));
    for (const rejectsPath of [
      path.join(outside, 'r.jsonl'),
      path.join(home, '..', 'outside', 'r.jsonl'),
      '../outside/r.jsonl',
      path.join(home, 'escape', 'r.jsonl'),
    ]) {
      const res = await api('import.start', {
        path: bad,
        project: 'p',
        mapping: sentimentMapping(),
        strict: false,
        rejectsPath,
      });
      expect(res, rejectsPath).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(res.error!.message).toMatch(
        /is outside the data folder .*: in browser mode the server writes only inside/,
      );
    }
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('takes a relative rejects path inside the data folder', async () => {
    const res = await api('import.start', {
      path: bad,
      project: 'p',
      mapping: sentimentMapping(),
      strict: false,
      rejectsPath: 'my-rejects/bad.jsonl',
    });
    expect(res.ok).toBe(true);
    const status = await serverCtx.jobs.wait(res.result!.jobId);
    expect(status.state).toBe('succeeded');
    expect((status.result as { rejectsPath: string }).rejectsPath).toBe(path.join(home, 'my-rejects', 'bad.jsonl'));
  });

  it('refuses an export folder outside the data folder, creating nothing there', async () => {
    const target = path.join(outside, 'exports');
    const res = await api('export.start', { project: { project: 'p' }, name: 'x', dir: target });
    expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(res.error!.message).toMatch(`the export folder ${target} is outside the data folder`);
    expect(fs.existsSync(target)).toBe(false);
  });
});
