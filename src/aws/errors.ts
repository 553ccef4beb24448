import { CloudApiError, ThrottledError, TransientError } from '../errors';

const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const TRANSIENT = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Translates an SDK failure into the controller's three kinds: throttled, transient, final. */
export function toDomainError(operation: string, e: unknown): Error {
  const err = (e ?? {}) as SdkLikeError;
  const code = err.name ?? 'Error';
  const message = err.message ?? String(e);
  if (THROTTLING.has(code)) return new ThrottledError(operation, { cause: e });
  const status = err.$metadata?.httpStatusCode;
  if (TRANSIENT.has(code) || (status !== undefined && status >= 500) || (err.code && NETWORK.has(err.code))) {
    return new TransientError(operation, `${code}: ${message}`, { cause: e });
  }
  return new CloudApiError(operation, code, message, { cause: e });
}

/** Calls the SDK and rethrows its failure as a domain error. */
export async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toDomainError(operation, e);
  }
}
