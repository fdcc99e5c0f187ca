import { z } from 'zod';

export const ERROR_CODES = [
  'invalid-input',
  'unknown-method',
  'not-found',
  'conflict',
  'bad-file',
  'bad-mapping',
  'rejected-rows',
  'cancelled',
  'unauthorized',
  'forbidden',
  'unsupported',
  'internal',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ApiErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiErrorData = z.infer<typeof ApiErrorSchema>;

/** An expected failure: carried across every transport as data, never as a stack trace. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toData(): ApiErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromData(data: ApiErrorData): ApiError {
    return new ApiError(data.code, data.message, data.details);
  }
}

export const ResultEnvelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiErrorSchema }),
]);
export type ResultEnvelope = z.infer<typeof ResultEnvelopeSchema>;
