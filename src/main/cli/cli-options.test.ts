// The CLI's promises about its arguments, through the real `flywheel` command on a demo database:
// an option a command does not take is refused (never ignored), a dry run writes nothing, JSON
// output is complete, and the app's --version never swallows a model's.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportMappingSchema } from '../../shared/features/import/mapping';
import type { MiningPreview, MiningResult } from '../../shared/features/mining/contract';
import { makeTempDir, removeDir, sentimentMapping, sentimentRow } from '../../../test/helpers/import-fixtures';
import { APP_VERSION } from '../core/version';
import { COMMANDS, GLOBAL_OPTIONS } from './command-specs';
import { EXIT } from './exit-codes';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
let db: string;

function flywheel(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), '--db', db, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function queued(project: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    return conn
      .prepare('SELECT count(*) FROM queue_items WHERE project_id = (SELECT id FROM projects WHERE name = ?)')
      .pluck()
      .get(project) as number;
  } finally {
    conn.close();
  }
}

beforeAll(() => {
  dir = makeTempDir('cli-options');
  db = path.join(dir, 'w.db');
  const demo = flywheel('demo', '--rows', '1500', '--dir', path.join(dir, 'demo'));
  expect(demo.status, demo.stderr).toBe(0);
}, 120_000);

afterAll(() => removeDir(dir));

describe('flywheel: options a command does not take', () => {
  it('refuses them with the command usage and exit 2, and does nothing', () => {
    const mine = flywheel('mine', 'sentiment', '--keep-duplicate');
    expect(mine.status).toBe(EXIT.usage);
    expect(mine.stderr).toMatch(/^flywheel mine: unknown option --keep-duplicate\n/);
    expect(mine.stderr).toContain('--strategy S');
    expect(queued('sentiment')).toBe(0);
    const stats = flywheel('stats', 'sentiment', '--strict');
    expect(stats.status).toBe(EXIT.usage);
    expect(stats.stderr).toMatch(/^flywheel stats: unknown option --strict\n/);
    expect(stats.stdout).toBe('');
    const evaluate = flywheel('eval', 'sentiment', '--strategy', 'random');
    expect(evaluate.status).toBe(EXIT.usage);
    expect(evaluate.stderr).toMatch(/^flywheel eval: unknown option --strategy\n/);
    expect(evaluate.stderr).toContain('--champion R');
  });

  it('describes, in the help, every option each command takes and no other', () => {
    for (const [name, spec] of Object.entries(COMMANDS)) {
      const text = `${spec.usage}\n${'optionsHelp' in spec ? spec.optionsHelp : ''}`;
      const global = new Set<string>(GLOBAL_OPTIONS);
      const described = new Set(
        [...text.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!).filter((o) => !global.has(o)),
      );
      const taken = new Set<string>(spec.options);
      expect(
        [...described].filter((o) => !taken.has(o)),
        `${name}: described, not taken`,
      ).toEqual([]);
      expect(
        [...taken].filter((o) => !described.has(o)),
        `${name}: taken, not described`,
      ).toEqual([]);
      expect(spec.options.filter((o) => global.has(o))).toEqual([]);
    }
  });
});

describe('flywheel --version', () => {
  it('prints the version only as the only argument', () => {
    const notAlone = flywheel('--version'); // after --db
    expect(notAlone.status).toBe(EXIT.usage);
    expect(notAlone.stderr).toMatch(/^flywheel: --version goes alone/);
    const alone = spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), '--version'], { encoding: 'utf8' });
    expect(alone.status).toBe(0);
    expect(alone.stdout).toBe(`${APP_VERSION}\n`);
  });

  it('model add --version V registers the model under version V', () => {
    const model = path.join(dir, 'demo', 'sentiment-retrained.onnx');
    expect(fs.existsSync(model)).toBe(true);
    const add = flywheel('model', 'add', model, '--project', 'sentiment', '--version', 'v9', '--json');
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).not.toBe(`${APP_VERSION}\n`);
    expect(JSON.parse(add.stdout)).toMatchObject({ version: 'v9' });
    const models = flywheel('models', 'sentiment', '--json');
    expect(models.stdout).toContain('"v9"');
  });
});

