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

/**
 * The functions' timeouts in seconds, as serverless.yml sets them (provider.timeout for reconcile,
 * functions.manual.timeout): test/cli/invokeTimeouts.test.ts fails when the two disagree.
 */
export const FUNCTION_TIMEOUT_S = { reconcile: 60, manual: 120 } as const;

/**
 * A synchronous invoke answers when the function returns or hits its own timeout; the client
 * must wait longer than that, or it gives up on a call that is still running and the caller
 * cannot know whether it ran. The margin covers the invoke's network round trip and Lambda's
 * cold start, which does not count towards the function's timeout.
 */
export const INVOKE_MARGIN_S = 30;

/** Invoking reconcile waits for a whole run. */
export const INVOKE_TIMEOUT_MS = (FUNCTION_TIMEOUT_S.reconcile + INVOKE_MARGIN_S) * 1000;

/** The CLI invoking `manual` (which may itself wait out ~30 s of throttles and a reconcile run). */
export const MANUAL_INVOKE_TIMEOUT_MS = (FUNCTION_TIMEOUT_S.manual + INVOKE_MARGIN_S) * 1000;
