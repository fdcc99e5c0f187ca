import type { z } from 'zod';
import { appContract } from '../features/app/contract';
import { browseContract } from '../features/browse/contract';
import { exportContract } from '../features/export/contract';
import { importContract } from '../features/import/contract';
import { evalSetsContract } from '../features/insights/eval-sets-contract';
import { insightsContract } from '../features/insights/contract';
import { slicesContract } from '../features/insights/slices-contract';
import { learnEncodeContract } from '../features/learn/encode-contract';
import { labelsContract } from '../features/labels/contract';
import { mineFileContract } from '../features/mine-file/contract';
import { learnContract } from '../features/learn/contract';
import { miningContract } from '../features/mining/contract';
import { modelsContract } from '../features/models/contract';
import { predictionsContract } from '../features/predictions/contract';
import { reviewContract } from '../features/review/contract';
import { projectsContract } from '../features/projects/contract';
import type { MethodSpec } from './method';

/** The one API: every transport (IPC, HTTP, CLI) calls these methods and nothing else. */
export const contract = {
  ...appContract,
  ...projectsContract,
  ...importContract,
  ...labelsContract,
  ...miningContract,
  ...mineFileContract,
  ...reviewContract,
  ...exportContract,
  ...insightsContract,
  ...evalSetsContract,
  ...slicesContract,
  ...modelsContract,
  ...browseContract,
  ...predictionsContract,
  ...learnEncodeContract,
  ...learnContract,
} satisfies Record<string, MethodSpec>;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type Input<M extends Method> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(contract, name);
}
