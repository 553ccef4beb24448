import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LambdaReconcileRunner, ReconcileBusyError } from '../../src/aws/lambda';
import type { Clock } from '../../src/clock';
import { CloudApiError } from '../../src/errors';

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

const throttle = () => Object.assign(new Error('Rate Exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
const summary = { at: '2026-11-23T12:00:00.000Z', trigger: 'manual:failover', dryRun: false, metricsJudged: null, tables: [], changes: [], findings: [] };
const ok = () => ({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(summary)) as never });

function sleepy(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => new Date(0), sleep: async (ms) => void slept.push(ms) };
}

describe('LambdaReconcileRunner', () => {
  it('invokes reconcile synchronously with the manual payload', async () => {
    lambda.on(InvokeCommand).resolves(ok());
    const runner = new LambdaReconcileRunner(new LambdaClient({}), 'nat-failover-prod-reconcile', sleepy());
    await expect(runner.run({ action: 'restore', by: 'alice', dryRun: false, overrides: { restoreNow: [{ az: 'us-east-1a', force: false, reason: 'r', by: 'alice' }] } })).resolves.toEqual(summary);
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.FunctionName).toBe('nat-failover-prod-reconcile');
    expect(input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString())).toStrictEqual({
      'nat-failover': 'manual',
      action: 'restore',
      by: 'alice',
      dryRun: false,
      overrides: { restoreNow: [{ az: 'us-east-1a', force: false, reason: 'r', by: 'alice' }] },
    });
  });

  it('retries a throttled invoke (a scheduled run holds the single slot) with backoff, then succeeds', async () => {
    lambda.on(InvokeCommand).rejectsOnce(throttle()).rejectsOnce(throttle()).resolves(ok());
    const clock = sleepy();
    const runner = new LambdaReconcileRunner(new LambdaClient({}), 'f', clock, undefined, () => 1);
    await expect(runner.run({ action: 'failover', by: 'm', dryRun: false })).resolves.toEqual(summary);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(3);
    expect(clock.slept).toEqual([500, 1000]);
  });

  it('gives up after about 30 s of throttling with a clear busy error', async () => {
    lambda.on(InvokeCommand).rejects(throttle());
    const clock = sleepy();
    const runner = new LambdaReconcileRunner(new LambdaClient({}), 'nat-failover-prod-reconcile', clock, undefined, () => 1);
    const err = await runner.run({ action: 'failover', by: 'm', dryRun: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReconcileBusyError);
    expect((err as Error).message).toMatch(/nat-failover-prod-reconcile stayed busy .* 8 attempts over ~30 s/);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(8);
    const waited = clock.slept.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(25_000);
    expect(waited).toBeLessThanOrEqual(32_000);
  });

  it('turns a function error into a CloudApiError carrying the error type and message, not a stack', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from(JSON.stringify({ errorType: 'CloudApiError', errorMessage: 'ReplaceRoute failed: UnauthorizedOperation', trace: ['at x (y.js:1:1)'] })) as never,
    });
    const err = await new LambdaReconcileRunner(new LambdaClient({}), 'f', sleepy()).run({ action: 'release', by: 'm', dryRun: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    expect((err as Error).message).toBe('Invoke failed: FunctionError: f failed: CloudApiError: ReplaceRoute failed: UnauthorizedOperation');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });
});
