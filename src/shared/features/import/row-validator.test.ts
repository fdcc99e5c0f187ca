import { describe, expect, it } from 'vitest';
import { ImportMappingSchema, type ImportMappingInput } from './mapping';
import { mulberry32 } from '../mining';
import {
  buildQuickShapeCheck,
  buildShapeSchema,
  createRowValidator,
  DEFAULT_VALIDATOR_LIMITS,
  predictedFromScores,
} from './row-validator';

const base: ImportMappingInput = {
  id: 'id',
  inputKind: 'text',
  text: 'text',
  taskType: 'multiclass',
  classes: ['neg', 'neu', 'pos'],
  scores: { kind: 'vector', field: 'scores' },
  predictedLabel: 'pred',
  groundTruth: 'label',
  model: { name: 'm', versionField: 'v' },
  timestamp: { field: 'ts', unit: 'auto' },
  metadata: ['channel'],
};
const mapping = (over: Partial<ImportMappingInput> = {}) => ImportMappingSchema.parse({ ...base, ...over });
const row = (over: Record<string, unknown> = {}) => ({
  id: 'a1',
  text: 'fine',
  scores: [0.2, 0.3, 0.5],
  pred: 'pos',
  v: 'v1',
  ts: '2026-10-01T12:00:00Z',
  channel: 'web',
  ...over,
});

