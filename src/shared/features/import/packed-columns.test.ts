import { describe, expect, it } from 'vitest';
import { ImportMappingSchema } from './mapping';
import { packColumns, PACKED_FEATURES, PACKED_SCORES } from './packed-columns';
import { createRowValidator } from './row-validator';

const mapping = ImportMappingSchema.parse({
  id: 'id',
  inputKind: 'tabular',
  features: { kind: 'fields', fields: ['f0', 'f1', 'f2'] },
  taskType: 'multiclass',
  classes: ['a', 'b', 'c'],
  scores: { kind: 'columns', columns: ['p_a', 'p_b', 'p_c'] },
  model: { name: 'm', version: '1' },
});

describe('packed columns', () => {
  it('validates per-column features and scores as arrays and names the source column on error', () => {
    const packed = packColumns(mapping);
    const validate = createRowValidator(packed.mapping, ['a', 'b', 'c']);
    const good = validate({ id: 'r1', [PACKED_FEATURES]: [1, 2, 3], [PACKED_SCORES]: [0.2, 0.3, 0.5] });
    expect(good.ok && Array.from(good.row.features!)).toEqual([1, 2, 3]);
    const bad = validate({ id: 'r2', [PACKED_FEATURES]: [1, NaN, 3], [PACKED_SCORES]: [0.2, 0.3, 0.5] });
    expect(!bad.ok && packed.sourceField(bad.problem.field)).toBe('f1');
    const missing = validate({ id: 'r3', [PACKED_FEATURES]: [1, 2, 3], [PACKED_SCORES]: [0.2, undefined, 0.5] });
    expect(!missing.ok && packed.sourceField(missing.problem.field)).toBe('p_b');
    const sum = validate({ id: 'r4', [PACKED_FEATURES]: [1, 2, 3], [PACKED_SCORES]: [0.2, 0.2, 0.2] });
    expect(!sum.ok && packed.sourceField(sum.problem.field)).toBe('p_a,p_b,p_c');
  });

  it('leaves vector fields and single score columns alone', () => {
    const single = ImportMappingSchema.parse({
      ...mapping,
      taskType: 'binary',
      classes: ['a', 'b'],
      scores: { kind: 'columns', columns: ['p'] },
    });
    expect(packColumns(single).scoreColumns).toBeNull();
    expect(packColumns(single).sourceField('p')).toBe('p');
  });
});
