import type { HandlerGroup } from '../../core/handler';
import { startMineFile } from './mine-file';

export const mineFileHandlers: HandlerGroup<'mineFile.start'> = {
  'mineFile.start': (input, ctx) => startMineFile(ctx, input),
};