describe('row validator', () => {
  it('normalises a good row: scores in project order, predicted index, epoch ms, metadata JSON', () => {
    const validate = createRowValidator(mapping(), ['pos', 'neu', 'neg']);
    const r = validate(row());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Array.from(r.row.scores)).toEqual([0.5, 0.3, 0.2].map(Math.fround));
    expect(r.row.predicted).toBe(0);
    expect(r.row.ts).toBe(Date.UTC(2026, 9, 1, 12));
    expect(r.row.metadata).toBe('{"channel":"web"}');
    expect(r.row.modelVersion).toBe('v1');
  });

  it.each([
    [{ id: undefined }, 'id'],
    [{ id: '' }, 'id'],
    [{ id: 2 ** 60 }, 'id'],
    [{ text: 42 }, 'text'],
    [{ scores: [0.2, 0.3] }, 'scores'],
    [{ scores: [0.2, 0.3, 'x'] }, 'scores.2'],
    [{ scores: [0.2, 0.3, NaN] }, 'scores.2'],
    [{ scores: [0.2, 0.3, Infinity] }, 'scores.2'],
    [{ scores: [1.2, -0.5, 0.3] }, 'scores'],
    [{ scores: [0.2, 0.3, 0.4] }, 'scores'],
    [{ pred: 'maybe' }, 'pred'],
    [{ label: 'other' }, 'label'],
    [{ ts: 'yesterday' }, 'ts'],
    [{ v: undefined }, 'v'],
  ])('rejects %j naming the field %s', (over, field) => {
    const r = createRowValidator(mapping(), ['neg', 'neu', 'pos'])(row(over));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.field).toBe(field);
  });

  it('explains why: probabilities that do not sum to 1 and out-of-range scores', () => {
    const v = createRowValidator(mapping(), ['neg', 'neu', 'pos']);
    const sum = v(row({ scores: [0.2, 0.3, 0.4] }));
    expect(!sum.ok && sum.problem.reason).toMatch(/sum to 0\.9/);
    const range = v(row({ scores: [1.2, -0.5, 0.3] }));
    expect(!range.ok && range.problem.reason).toMatch(/outside \[0, 1\]/);
    const label = v(row({ pred: 'maybe' }));
    expect(!label.ok && label.problem.reason).toMatch(/unknown label 'maybe' \(known: neg, neu, pos\)/);
  });

  it('applies softmax to logits', () => {
    const v = createRowValidator(mapping({ scoreTransform: 'softmax' }), ['neg', 'neu', 'pos']);
    const r = v(row({ scores: [0, 0, Math.log(2)] }));
    expect(r.ok && Array.from(r.row.scores).map((x) => x.toFixed(4))).toEqual(['0.2500', '0.2500', '0.5000']);
  });

  it('reads a binary score column as P(positive) and derives the label from it', () => {
    const m = mapping({
      taskType: 'binary',
      classes: ['ham', 'spam'],
      scores: { kind: 'columns', columns: ['p'] },
      predictedLabel: undefined,
      groundTruth: undefined,
    });
    const r = createRowValidator(m, ['ham', 'spam'])({ ...row(), p: 0.8 });
    expect(r.ok && r.row.scores.length).toBe(1);
    expect(r.ok && r.row.predicted).toBe(1);
    const bad = createRowValidator(m, ['ham', 'spam'])({ ...row(), p: 1.5 });
    expect(bad.ok).toBe(false);
  });

  it('handles multilabel predictions as lists or delimited strings', () => {
    const m = mapping({ taskType: 'multilabel', classes: ['a', 'b', 'c'], scoreTransform: 'none' });
    const v = createRowValidator(m, ['a', 'b', 'c']);
    const list = v(row({ scores: [0.9, 0.1, 0.8], pred: ['a', 'c'] }));
    expect(list.ok && list.row.predicted).toBe(0b101);
    const text = v(row({ scores: [0.9, 0.1, 0.8], pred: 'a|c', label: ['c', 'a'] }));
    expect(text.ok && text.row.groundTruth).toBe('["a","c"]');
  });

  it('keeps __proto__ in metadata as data', () => {
    const m = mapping({ metadata: ['__proto__', 'channel'] });
    const raw = JSON.parse(
      '{"id":"p","text":"t","scores":[0.2,0.3,0.5],"v":"1","ts":0,"__proto__":{"polluted":true}}',
    ) as Record<string, unknown>;
    const r = createRowValidator(m, ['neg', 'neu', 'pos'])(raw);
    expect(r.ok && r.row.metadata).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a mapping whose classes are not the project classes', () => {
    expect(() => createRowValidator(mapping(), ['neg', 'pos', 'other'])).toThrow(/not a class of the project/);
  });

  it('refuses a feature past float32 range (it would be stored as Infinity) and stores -0 as 0', () => {
    const validate = createRowValidator(mapping({ features: { kind: 'vector', field: 'f', dim: 2 } }), [
      'neg',
      'neu',
      'pos',
    ]);
    const over = validate(row({ f: [1e39, 0.5] }));
    expect(over).toEqual({
      ok: false,
      problem: { field: 'f', reason: "feature 0 is beyond float32's range (±3.4e38)" },
    });
    expect(validate(row({ f: [3.4e38, -3.4e38] })).ok).toBe(true);
    const zero = validate(row({ f: [-0, 1] }));
    expect(zero.ok && Object.is(zero.row.features![0], 0)).toBe(true);
  });

  it('reads a class index written as text when no class has that name, and a JSON list in a multilabel cell', () => {
    const validate = createRowValidator(mapping(), ['neg', 'neu', 'pos']);
    const r = validate(row({ pred: '2', label: '0' }));
    expect(r.ok && [r.row.predicted, r.row.groundTruth]).toEqual([2, 'neg']);
    expect(validate(row({ pred: '3' }))).toMatchObject({ ok: false, problem: { field: 'pred' } });
    const named = createRowValidator(mapping({ classes: ['1', '2', '0'] }), ['1', '2', '0']);
    const n = named(row({ pred: '0' })); // a class named "0" wins over index 0
    expect(n.ok && n.row.predicted).toBe(2);
    const ml = createRowValidator(mapping({ taskType: 'multilabel', scores: { kind: 'vector', field: 'scores' } }), [
      'neg',
      'neu',
      'pos',
    ]);
    const m = ml(row({ scores: [0.9, 0.1, 0.8], pred: '["neg","pos"]' }));
    expect(m.ok && m.row.predicted).toBe(0b101);
  });

  it('judges and words float lists the same whether they come as plain or typed arrays', () => {
    const m = mapping({ features: { kind: 'vector', field: 'f', dim: 3 } });
    const plain = createRowValidator(m, ['neg', 'neu', 'pos']);
    const typed = createRowValidator(m, ['neg', 'neu', 'pos']);
    const cases: Record<string, unknown>[] = [
      {},
      { scores: [0.2, 0.3, 0.4] },
      { scores: [0.5, 0.5] },
      { scores: [0.2, Number.NaN, 0.8] },
      { f: [1, Number.POSITIVE_INFINITY, 0] },
      { f: [1, 1e300, 0] },
      { f: [1, 2] },
      { id: undefined },
      { pred: 'nope' },
    ];
    for (const over of cases) {
      const r: Record<string, unknown> = row({ f: [0.5, -0, 2], ...over });
      const asTyped = {
        ...r,
        scores: Float64Array.from(r['scores'] as number[]),
        f: Float32Array.from(r['f'] as number[]),
      };
      const a = plain(r);
      const aRow = a.ok ? { ...a.row, scores: Array.from(a.row.scores), features: Array.from(a.row.features!) } : a;
      const b = typed(asTyped);
      const bRow = b.ok ? { ...b.row, scores: Array.from(b.row.scores), features: Array.from(b.row.features!) } : b;
      // 1e300 is Infinity once a float32: the typed case meets it one step earlier, as a non-finite number.
      if (over['f'] && (over['f'] as number[])[1] === 1e300)
        expect(b).toMatchObject({ ok: false, problem: { field: 'f.1' } });
      else expect(bRow, JSON.stringify(over)).toEqual(aRow);
    }
  });

  it('derives predictions from scores', () => {
    expect(predictedFromScores(Float32Array.of(0.1, 0.7, 0.2), 'multiclass')).toBe(1);
    expect(predictedFromScores(Float32Array.of(0.5), 'binary')).toBe(1);
    expect(predictedFromScores(Float32Array.of(0.6, 0.4, 0.9), 'multilabel')).toBe(0b101);
  });
});

