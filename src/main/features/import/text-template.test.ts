// Import mappings that build the text from several fields with a template: JSONL, CSV and Parquet
// logs, the parts kept for Review, and templates naming fields the log lacks refused up front.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api/errors';
import { call } from '../../core/dispatch';
import {
  importFile,
  makeTempDir,
  openContext,
  removeDir,
  sentimentMapping,
  writeJsonl,
  writeParquet,
  type TestContext,
} from '../../../../test/helpers/import-fixtures';

let dir: string;
let ctx: TestContext | null = null;
let dbCount = 0;

beforeAll(() => {
  dir = makeTempDir('import-template');
});
afterEach(async () => {
  await ctx?.dispose();
  ctx = null;
});
afterAll(() => removeDir(dir));

function fresh(): TestContext {
  ctx = openContext(dir, `template-${++dbCount}.db`);
  return ctx;
}

const mails = [
  { id: 'm1', subject: 'Invoice overdue', body: 'Please pay, "now".\nThanks', lang: 'en' },
  { id: 'm2', subject: '', body: 'No subject here', lang: 'de' },
  { id: 'm3', subject: 'Braces {kept}', body: '', lang: 'en' },
].map((m, i) => ({
  ...m,
  ts: 1_700_000_000_000 + i,
  scores: [0.2, 0.3, 0.5],
  predicted_label: 'positive',
  model: 'mailer',
  model_version: '1',
}));

const TEMPLATE = 'Subject: {subject}\n{body}';
const mapping = sentimentMapping({ text: undefined, textTemplate: TEMPLATE, metadata: ['lang'] });
const rendered = (m: (typeof mails)[number]) => `Subject: ${m.subject}\n${m.body}`;

async function expectImported(c: TestContext, file: string, m = mapping): Promise<void> {
  const { status, run } = await importFile(c, file, m);
  expect(status.error).toBeUndefined();
  expect(run).toMatchObject({ status: 'done', rowsImported: mails.length, rowsRejected: 0 });
  for (const mail of mails) {
    const { example } = await call('queue.item', { project: { project: 'p' }, externalId: mail.id }, c);
    expect(example!.text).toBe(rendered(mail));
    expect(example!.textParts).toEqual([
      { name: 'subject', text: mail.subject },
      { name: 'body', text: mail.body },
    ]);
    // The log's own fields stay the metadata, untouched by the parts.
    expect(example!.metadata).toEqual({ lang: mail.lang });
  }
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

describe('import: text from several fields with a template', () => {
  it('JSONL: the text is the rendered template and Review gets the parts by name', async () => {
    const c = fresh();
    await expectImported(c, writeJsonl(path.join(dir, 'mail.jsonl'), mails));
  });

  it('CSV: the same, with empty cells as empty parts', async () => {
    const c = fresh();
    const header = [
      'id',
      'ts',
      'subject',
      'body',
      'lang',
      's_neg',
      's_neu',
      's_pos',
      'predicted_label',
      'model',
      'model_version',
    ];
    const lines = mails.map((m) =>
      [m.id, m.ts, m.subject, m.body, m.lang, ...m.scores, m.predicted_label, m.model, m.model_version]
        .map(csvCell)
        .join(','),
    );
    const file = path.join(dir, 'mail.csv');
    fs.writeFileSync(file, [header.join(','), ...lines].join('\n') + '\n');
    await expectImported(c, file, { ...mapping, scores: { kind: 'columns', columns: ['s_neg', 's_neu', 's_pos'] } });
  });

  it('Parquet: the same', async () => {
    const c = fresh();
    const rows = mails.map((m) => ({ ...m, text: '' }));
    const file = await writeParquet(path.join(dir, 'mail.parquet'), rows, { extra: 'subject, body, lang' });
    await expectImported(c, file);
  });

  it('a plain one-field mapping stores no parts', async () => {
    const c = fresh();
    const file = writeJsonl(
      path.join(dir, 'plain.jsonl'),
      mails.map((m) => ({ ...m, text: m.body })),
    );
    const { run } = await importFile(c, file, sentimentMapping());
    expect(run.rowsImported).toBe(mails.length);
    const { example } = await call('queue.item', { project: { project: 'p' }, externalId: 'm1' }, c);
    expect(example!.textParts).toBeNull();
    expect(example!.text).toBe(mails[0]!.body);
  });

  it('a part holding an unpaired surrogate rejects its row, naming the part', async () => {
    const c = fresh();
    const file = writeJsonl(path.join(dir, 'mail-surrogate.jsonl'), [
      ...mails,
      { ...mails[0]!, id: 'm4', body: 'broken \ud800 text' },
    ]);
    const { run } = await importFile(c, file, mapping);
    expect(run).toMatchObject({ rowsImported: mails.length, rowsRejected: 1 });
    expect(run.firstRejects[0]).toMatchObject({ field: 'body' });
  });

  it('a template naming a field the log lacks is refused at preview and at import, naming the field', async () => {
    const c = fresh();
    const file = writeJsonl(path.join(dir, 'mail-missing.jsonl'), mails);
    const bad = sentimentMapping({ text: undefined, textTemplate: '{subject}\n{message}' });
    const preview = await call('import.preview', { path: file, project: 'p', mapping: bad }, c);
    expect(preview.mappingProblem).toMatch(/text template names 'message', which the log does not have/);
    const refused = await importFile(c, file, bad).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('bad-mapping');
    expect((refused as ApiError).message).toMatch(/'message'/);
    const count = c.store.db.prepare('SELECT count(*) AS n FROM examples').get() as { n: number };
    expect(count.n).toBe(0);
  });

  it('a malformed template, or a template with a text field too, is refused by the mapping schema', async () => {
    const c = fresh();
    const file = writeJsonl(path.join(dir, 'mail-bad.jsonl'), mails);
    for (const [overrides, message] of [
      [{ text: undefined, textTemplate: '{subject}\n{body' }, /never closed/],
      [{ text: undefined, textTemplate: 'no fields at all' }, /names no field/],
      [{ text: 'body', textTemplate: '{subject}' }, /not both/],
    ] as const) {
      const e = await importFile(c, file, sentimentMapping(overrides)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).message).toMatch(message);
    }
  });
});
