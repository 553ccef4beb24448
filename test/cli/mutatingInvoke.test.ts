/**
 * A change sent to the deployed `manual` function is never sent twice blindly: only a throttle
 * (Lambda refused before running anything) is retried; a timeout, a dropped connection, a 5xx or
 * a function error leave the outcome unknown and are reported as such, after exactly one Invoke.
 * The old invoker retried every "transient" fault, a client timeout included, up to 8 times, and
 * its 90 s client timeout was shorter than the function's 120 s: a slow failover ran again.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_TIMEOUT_S, INVOKE_TIMEOUT_MS, MANUAL_INVOKE_TIMEOUT_MS } from '../../src/aws/clientConfig';
import { InvokeOutcomeUnknownError, invokeOutcomeOf, MUTATING_RETRY, mutatingInvoker } from '../../src/aws/lambda';
import { CloudApiError, ThrottledError } from '../../src/errors';
import { recordingClock, sdkError } from '../aws/fakes';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

const ok = { StatusCode: 200, Payload: Buffer.from(JSON.stringify({ ok: true, action: 'failover' })) as never };
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });

/** Every class of failure an Invoke can meet, with what it says about whether the function ran. */
const CLASSES = {
  throttled: () => sdkError('TooManyRequestsException', 429),
  clientTimeout: () => sdkError('TimeoutError', 0, 'Request did not complete within 150000 ms'),
  connectionReset: () => networkError('ECONNRESET'),
  brokenPipe: () => networkError('EPIPE'),
  serviceError: () => sdkError('ServiceException', 500),
  unavailable: () => sdkError('ServiceUnavailable', 503),
  noSuchHost: () => networkError('ENOTFOUND'),
  refused: () => networkError('ECONNREFUSED'),
  notFound: () => sdkError('ResourceNotFoundException', 404),
  denied: () => sdkError('AccessDeniedException', 403),
} as const;
type ErrorClass = keyof typeof CLASSES;
const EXPECTED: Record<ErrorClass, 'retried' | 'unknown' | 'definite'> = {
  throttled: 'retried',
  clientTimeout: 'unknown',
  connectionReset: 'unknown',
  brokenPipe: 'unknown',
  serviceError: 'unknown',
  unavailable: 'unknown',
  noSuchHost: 'definite',
  refused: 'definite',
  notFound: 'definite',
  denied: 'definite',
};

const invoker = () => mutatingInvoker('nat-failover-prod-manual', recordingClock(), new LambdaClient({ region: 'us-east-1' }), () => 0.5);
const invokes = () => lambda.commandCalls(InvokeCommand).length;

describe('mutating invoke of the manual function', () => {
  it.each(Object.keys(CLASSES) as ErrorClass[])('%s: the exact number of Invokes, and the outcome', async (k) => {
    lambda.on(InvokeCommand).rejects(CLASSES[k]());
    const outcome = await invoker()({ action: 'failover' }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    if (EXPECTED[k] === 'retried') {
      // Throttled every time: sent MUTATING_RETRY.maxAttempts times, then a definite "not run".
      expect(invokes()).toBe(MUTATING_RETRY.maxAttempts);
      expect(outcome).toBeInstanceOf(ThrottledError);
    } else {
      expect(invokes()).toBe(1);
      if (EXPECTED[k] === 'unknown') expect(outcome).toBeInstanceOf(InvokeOutcomeUnknownError);
      else expect(outcome).not.toBeInstanceOf(InvokeOutcomeUnknownError);
    }
  });

  it('a function error (the function ran and failed or timed out) is an unknown outcome after one Invoke', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 120.00 seconds' })) as never });
    await expect(invoker()({ action: 'failover' })).rejects.toThrow(/may or may not have run: .*Task timed out after 120\.00 seconds/);
    expect(invokes()).toBe(1);
  });

  it('throttled twice, then answered: three Invokes and the answer', async () => {
    lambda.on(InvokeCommand).rejectsOnce(CLASSES.throttled()).rejectsOnce(CLASSES.throttled()).resolves(ok);
    await expect(invoker()({ action: 'failover' })).resolves.toEqual({ ok: true, action: 'failover' });
    expect(invokes()).toBe(3);
  });

  it('for any sequence of failures: retried only while throttled, never after an unknown outcome', async () => {
    const names = Object.keys(CLASSES) as ErrorClass[];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 8 }), async (seq) => {
        lambda.reset();
        let i = 0;
        lambda.on(InvokeCommand).callsFake(async () => {
          const k = seq[i++];
          if (k === undefined) return ok;
          throw CLASSES[k]();
        });
        const result = await invoker()({ action: 'release' }).then(
          () => undefined,
          (e: unknown) => e,
        );
        // The first failure that is not a throttle ends it; so does running out of attempts.
        const firstOther = seq.findIndex((k) => k !== 'throttled');
        const expected = Math.min(MUTATING_RETRY.maxAttempts, firstOther === -1 ? seq.length + 1 : firstOther + 1);
        expect(invokes()).toBe(expected);
        if (firstOther !== -1 && firstOther < MUTATING_RETRY.maxAttempts && EXPECTED[seq[firstOther]!] === 'unknown') {
          expect(result).toBeInstanceOf(InvokeOutcomeUnknownError);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('classifies domain errors: throttled, not run, unknown', () => {
    expect(invokeOutcomeOf(new ThrottledError('Invoke'))).toBe('throttled');
    expect(invokeOutcomeOf(new CloudApiError('Invoke', 'ResourceNotFoundException', 'x'))).toBe('not-run');
    expect(invokeOutcomeOf(new CloudApiError('Invoke', 'FunctionError', 'x'))).toBe('unknown');
    expect(invokeOutcomeOf(new Error('anything unforeseen'))).toBe('unknown');
  });
});

describe('invoke timeouts agree with serverless.yml', () => {
  const yml = readFileSync(join(__dirname, '..', '..', 'serverless.yml'), 'utf8');

  it('the function timeouts the clients assume are the ones deployed', () => {
    const provider = /^provider:\n(?:[ ].*\n|\n)*?  timeout: (\d+)$/m.exec(yml);
    const manual = /^  manual:\n(?:    .*\n|\n)*?    timeout: (\d+)$/m.exec(yml);
    expect(Number(provider?.[1])).toBe(FUNCTION_TIMEOUT_S.reconcile);
    expect(Number(manual?.[1])).toBe(FUNCTION_TIMEOUT_S.manual);
  });

  it('each client waits longer than the function it invokes may run', () => {
    expect(MANUAL_INVOKE_TIMEOUT_MS).toBeGreaterThan(FUNCTION_TIMEOUT_S.manual * 1000);
    expect(INVOKE_TIMEOUT_MS).toBeGreaterThan(FUNCTION_TIMEOUT_S.reconcile * 1000);
  });
});
