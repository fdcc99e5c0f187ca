import { ApiError } from '../../../shared/api/errors';

/** What an export failure tells the user; a full disk is named as such. */
export function describeWriteError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC' || err?.code === 'EFBIG' || err?.code === 'EDQUOT')
    return `the disk is full (${err.code}) while writing the export: nothing was replaced`;
  return e instanceof ApiError ? e.message : (err?.message ?? String(e));
}
