import type { ApiError } from '../../src/shared/api/errors';

/** The ApiError a call rejects with; fails the test when the call succeeds. */
export async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a failure');
}
