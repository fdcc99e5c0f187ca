// Queue rules around rejects, undos and new label versions, on a real database of 20 examples.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabelAction } from '../../../shared/features/labels';
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

const project = { project: 'p' };
let dir: string;
let ctx: TestContext;

beforeEach(async () => {
  dir = makeTempDir('queue-rules');
  ctx = openContext(dir);
  const file = writeJsonl(
    path.join(dir, 'log.jsonl'),
    Array.from({ length: 20 }, (_, i) => sentimentRow(i)),
  );
  expect((await importFile(ctx, file, sentimentMapping())).status.state).toBe('succeeded');
});

afterEach(async () => {
  await ctx.dispose();
  removeDir(dir);
});

const record = (externalId: string, annotator: string, action: LabelAction, labels: string[] | null = null) =>
  call('labels.record', { project, externalId, annotator, schemaVersion: 1, action, labels }, ctx);
const next = (annotator: string, session = 'default') => call('queue.next', { project, annotator, session }, ctx);
const itemOf = async (externalId: string) => (await call('queue.item', { project, externalId }, ctx)).item!;

async function mineOne(): Promise<string> {
  await call('mining.run', { project, strategy: { strategy: 'margin' }, limit: 1 }, ctx);
  return (await next('ana')).item!.externalId;
}

describe('review queue rules', () => {
  it('a reject names no label in a multiclass task: the item stays open for a label', async () => {
    const id = await mineOne();
    const r = await record(id, 'ana', 'reject', ['positive']);
    expect(r.current.resolution.status).toBe('unlabeled');
    expect((await itemOf(id)).status).toBe('pending');
    expect((await next('ben')).item?.externalId).toBe(id);
  });

  it('a label the annotator undid does not keep the item from them', async () => {
    const id = await mineOne();
    await record(id, 'ana', 'label', ['positive']);
    await record(id, 'ana', 'undo');
    await call('queue.release', { project, annotator: 'ana' }, ctx);
    expect((await itemOf(id)).status).toBe('pending');
    expect((await next('ana')).item?.externalId).toBe(id);
  });

  it('after an undo the item comes back to the annotator in the session they are using', async () => {
    await call('mining.run', { project, strategy: { strategy: 'margin' }, limit: 1 }, ctx);
    const id = (await next('ana', 'tab-1')).item!.externalId;
    await record(id, 'ana', 'skip');
    await record(id, 'ana', 'undo');
    expect((await itemOf(id)).lease?.annotator).toBe('ana');
    expect((await next('ana', 'tab-1')).item?.externalId).toBe(id);
    expect((await next('ben')).item, 'held for ana, not handed to ben').toBeNull();
  });

  it('an example requeued after a split goes back to the annotator who labeled it', async () => {
    const id = await mineOne();
    await record(id, 'ana', 'label', ['positive']);
    const [v1] = await call('labels.versions', project, ctx);
    const positive = v1!.labels.find((l) => l.id === 'positive')!;
    const v2 = await call(
      'labels.create',
      {
        project,
        draft: {
          labels: [
            ...v1!.labels.filter((l) => l.id !== 'positive'),
            { ...positive, id: 'pos-a', name: 'Pos A', hotkey: null },
            { ...positive, id: 'pos-b', name: 'Pos B', hotkey: null },
          ],
          changeNote: 'split positive',
          mappingFromPrevious: [{ kind: 'split', from: 'positive', to: ['pos-a', 'pos-b'] }],
        },
      },
      ctx,
    );
    expect(v2.carryForward.requeued).toBe(1);
    expect((await itemOf(id)).status).toBe('pending');
    expect((await next('ana')).item?.externalId).toBe(id);
  });
});
