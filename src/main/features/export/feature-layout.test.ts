import { describe, expect, it } from 'vitest';
import { isFeatureVector } from './feature-layout';

describe('isFeatureVector', () => {
  it('knows a vector by its generated names, and named fields by anything else', () => {
    expect(isFeatureVector(['emb[0]', 'emb[1]', 'emb[2]'])).toBe(true);
    expect(isFeatureVector(['features[0]'])).toBe(true);
    expect(isFeatureVector(['f0', 'f1'])).toBe(false);
    expect(isFeatureVector(['emb[0]', 'emb[2]'])).toBe(false);
    expect(isFeatureVector(['a[0]', 'b[1]'])).toBe(false);
    expect(isFeatureVector(['[0]'])).toBe(false);
    expect(isFeatureVector([])).toBe(false);
  });
});
