import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../../test/helpers/expect-failure';
import { createContext } from '../../core/create-context';
import { call } from '../../core/dispatch';

let dir: string;
let ctx: ReturnType<typeof createContext>;
const project = { project: 'tickets' };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-labels-'));
  ctx = createContext({ dbPath: path.join(dir, 'w.db'), runtime: 'cli' });
  await call(
    'projects.create',
    { name: 'tickets', taskType: 'multiclass', inputKind: 'text', classes: ['Bug', 'Feature request', 'Question'] },
    ctx,
  );
});

afterAll(async () => {
  await ctx.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('label schema versions', () => {
  it('starts every project at version 1 with one label per class and hotkeys 1–3', async () => {
    const [v1] = await call('labels.versions', project, ctx);
    expect(v1).toMatchObject({ version: 1, mappingFromPrevious: null });
    expect(v1!.labels.map((l) => [l.id, l.name, l.hotkey])).toEqual([
      ['bug', 'Bug', '1'],
      ['feature-request', 'Feature request', '2'],
      ['question', 'Question', '3'],
    ]);
  });

  it('adds version 2 with a declared rename and merge, and diffs the two', async () => {
    const [v1] = await call('labels.versions', project, ctx);
    const keep = v1!.labels;
    const v2 = await call(
      'labels.create',
      {
        project,
        draft: {
          labels: [
            { ...keep[0]!, id: 'defect', name: 'Defect' },
            {
              id: 'other',
              name: 'Other',
              description: 'feature requests and questions',
              hotkey: null,
              color: '#868e96',
            },
          ],
          guidelines: '# Tickets\nA **defect** is broken behaviour.',
          changeNote: 'bug is now defect; requests and questions merged',
          mappingFromPrevious: [
            { kind: 'rename', from: 'bug', to: 'defect' },
            { kind: 'merge', from: ['feature-request', 'question'], to: 'other' },
          ],
        },
      },
      ctx,
    );
    expect(v2.version).toBe(2);
    expect(v2.labels.map((l) => l.hotkey)).toEqual(['1', '2']);
    const diff = await call('labels.diff', { project, from: 1, to: 2 }, ctx);
    expect(diff.diff.guidelinesChanged).toBe(true);
    expect(diff.lines.join('\n')).toMatch(/bug.*defect/);
    expect(diff.lines.join('\n')).toMatch(/feature-request.*question.*other/s);
  });

  it('refuses a version that forgets a label, lacks a change note, or reuses a hotkey, naming them', async () => {
    const [, v2] = await call('labels.versions', project, ctx);
    const forgot = await failure(
      call(
        'labels.create',
        {
          project,
          draft: {
            labels: [v2!.labels[0]!, { ...v2!.labels[1]!, id: 'misc' }],
            changeNote: 'x',
            mappingFromPrevious: [],
          },
        },
        ctx,
      ),
    );
    expect(forgot.code).toBe('invalid-input');
    expect(forgot.message).toMatch(/other/);
    const noNote = await failure(
      call('labels.create', { project, draft: { labels: v2!.labels, mappingFromPrevious: [] } }, ctx),
    );
    expect(noNote.message).toMatch(/change note/);
    const clash = await failure(
      call(
        'labels.create',
        {
          project,
          draft: {
            labels: [v2!.labels[0]!, { ...v2!.labels[1]!, hotkey: '1' }],
            changeNote: 'hotkeys',
            mappingFromPrevious: [],
          },
        },
        ctx,
      ),
    );
    expect(clash.message).toMatch(/hotkey/i);
    expect((await call('labels.versions', project, ctx)).length).toBe(2);
  });

  it('never edits a stored version in place', () => {
    expect(() => ctx.store.db.prepare(`UPDATE label_schema_versions SET guidelines = 'changed'`).run()).toThrow(
      /immutable/,
    );
  });

  it('says which version does not exist', async () => {
    const missing = await failure(call('labels.diff', { project, from: 1, to: 9 }, ctx));
    expect(missing).toMatchObject({ code: 'not-found', message: "project 'tickets' has no label schema version 9" });
  });
});
