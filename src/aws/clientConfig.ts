/**
 * Settings every SDK client of the controller shares. SDK retries are off: the Retrier owns
 * backoff, so it is the same on AWS and in the simulator. Timeouts are on: the SDK's default is to
 * wait forever, and one hung connection would otherwise spend the whole Lambda invocation instead
 * of failing fast as a TimeoutError (a transient fault the Retrier retries).
 */
export const CONNECT_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 15_000;

export function clientConfig(requestTimeoutMs: number = REQUEST_TIMEOUT_MS) {
  return {
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: requestTimeoutMs,
      // Without this the handler only logs a breach of requestTimeout and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}

/** Invoking reconcile waits for a whole run (its timeout is 60 s). */
export const INVOKE_TIMEOUT_MS = 90_000;
