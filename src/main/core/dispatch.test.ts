import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../shared/api/contract';
import { createContext } from './create-context';
import { dispatch } from './dispatch';
import { handlers } from './handlers';
import { loadMethod } from './method-loader';

let dir: string;
let ctx: ReturnType<typeof createContext>;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flywheel-dispatch-'));
  ctx = createContext({ dbPath: path.join(dir, 'w.db'), runtime: 'cli' });
});
afterAll(async () => {
  await ctx.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('dispatch', () => {
  it('has exactly one handler per contract method', () => {
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(contract).sort());
  });

  it('reaches every method through the features it loads on demand, and nothing else', async () => {
    for (const name of Object.keys(contract) as (keyof typeof contract)[]) {
      const found = await loadMethod(name);
      expect(found?.spec, name).toBe(contract[name]);
      expect(found?.handler, name).toBe(handlers[name]);
    }
    for (const name of ['drop.everything', 'export.toString', 'export.__proto__', 'toString.x', 'constructor', '.'])
      expect(await loadMethod(name), name).toBeNull();
  });

  it('returns errors as data for an unknown method', async () => {
    expect(await dispatch('drop.everything', {}, ctx)).toEqual({
      ok: false,
      error: { code: 'unknown-method', message: "no API method named 'drop.everything'" },
    });
  });

  it('rejects invalid input with the field named, before any handler runs', async () => {
    const r = await dispatch(
      'projects.create',
      { name: '', taskType: 'binary', inputKind: 'text', classes: ['a', 'b'] },
      ctx,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid-input');
      expect(r.error.message).toMatch(/name: a project needs a name/);
    }
    const extra = await dispatch('projects.list', { sql: 'DROP TABLE projects' }, ctx);
    expect(extra.ok).toBe(false);
  });

  it('creates, lists and describes a project through the contract', async () => {
    const created = await dispatch(
      'projects.create',
      { name: 'reviews', taskType: 'multiclass', inputKind: 'text', classes: ['neg', 'neu', 'pos'] },
      ctx,
    );
    expect(created.ok).toBe(true);
    const dup = await dispatch(
      'projects.create',
      { name: 'reviews', taskType: 'multiclass', inputKind: 'text', classes: ['neg', 'neu', 'pos'] },
      ctx,
    );
    expect(dup).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const list = await dispatch('projects.list', {}, ctx);
    expect(list).toMatchObject({ ok: true, result: [{ name: 'reviews', counts: { examples: 0 } }] });
    const stats = await dispatch('projects.stats', { project: 'nope' }, ctx);
    expect(stats).toMatchObject({ ok: false, error: { code: 'not-found', message: "no project 'nope'" } });
  });

  it('refuses a binary project without exactly two classes', async () => {
    const r = await dispatch(
      'projects.create',
      { name: 'b', taskType: 'binary', inputKind: 'text', classes: ['a', 'b', 'c'] },
      ctx,
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
});