describe('timestamps', () => {
  it('reads the canonical ISO form exactly and refuses impossible dates', async () => {
    const { parseTimestamp } = await import('../../domain/time');
    expect(parseTimestamp('2026-10-01T12:34:56.789Z', 'auto')).toBe(Date.parse('2026-10-01T12:34:56.789Z'));
    expect(parseTimestamp('2026-02-30T00:00:00.000Z', 'auto')).toBeNull();
    expect(parseTimestamp('2026-10-01 12:00', 'auto')).toBe(Date.UTC(2026, 9, 1, 12));
    expect(parseTimestamp(1_700_000_000, 'auto')).toBe(1_700_000_000_000);
    expect(parseTimestamp('1700000000123', 'auto')).toBe(1_700_000_000_123);
    expect(parseTimestamp('soon', 'auto')).toBeNull();
  });

  it('refuses times a JS Date cannot hold (exports format every time)', async () => {
    const { parseTimestamp } = await import('../../domain/time');
    expect(parseTimestamp(8.64e15, 'ms')).toBe(8.64e15);
    expect(parseTimestamp(1e16, 'ms')).toBeNull();
    expect(parseTimestamp(-1e16, 'auto')).toBeNull();
    expect(parseTimestamp(8.64e12, 's')).toBe(8.64e15);
    expect(parseTimestamp(8.7e12, 's')).toBeNull();
    expect(parseTimestamp('10000000000000000', 'auto')).toBeNull();
  });

  it('agrees with Date.parse on canonical times in and out of order, across days, years and leap days', async () => {
    const { parseTimestamp } = await import('../../domain/time');
    const next = mulberry32(7);
    const random = () => next() / 2 ** 32;
    const instants: number[] = [];
    // Runs of nearby times (the one-day cache hits), then jumps (it must not), then leap days.
    for (let run = 0; run < 200; run++) {
      const base = Math.floor(random() * 4e12) - 1e12;
      for (let i = 0; i < 20; i++) instants.push(base + Math.floor(random() * 3 * 86_400_000));
    }
    instants.push(
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29),
      Date.UTC(2025, 11, 31, 23, 59, 59, 999),
    );
    for (const t of instants) {
      const iso = new Date(t).toISOString();
      if (iso.length !== 24) continue;
      expect(parseTimestamp(iso, 'auto'), iso).toBe(Date.parse(iso));
    }
    expect(parseTimestamp('2024-02-29T10:00:00.000Z', 'auto')).toBe(Date.UTC(2024, 1, 29, 10));
    expect(parseTimestamp('2023-02-29T10:00:00.000Z', 'auto')).toBeNull(); // right after a valid one
    expect(parseTimestamp('2026-10-01T24:00:00.000Z', 'auto')).toBeNull();
    expect(parseTimestamp('2026-10-01T12:60:00.000Z', 'auto')).toBeNull();
  });

  it('keeps years 0 to 99 as written (Date.UTC would read 0050 as 1950)', async () => {
    const { parseTimestamp } = await import('../../domain/time');
    for (const iso of ['0050-03-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z']) {
      expect(parseTimestamp(iso, 'auto'), iso).toBe(Date.parse(iso));
    }
  });
});

