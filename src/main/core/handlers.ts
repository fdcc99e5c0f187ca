import type { Method } from '../../shared/api/contract';
import { appHandlers } from '../features/app/handlers';
import { browseHandlers } from '../features/browse/handlers';
import { exportHandlers } from '../features/export/handlers';
import { importHandlers } from '../features/import/handlers';
import { evalSetsHandlers } from '../features/insights/eval-sets-handlers';
import { insightsHandlers } from '../features/insights/handlers';
import { learnEncodeHandlers } from '../features/learn/encode-handlers';
import { labelsHandlers } from '../features/labels/handlers';
import { mineFileHandlers } from '../features/mine-file/handlers';
import { learnHandlers } from '../features/learn/handlers';
import { miningHandlers } from '../features/mining/handlers';
import { modelsHandlers } from '../features/models/handlers';
import { predictionsHandlers } from '../features/predictions/handlers';
import { reviewHandlers } from '../features/review/handlers';
import { projectsHandlers } from '../features/projects/handlers';
import type { HandlerGroup } from './handler';

/** Every method of the contract has exactly one handler; the type fails to compile otherwise. */
export const handlers: HandlerGroup<Method> = {
  ...appHandlers,
  ...projectsHandlers,
  ...importHandlers,
  ...labelsHandlers,
  ...miningHandlers,
  ...mineFileHandlers,
  ...reviewHandlers,
  ...exportHandlers,
  ...insightsHandlers,
  ...evalSetsHandlers,
  ...modelsHandlers,
  ...browseHandlers,
  ...predictionsHandlers,
  ...learnEncodeHandlers,
  ...learnHandlers,
};