describe('flywheel mine', () => {
  it('--dry-run previews: the count, the cut-off and the distribution, and queues nothing', () => {
    const run = flywheel('mine', 'sentiment', '--strategy', 'margin', '--limit', '40', '--dry-run');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^Dry run, nothing queued: margin over .*: [\d,]+ scanned, [\d,]+ eligible, 40 would be queued\./,
    );
    expect(run.stdout).toMatch(/Cut-off priority \d\.\d{4}/);
    expect(run.stdout).toMatch(/\d\.\d{3}–\d\.\d{3} +\d+ of \d+/);
    expect(queued('sentiment')).toBe(0);
    const json = flywheel('mine', 'sentiment', '--strategy', 'margin', '--limit', '40', '--dry-run', '--json');
    const preview = JSON.parse(json.stdout) as MiningPreview;
    expect(preview.selected).toBe(40);
    expect(preview.items).toHaveLength(40);
    expect(queued('sentiment')).toBe(0);
  });

  it('--json lists every selected item with its priority and reason', () => {
    const run = flywheel('mine', 'sentiment', '--strategy', 'entropy', '--limit', '60', '--json');
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as MiningResult;
    expect(r.selected).toBe(60);
    expect(r.items).toHaveLength(60);
    expect(new Set(r.items!.map((i) => i.externalId)).size).toBe(60);
    for (const item of r.items!) {
      expect(item.externalId).not.toBe('');
      expect(item.reason).toMatch(/\w/);
      expect(Number.isFinite(item.priority)).toBe(true);
    }
    expect(queued('sentiment')).toBe(60);
  });

  it('--strategy random keeps near-duplicates unless --dedupe asks', () => {
    const all = ['mine', 'spam', '--strategy', 'random', '--limit', '100000', '--dry-run', '--json'];
    const random = JSON.parse(flywheel(...all).stdout) as MiningPreview;
    expect(random.suppressedDuplicates).toBe(0);
    expect(random.selected).toBe(random.eligible);
    const deduped = JSON.parse(flywheel(...all, '--dedupe').stdout) as MiningPreview;
    expect(deduped.suppressedDuplicates).toBeGreaterThan(0);
    expect(deduped.selected).toBe(random.eligible - deduped.suppressedDuplicates);
    const both = flywheel(...all, '--dedupe', '--keep-duplicates');
    expect(both.status).toBe(EXIT.usage);
  });
});

describe('flywheel import --strict', () => {
  it('counts every bad row it found in its summary and imports nothing', () => {
    const mapping = path.join(dir, 'csv-mapping.json');
    const csvMapping = sentimentMapping({
      timestamp: undefined,
      scores: { kind: 'columns', columns: ['p_negative', 'p_neutral', 'p_positive'] },
    });
    fs.writeFileSync(mapping, JSON.stringify(ImportMappingSchema.parse(csvMapping)));
    const lines = Array.from({ length: 12 }, (_, i) => {
      const r = sentimentRow(i);
      const s = r['scores'] as number[];
      const label = i % 4 === 3 ? 'angry' : r['predicted_label']; // rows 4, 8 and 12 are bad
      return [r['id'], `"${String(r['text'])}"`, ...s, label, r['model'], r['model_version']].join(',');
    });
    const file = path.join(dir, 'strict.csv');
    const header = 'id,text,p_negative,p_neutral,p_positive,predicted_label,model,model_version';
    fs.writeFileSync(file, [header, ...lines].join('\n') + '\n');
    const run = flywheel('import', file, '--project', 'strict-csv', '--mapping', mapping, '--strict');
    expect(run.status).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/Import #\d+ refused \(--strict\): 3 rows rejected, nothing imported\./);
    expect(run.stderr).toMatch(/row 4 \(line 5\), predicted_label: unknown label 'angry'/);
  });
});
