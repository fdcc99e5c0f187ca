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
  export: async () => ({
    contract: (await import('../../shared/features/export/contract')).exportContract,
    handlers: (await import('../features/export/handlers')).exportHandlers as Feature['handlers'],
  }),
  insights: async () => ({
    contract: (await import('../../shared/features/insights/contract')).insightsContract,
    handlers: (await import('../features/insights/handlers')).insightsHandlers as Feature['handlers'],
  }),
  models: async () => ({
    contract: (await import('../../shared/features/models/contract')).modelsContract,
    handlers: (await import('../features/models/handlers')).modelsHandlers as Feature['handlers'],
  }),
};

/** The feature that owns each method name's first part. */
export const FEATURE_OF_PREFIX: Record<string, string> = {
  app: 'app',
  jobs: 'app',
  projects: 'projects',
  import: 'import',
  labels: 'labels',
  mining: 'mining',
  queue: 'review',
  examples: 'review',
  export: 'export',
  insights: 'insights',
  models: 'models',
};

const loaded = new Map<string, Promise<Feature>>();

/** A method's schema and handler, loading its feature once; null for a name no feature has. */
export async function loadMethod(name: string): Promise<{ spec: MethodSpec; handler: Handler<Method> } | null> {
  const prefix = name.slice(0, Math.max(0, name.indexOf('.')));
  const feature = Object.prototype.hasOwnProperty.call(FEATURE_OF_PREFIX, prefix)
    ? FEATURE_OF_PREFIX[prefix]
    : undefined;
  const load = feature === undefined ? undefined : FEATURES[feature];
  if (!load) return null;
  let pending = loaded.get(feature!);
  if (!pending) {
    pending = load();
    loaded.set(feature!, pending);
  }
  const { contract, handlers } = await pending;
  if (!Object.prototype.hasOwnProperty.call(contract, name)) return null;
  return { spec: contract[name]!, handler: handlers[name]! };
}
