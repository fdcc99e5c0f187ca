import { ZodError } from 'zod';
import type { Method } from '../../shared/api/contract';
import { ApiError, type ResultEnvelope } from '../../shared/api/errors';
import type { Context } from './context';
import { loadMethod } from './method-loader';

function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) return new ApiError('invalid-input', describeZodError(error));
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError('internal', message);
}

/** The single entry point of every transport: validate input, run the handler, validate output. */
export async function dispatch(method: string, rawInput: unknown, ctx: Context): Promise<ResultEnvelope> {
  try {
    const found = await loadMethod(method);
    if (!found) throw new ApiError('unknown-method', `no API method named '${method.slice(0, 100)}'`);
    const { spec, handler } = found;
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) throw new ApiError('invalid-input', `${method}: ${describeZodError(parsed.error)}`);
    const result = await handler(parsed.data as never, ctx);
    const checked = spec.output.safeParse(result);
    if (!checked.success) {
      throw new ApiError('internal', `${method} produced an invalid result: ${describeZodError(checked.error)}`);
    }
    return { ok: true, result: checked.data };
  } catch (error) {
    return { ok: false, error: toApiError(error).toData() };
  }
}

/** In-process call for the CLI and tests: throws ApiError instead of returning an envelope. */
export async function call<M extends Method>(
  method: M,
  input: import('../../shared/api/contract').Input<M>,
  ctx: Context,
): Promise<import('../../shared/api/contract').Output<M>> {
  const envelope = await dispatch(method, input, ctx);
  if (!envelope.ok) throw ApiError.fromData(envelope.error);
  return envelope.result as import('../../shared/api/contract').Output<M>;
}
