import type { FieldIssue } from '../contracts/task.ts';

/** Machine codes of the one error shape (`{ error: { code, message, requestId, issues? } }`). */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'not_found'
  | 'method_not_allowed'
  | 'not_implemented'
  | 'upgrade_required'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'request_timeout'
  | 'headers_too_large'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_implemented: 501,
  upgrade_required: 426,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  request_timeout: 408,
  headers_too_large: 431,
  unavailable: 503,
  internal: 500,
};

/** An error whose message is safe to show to the caller. Anything else becomes a generic 500. */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = statusOf[code];
  }
}

export const notFound = (what: string) => new HttpError('not_found', `${what} not found`);
export const forbidden = (message = 'not allowed') => new HttpError('forbidden', message);
export const conflict = (message: string) => new HttpError('conflict', message);
export const validationFailed = (issues: FieldIssue[]) =>
  new HttpError('validation_failed', 'the request is invalid', issues);

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; issues?: FieldIssue[] };
}