describe('metadata JSON', () => {
  it('writes what JSON.stringify writes for an object of the fields, key order included', async () => {
    const { createMetadataWriter } = await import('./metadata-json');
    const fieldSets = [
      ['channel', 'user_id', 'lang'],
      ['b', '10', 'a', '2', '01', '-1', '4294967295', '4294967294', 'b'],
      ['__proto__', 'constructor', 'toString'],
      ['quote"d', 'new\nline', 'é', '\u2028'],
    ];
    const values: unknown[] = [undefined, null, 0, -1.5, 1e21, 'x', 'é"\\\n\u2028', [1, 'a', null], { k: [1] }, true];
    const next = mulberry32(3);
    const random = () => next() / 2 ** 32;
    for (const fields of fieldSets) {
      const write = createMetadataWriter(fields);
      for (let trial = 0; trial < 300; trial++) {
        // Null-prototype rows, as readers give when a column is named like __proto__.
        const raw: Record<string, unknown> = Object.create(null);
        for (const f of fields) raw[f] = values[Math.floor(random() * values.length)];
        // The object the validator used to build, per row, and stringify.
        const reference: Record<string, unknown> = Object.create(null);
        let any = false;
        for (const f of fields) {
          if (raw[f] !== undefined) {
            reference[f] = raw[f];
            any = true;
          }
        }
        expect(write(raw), JSON.stringify(raw)).toBe(any ? JSON.stringify(reference) : null);
      }
    }
  });
});

describe('quick shape check', () => {
  // Values that probe every rule of the zod shape: types, NaN and infinities, lengths, nulls.
  const odd: unknown[] = [
    undefined,
    null,
    '',
    'x',
    'x'.repeat(513),
    0,
    -1,
    1.5,
    2 ** 60,
    Number.NaN,
    Infinity,
    -Infinity,
    true,
    [],
    [0.2],
    [0.2, 0.3, 0.5],
    [0.2, 0.3, 0.5, 0.1],
    [0.2, Number.NaN, 0.5],
    [0.2, null, 0.5],
    ['a', 'b'],
    ['a', 1],
    {},
    { neg: 0.2, neu: 0.3, pos: 0.5 },
    { neg: 0.2, neu: '0.3', pos: 0.5 },
    { neg: Infinity },
    Object.assign(Object.create(null) as object, { neg: 0.5, pos: 0.5, neu: 0 }),
    new Map(),
    // eslint-disable-next-line no-sparse-arrays
    [, 'neg'],
    { neg: 0.2, neu: 0.3, pos: 0.5, [Symbol('x')]: Number.NaN },
  ];
  const mappings: [ReturnType<typeof mapping>, Record<string, unknown>][] = [
    [mapping(), {}],
    [
      mapping({ scores: { kind: 'object', field: 'scores' }, features: { kind: 'vector', field: 'f', dim: 3 } }),
      { scores: { neg: 0.2, neu: 0.3, pos: 0.5 } },
    ],
    [
      mapping({
        inputKind: 'tabular',
        text: undefined,
        scores: { kind: 'columns', columns: ['p_neg', 'p_neu', 'p_pos'] },
        features: { kind: 'fields', fields: ['f0', 'f1'] },
        model: { nameField: 'model', versionField: 'v' },
      }),
      {},
    ],
    [mapping({ inputKind: 'image', text: undefined, imagePath: 'img', taskType: 'multilabel' }), {}],
  ];
  const fields = [
    'id',
    'text',
    'img',
    'scores',
    'f',
    'f0',
    'f1',
    'p_neg',
    'p_neu',
    'p_pos',
    'pred',
    'label',
    'v',
    'model',
    'ts',
  ];

  it('never accepts a row the zod shape refuses, and accepts the usual good rows', () => {
    const next = mulberry32(11);
    const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
    const base = {
      ...row(),
      f: [1, 2, 3],
      f0: 1,
      f1: 2,
      p_neg: 0.2,
      p_neu: 0.3,
      p_pos: 0.5,
      model: 'm',
      img: 'a.png',
      label: 'neg',
    };
    for (const [m, over] of mappings) {
      const good = { ...base, ...over };
      const quick = buildQuickShapeCheck(m, DEFAULT_VALIDATOR_LIMITS);
      const zod = buildShapeSchema(m, DEFAULT_VALIDATOR_LIMITS);
      expect(zod.safeParse(good).success).toBe(true);
      expect(quick(good)).toBe(true);
      let accepted = 0;
      for (let i = 0; i < 20_000; i++) {
        const raw: Record<string, unknown> = { ...good };
        // One to three fields replaced by odd values.
        for (let j = 0; j <= next() % 3; j++) raw[pick(fields)] = pick(odd);
        if (quick(raw)) {
          accepted++;
          expect(zod.safeParse(raw).success, JSON.stringify(raw)).toBe(true);
        }
      }
      expect(accepted).toBeGreaterThan(100);
    }
  });
});
