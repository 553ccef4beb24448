import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Clock } from '../clock';
import { CloudApiError, NatFailoverError, ThrottledError, unreachableCode } from '../errors';
import { toInternalPayload } from '../manual/internal';
import type { ReconcileRequest, ReconcileRunner } from '../manual/ports';
import type { RunSummary } from '../reconcile/report';
import { Retrier, type RetryOptions, type RetryPolicy } from '../retry';
import { call } from './errors';
import { clientConfig, INVOKE_TIMEOUT_MS, MANUAL_INVOKE_TIMEOUT_MS } from './clientConfig';

/**
 * Reconcile has reserved concurrency 1, so a synchronous invoke during a scheduled run is
 * throttled. A run takes seconds: backing off 0.5, 1, 2, 4, 8, 8, 8 s (full jitter) waits at most
 * ~31 s before giving up.
 */
export const BUSY_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 8_000 };

/** Reconcile stayed busy past the retry budget. */
export class ReconcileBusyError extends NatFailoverError {
  constructor(functionName: string, attempts: number, options?: { cause?: unknown }) {
    super(`${functionName} stayed busy (another run holds its single slot) through ${attempts} attempts over ~30 s, so it did not run for this request; try again`, options);
    this.name = 'ReconcileBusyError';
  }
}

/** Runs reconcile in Lambda, synchronously, with the manual payload. */
export class LambdaReconcileRunner implements ReconcileRunner {
  readonly mode = 'lambda' as const;
  private readonly retry: Retrier;

  constructor(
    private readonly client: LambdaClient,
    readonly functionName: string,
    clock: Clock,
    policy: RetryPolicy = BUSY_RETRY,
    random?: () => number,
    options: RetryOptions = {},
  ) {
    this.retry = new Retrier(clock, policy, random, options);
  }

  static fromEnvironment(functionName: string, clock: Clock, options: RetryOptions = {}): LambdaReconcileRunner {
    return new LambdaReconcileRunner(new LambdaClient(clientConfig(INVOKE_TIMEOUT_MS)), functionName, clock, BUSY_RETRY, undefined, options);
  }

  async run(request: ReconcileRequest): Promise<RunSummary> {
    try {
      return (await invokeJson(this.client, this.functionName, toInternalPayload(request), this.retry)) as RunSummary;
    } catch (e) {
      if (e instanceof ThrottledError) throw new ReconcileBusyError(this.functionName, this.retry.stats.calls, { cause: e });
      throw e;
    }
  }
}

/** Invokes a function synchronously with a JSON payload and returns its JSON answer. */
export async function invokeJson(client: LambdaClient, functionName: string, payload: unknown, retry: Retrier): Promise<unknown> {
  const res = await retry.run('Invoke', () =>
    call('Invoke', () => client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(payload)) }))),
  );
  const text = res.Payload ? Buffer.from(res.Payload).toString('utf8') : '';
  if (res.FunctionError) throw new CloudApiError('Invoke', 'FunctionError', `${functionName} failed: ${functionErrorText(text)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CloudApiError('Invoke', 'BadPayload', `${functionName} returned no JSON: ${text.slice(0, 200)}`);
  }
}

function functionErrorText(text: string): string {
  try {
    const body = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    return `${body.errorType ?? 'Error'}: ${body.errorMessage ?? text}`.slice(0, 1000);
  } catch {
    return text.slice(0, 1000);
  }
}

/**
 * What a failed synchronous invoke says about whether the function ran:
 * - `throttled`: Lambda refused before running it (429 TooManyRequestsException, "The request
 *   throughput limit was exceeded", Reason ConcurrentInvocationLimitExceeded,
 *   ReservedFunctionConcurrentInvocationLimitExceeded, …: Lambda API reference, Invoke, Errors):
 *   safe to send again.
 * - `not-run`: the request never reached Lambda (no such host, connection refused) or Lambda
 *   answered with a definite 4xx refusal (no such function, access denied, bad payload).
 * - `unknown`: it may have run, wholly or in part: the client timed out, the connection dropped
 *   after the request was sent, Lambda answered 5xx, or the function itself failed or timed out
 *   (a 200 with FunctionError, "Unhandled" or "Sandbox.Timedout").
 */
export type InvokeOutcome = 'throttled' | 'not-run' | 'unknown';

export function invokeOutcomeOf(e: unknown): InvokeOutcome {
  if (e instanceof ThrottledError) return 'throttled';
  if (unreachableCode(e) !== undefined) return 'not-run';
  if (e instanceof CloudApiError) return e.code === 'FunctionError' || e.code === 'BadPayload' ? 'unknown' : 'not-run';
  // TransientError (5xx, timeouts, resets) and anything unforeseen: the honest answer is "unknown".
  return 'unknown';
}

/** A mutating invoke whose outcome cannot be known from its answer: read the state to find out. */
export class InvokeOutcomeUnknownError extends NatFailoverError {
  constructor(
    readonly functionName: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${functionName} may or may not have run: ${detail}`, options);
    this.name = 'InvokeOutcomeUnknownError';
  }
}

/**
 * Throttles of the manual function (no reserved concurrency: the account's limit or a burst) clear
 * within seconds: 0.5, 1, 2, 4 s backoff (full jitter), five attempts.
 */
export const MUTATING_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 4_000 };

/**
 * Invokes a function whose request changes the world (failover, restore, release). The Invoke API
 * reference warns "When an error occurs, your function may be invoked multiple times", and a
 * client that gives up before the function's timeout and retries runs it twice (aws/aws-cli
 * issue 2657: the CLI's 60 s read timeout re-invoking long functions). So: never retried
 * blindly: only a throttle, which Lambda answers before running anything, is sent again. A
 * timeout, a dropped connection, a 5xx or a function error leave the outcome unknown and are
 * thrown as InvokeOutcomeUnknownError for the caller to read the state; sending the request
 * again could run a slow failover twice. The client waits MANUAL_INVOKE_TIMEOUT_MS, longer than
 * the function may run, so a slow but healthy call is not cut off.
 */
export function mutatingInvoker(
  functionName: string,
  clock: Clock,
  client: LambdaClient = new LambdaClient(clientConfig(MANUAL_INVOKE_TIMEOUT_MS)),
  random?: () => number,
): (request: unknown) => Promise<unknown> {
  return async (request) => {
    const retry = new Retrier(clock, MUTATING_RETRY, random, { retryable: (e) => invokeOutcomeOf(e) === 'throttled' });
    try {
      return await invokeJson(client, functionName, request, retry);
    } catch (e) {
      if (invokeOutcomeOf(e) !== 'unknown') throw e;
      throw new InvokeOutcomeUnknownError(functionName, e instanceof Error ? e.message : String(e), { cause: e });
    }
  };
}

/**
 * The reconcile function invoking itself asynchronously (InvocationType Event: Lambda queues the
 * event and answers 202 at once), to continue a run its deadline cut short.
 */
export function selfInvoker(functionName: string, retry: Retrier, client: LambdaClient = new LambdaClient(clientConfig())): (payload: unknown) => Promise<void> {
  return async (payload) => {
    await retry.run('Invoke', () =>
      call('Invoke', () => client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }))),
    );
  };
}
