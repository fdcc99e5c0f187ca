import { describe, expect, it } from 'vitest';
import { MiningRequestSchema } from '../../../shared/features/mining/contract';
import { miningRequest, parseMetadata, type MineOptions } from './mine-options';

const base: MineOptions = {
  strategy: 'entropy',
  threshold: 0.5,
  measure: 'label-flip',
  seed: 1,
  modelRuns: [],
  from: '',
  to: '',
  metadata: '',
  predictedClasses: [],
  limit: 100,
  quota: 0,
  sharePercent: 0,
  dedupe: true,
  excludeLabeled: true,
};

describe('the Mine form as a mining request', () => {
  it('carries every option the engine takes, and the request passes the contract', () => {
    const request = miningRequest(3, {
      ...base,
      strategy: 'disagreement',
      measure: 'jensen-shannon',
      modelRuns: [1, 2],
      from: '2026-01-01T00:00',
      to: '2026-02-01T00:00',
      metadata: 'region = eu\nvip = true\nage = 42',
      predictedClasses: ['neutral'],
      quota: 5,
      sharePercent: 10,
      dedupe: false,
    });
    expect(request).toMatchObject({
      strategy: { strategy: 'disagreement', measure: 'jensen-shannon' },
      modelRuns: [1, 2],
      filters: { metadata: { region: 'eu', vip: true, age: 42 }, predictedClasses: ['neutral'] },
      perClassQuota: 5,
      secondLabelShare: 0.1,
      dedupe: false,
    });
    expect(request.filters!.from).toBeLessThan(request.filters!.to!);
    expect(MiningRequestSchema.safeParse(request).success).toBe(true);
    expect(miningRequest(3, { ...base, strategy: 'threshold', threshold: 0.3 }).strategy).toEqual({
      strategy: 'threshold',
      threshold: 0.3,
    });
  });

  it('points at a metadata line without "="', () => {
    expect(parseMetadata('region').problem).toBe('“region” needs the form key = value');
    expect(parseMetadata(' \n').problem).toBeNull();
  });
});
