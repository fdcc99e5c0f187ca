import type { ErrorCode } from '../../shared/api/errors';

/** Exit codes pipelines can rely on. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  badInput: 3,
  notFound: 4,
  conflict: 5,
  /** `eval --gate`: the challenger is worse than the champion; `drift --gate`: an alert. */
  gateFailed: 6,
  /** `eval --gate`: too few examples to decide (never a pass). */
  insufficient: 7,
  cancelled: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'invalid-input':
    case 'unknown-method':
      return EXIT.usage;
    case 'bad-file':
    case 'bad-mapping':
    case 'rejected-rows':
      return EXIT.badInput;
    case 'not-found':
      return EXIT.notFound;
    case 'conflict':
      return EXIT.conflict;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.failure;
  }
}
