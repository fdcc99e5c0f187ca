import type { Method } from '../../shared/api/contract';
import type { MethodSpec } from '../../shared/api/method';
import type { Handler } from './handler';

interface Feature {
  contract: Record<string, MethodSpec>;
  handlers: Record<string, Handler<Method>>;
}

/**
 * Each feature's contract and handlers, loaded on the first call of one of its methods: a CLI
 * command that records a label starts without building every schema and handler of the app.
 * (handlers.ts still lists them all, so a missing handler fails to compile; dispatch.test.ts checks
 * that this table reaches every method.)
 */
const FEATURES: Record<string, () => Promise<Feature>> = {
  app: async () => ({
    contract: (await import('../../shared/features/app/contract')).appContract,
    handlers: (await import('../features/app/handlers')).appHandlers as Feature['handlers'],
  }),
  projects: async () => ({
    contract: (await import('../../shared/features/projects/contract')).projectsContract,
    handlers: (await import('../features/projects/handlers')).projectsHandlers as Feature['handlers'],
  }),
  import: async () => ({
    contract: (await import('../../shared/features/import/contract')).importContract,
    handlers: (await import('../features/import/handlers')).importHandlers as Feature['handlers'],
  }),
  labels: async () => ({
    contract: (await import('../../shared/features/labels/contract')).labelsContract,
    handlers: (await import('../features/labels/handlers')).labelsHandlers as Feature['handlers'],
  }),
  mining: async () => ({
    contract: (await import('../../shared/features/mining/contract')).miningContract,
    handlers: (await import('../features/mining/handlers')).miningHandlers as Feature['handlers'],
  }),
  review: async () => ({
    contract: (await import('../../shared/features/review/contract')).reviewContract,
    handlers: (await import('../features/review/handlers')).reviewHandlers as Feature['handlers'],
  }),
  browse: async () => ({
    contract: (await import('../../shared/features/browse/contract')).browseContract,
    handlers: (await import('../features/browse/handlers')).browseHandlers as Feature['handlers'],
  }),
  export: async () => ({
    contract: (await import('../../shared/features/export/contract')).exportContract,
    handlers: (await import('../features/export/handlers')).exportHandlers as Feature['handlers'],
  }),
  insights: async () => ({
    contract: {
      ...(await import('../../shared/features/insights/contract')).insightsContract,
      ...(await import('../../shared/features/insights/slices-contract')).slicesContract,
    },
    handlers: (await import('../features/insights/handlers')).insightsHandlers as Feature['handlers'],
  }),
  evalSets: async () => ({
    contract: (await import('../../shared/features/insights/eval-sets-contract')).evalSetsContract,
    handlers: (await import('../features/insights/eval-sets-handlers')).evalSetsHandlers as Feature['handlers'],
  }),
  mineFile: async () => ({
    contract: (await import('../../shared/features/mine-file/contract')).mineFileContract,
    handlers: (await import('../features/mine-file/handlers')).mineFileHandlers as Feature['handlers'],
  }),
  models: async () => ({
    contract: (await import('../../shared/features/models/contract')).modelsContract,
    handlers: (await import('../features/models/handlers')).modelsHandlers as Feature['handlers'],
  }),
  predictions: async () => ({
    contract: (await import('../../shared/features/predictions/contract')).predictionsContract,
    handlers: (await import('../features/predictions/handlers')).predictionsHandlers as Feature['handlers'],
  }),
  learn: async () => ({
    contract: (await import('../../shared/features/learn/contract')).learnContract,
    handlers: (await import('../features/learn/handlers')).learnHandlers as Feature['handlers'],
  }),
  learnEncode: async () => ({
    contract: (await import('../../shared/features/learn/encode-contract')).learnEncodeContract,
    handlers: (await import('../features/learn/encode-handlers')).learnEncodeHandlers as Feature['handlers'],
  }),
};

/** The features that may own a method, by the name's first part (tried in order). */
export const FEATURES_OF_PREFIX: Record<string, string[]> = {
  app: ['app'],
  jobs: ['app'],
  projects: ['projects'],
  import: ['import'],
  labels: ['labels'],
  mining: ['mining'],
  mineFile: ['mineFile'],
  queue: ['review'],
  examples: ['review', 'browse'],
  export: ['export'],
  insights: ['insights'],
  evalSets: ['evalSets'],
  models: ['models', 'evalSets'],
  predictions: ['predictions'],
  learn: ['learn', 'learnEncode'],
};

const loaded = new Map<string, Promise<Feature>>();

/** A method's schema and handler, loading its feature once; null for a name no feature has. */
export async function loadMethod(name: string): Promise<{ spec: MethodSpec; handler: Handler<Method> } | null> {
  const prefix = name.slice(0, Math.max(0, name.indexOf('.')));
  const features = Object.prototype.hasOwnProperty.call(FEATURES_OF_PREFIX, prefix) ? FEATURES_OF_PREFIX[prefix]! : [];
  for (const feature of features) {
    let pending = loaded.get(feature);
    if (!pending) {
      pending = FEATURES[feature]!();
      loaded.set(feature, pending);
    }
    const { contract, handlers } = await pending;
    if (Object.prototype.hasOwnProperty.call(contract, name))
      return { spec: contract[name]!, handler: handlers[name]! };
  }
  return null;
}
