import type { Output, ParsedInput } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { Context } from '../../core/context';

export function exportLearner(_ctx: Context, _input: ParsedInput<'learn.export'>): Output<'learn.export'> {
  throw new ApiError('internal', 'not yet');
}
