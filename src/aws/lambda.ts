import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Clock } from '../clock';
import { CloudApiError, NatFailoverError, ThrottledError } from '../errors';
import { toInternalPayload } from '../manual/internal';
import type { ReconcileRequest, ReconcileRunner } from '../manual/ports';
import type { RunSummary } from '../reconcile/report';
import { Retrier, type RetryOptions, type RetryPolicy } from '../retry';
import { call } from './errors';
import { clientConfig, INVOKE_TIMEOUT_MS } from './clientConfig';

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

/** The operator's CLI calling the deployed `manual` function. */
export function manualFunctionInvoker(functionName: string, clock: Clock): (request: unknown) => Promise<unknown> {
  const client = new LambdaClient(clientConfig(INVOKE_TIMEOUT_MS));
  const retry = new Retrier(clock);
  return (request) => invokeJson(client, functionName, request, retry);
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
