// The lock of a running import dies with its holder: a run whose heartbeat is stale can be resumed
// or discarded whatever host and pid it names; a fresh heartbeat keeps everyone else out.
import path from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  sentimentMapping,
  sentimentRow,
  writeJsonl,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';
import { call } from '../../core/dispatch';
import { fingerprint, sniffFile } from './sniff';

let dir: string;
let log: string;
let other: string;
let ctx: TestContext;
let n = 0;
const N = 300;

beforeAll(() => {
  dir = makeTempDir('import-lock');
  log = writeJsonl(
    path.join(dir, 'log.jsonl'),
    Array.from({ length: N }, (_, i) => sentimentRow(i)),
  );
  other = writeJsonl(
    path.join(dir, 'other.jsonl'),
    Array.from({ length: 10 }, (_, i) => sentimentRow(N + i)),
  );
});

afterAll(() => removeDir(dir));

afterEach(async () => {
  await ctx?.dispose();
});

/** A project with one import of `log` left 'running' by a holder on another host, as a crash leaves it. */
async function runningElsewhere(heartbeatAgeMs: number): Promise<number> {
  ctx = openContext(dir, `lock-${++n}.db`);
  await call(
    'projects.create',
    { name: 'p', taskType: 'multiclass', inputKind: 'text', classes: ['negative', 'neutral', 'positive'] },
    ctx,
  );
  const file = sniffFile(log);
  const run = ctx.store.importRuns.create({
    projectId: ctx.store.projects.byName('p')!.id,
    sourcePath: file.path,
    sourceSize: file.size,
    fingerprint: fingerprint(file.path, file.size),
    format: 'jsonl',
    compression: 'none',
    mapping: JSON.stringify(sentimentMapping()),
    strict: false,
    // A pid that is alive (this very test's parent), on a host name that is not this one.
    ownerPid: process.ppid,
    ownerHost: 'renamed-host',
  });
  ctx.store.db.prepare('UPDATE import_runs SET heartbeat_at = ? WHERE id = ?').run(Date.now() - heartbeatAgeMs, run.id);
  return run.id;
}

describe('the lock of an import', () => {
  it('a stale heartbeat (holder on another host, a live pid) lets the run be resumed', async () => {
    const id = await runningElsewhere(60_000);
    const runs = await call('import.runs', { projectId: 1 }, ctx);
    expect(runs.map((r) => r.status)).toEqual(['interrupted']);
    const { status, run } = await importFile(ctx, log, sentimentMapping());
    expect(status.error).toBeUndefined();
    expect(run).toMatchObject({ id, status: 'done', rowsImported: N });
  });

  it('a stale heartbeat lets the run be discarded', async () => {
    const id = await runningElsewhere(60_000);
    expect(await call('import.discard', { importRunId: id }, ctx)).toEqual({
      examplesRemoved: 0,
      predictionsRemoved: 0,
    });
    expect(ctx.store.importRuns.get(id)!.status).toBe('cancelled');
    // And the project takes other imports again.
    expect((await importFile(ctx, other, sentimentMapping())).status.state).toBe('succeeded');
  });

  it('a fresh heartbeat is refused for resume, discard and other imports, naming host, pid and age', async () => {
    const id = await runningElsewhere(3_000);
    const message = new RegExp(
      `^import #${id} (of log\\.jsonl )?is still running in process ${process.ppid} on host renamed-host ` +
        `\\(last heartbeat 3 s ago\\); if that process is gone, the run counts as interrupted once its heartbeat ` +
        `is 30 s old, and can then be resumed or discarded$`,
    );
    const resume = await failure(
      call('import.start', { path: log, project: 'p', mapping: sentimentMapping(), strict: false }, ctx),
    );
    expect(resume).toMatchObject({ code: 'conflict' });
    expect(resume.message).toMatch(message);
    const discard = await failure(call('import.discard', { importRunId: id }, ctx));
    expect(discard).toMatchObject({ code: 'conflict' });
    expect(discard.message).toMatch(message);
    const another = await failure(
      call('import.start', { path: other, project: 'p', mapping: sentimentMapping(), strict: false }, ctx),
    );
    expect(another.message).toMatch(message);
    expect(ctx.store.importRuns.get(id)).toMatchObject({ status: 'running', owner_host: 'renamed-host' });
    expect((await call('import.runs', { projectId: 1 }, ctx)).map((r) => r.status)).toEqual(['running']);
  });

  it('a holder whose run was taken over stops at its next batch, and leaves the run to the new holder', async () => {
    ctx = openContext(dir, `lock-${++n}.db`);
    let takenAt: number | null = null;
    ctx.listeners.add((e) => {
      if (e.type !== 'job.progress' || takenAt !== null) return;
      // As if this process had stalled past the expiry and another one had resumed the run.
      const row = ctx.store.importRuns.forProject(1)[0]!;
      takenAt = row.records_read;
      ctx.store.db
        .prepare('UPDATE import_runs SET owner_pid = ?, owner_host = ?, heartbeat_at = ? WHERE id = ?')
        .run(process.ppid, 'new-holder', Date.now(), row.id);
    });
    const { status } = await importFile(ctx, log, sentimentMapping(), { batchRows: 50 });
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('conflict');
    expect(status.error?.message).toMatch(
      /^import #1 was taken over by another process after this one gave no heartbeat/,
    );
    // Nothing after the takeover was written, and nothing was removed: the rows are the new holder's.
    expect(takenAt).toBeGreaterThan(0);
    expect(ctx.store.importRuns.get(1)).toMatchObject({
      status: 'running',
      owner_host: 'new-holder',
      records_read: takenAt,
      rows_imported: takenAt,
    });
    expect(ctx.store.db.prepare('SELECT count(*) FROM examples').pluck().get()).toBe(takenAt);
  });
});
