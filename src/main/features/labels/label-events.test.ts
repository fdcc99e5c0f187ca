import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { call } from '../../core/dispatch';
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

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const EXAMPLES = 50;
let dir: string;
let ctx: TestContext;
const project = { project: 'p' };

beforeAll(async () => {
  dir = makeTempDir('label-events');
  ctx = openContext(dir);
  const file = writeJsonl(
    path.join(dir, 'log.jsonl'),
    Array.from({ length: EXAMPLES }, (_, i) => sentimentRow(i)),
  );
  const { status } = await importFile(ctx, file, sentimentMapping());
  expect(status.state).toBe('succeeded');
});

afterAll(async () => {
  await ctx.dispose();
  removeDir(dir);
});

const record = (over: Record<string, unknown>) =>
  call(
    'labels.record',
    {
      project,
      externalId: 'ex-1',
      annotator: 'ana',
      schemaVersion: 1,
      action: 'label',
      labels: ['positive'],
      ...over,
    } as never,
    ctx,
  );

describe('label events', () => {
  it('derives agreement, conflict, undo and adjudication from appended events', async () => {
    expect((await record({})).current.resolution).toMatchObject({ status: 'agreed', labels: ['positive'] });
    const conflict = await record({ annotator: 'ben', labels: ['negative'] });
    expect(conflict.current.resolution.status).toBe('conflict');
    const undone = await record({ annotator: 'ben', action: 'undo', labels: null });
    expect(undone.current.resolution).toMatchObject({ status: 'agreed', labels: ['positive'] });
    await record({ annotator: 'ben', labels: ['neutral'] });
    const settled = await record({ annotator: 'lead', action: 'adjudicate', labels: ['neutral'] });
    expect(settled.current.resolution).toMatchObject({ status: 'adjudicated', labels: ['neutral'] });
    const current = await call('labels.current', { project, externalId: 'ex-1' }, ctx);
    expect(current.events).toBe(5);
  });

  it('refuses an undo with nothing to undo, unknown labels, a stale schema version and unknown examples', async () => {
    expect(await failure(record({ externalId: 'ex-2', action: 'undo', labels: null }))).toMatchObject({
      code: 'conflict',
      message: /nothing to undo/,
    });
    expect(await failure(record({ externalId: 'ex-2', labels: ['great'] }))).toMatchObject({
      code: 'invalid-input',
      message: /"great"/,
    });
    expect(await failure(record({ externalId: 'ex-2', labels: ['positive', 'negative'] }))).toMatchObject({
      code: 'invalid-input',
    });
    expect(await failure(record({ externalId: 'ex-2', schemaVersion: 2 }))).toMatchObject({
      code: 'conflict',
      message: /not current/,
    });
    expect(await failure(record({ externalId: 'nope' }))).toMatchObject({
      code: 'not-found',
      message: "project 'p' has no example 'nope'",
    });
    expect((await call('labels.current', { project, externalId: 'ex-2' }, ctx)).events).toBe(0);
  });

  it('treats a retried save with the same client event id as one event', async () => {
    const first = await record({ externalId: 'ex-3', clientEventId: 'tab-1-0007' });
    const again = await record({ externalId: 'ex-3', clientEventId: 'tab-1-0007' });
    expect(again).toMatchObject({ eventId: first.eventId, duplicate: true });
    expect(again.current.events).toBe(1);
  });

  it('keeps every acknowledged label through repeated kill -9 of a process labeling as fast as it can', async () => {
    const db = path.join(dir, 'w.db');
    const acked: string[] = [];
    for (let round = 0; round < 6; round++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/helpers/label-writer.ts', db, 'p', `w${round}`, String(EXAMPLES)],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Wait until it labels, then kill it at a moment that differs round to round.
      const deadline = Date.now() + 20_000;
      while (!out.includes('\n') && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 20));
      expect(out, err).toContain('\n');
      await new Promise((r) => setTimeout(r, 50 + ((round * 137) % 400)));
      child.kill('SIGKILL');
      await exited;
      acked.push(
        ...out
          .split('\n')
          .filter((l) => l.includes(' '))
          .map((l) => l.split(' ')[1]!),
      );
      const check = new Database(db, { readonly: true });
      try {
        expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
        const stored = new Set(
          check
            .prepare('SELECT client_event_id FROM label_events WHERE client_event_id IS NOT NULL')
            .pluck()
            .all() as string[],
        );
        const lost = acked.filter((id) => !stored.has(id));
        expect(lost).toEqual([]);
      } finally {
        check.close();
      }
    }
    expect(acked.length).toBeGreaterThan(50);
  });
});
