/**
 * Issue 16 item 2: the continuation self-invoke runs last, after the record, and must not sleep the
 * handler into Lambda's timeout (middy flushes the run's metrics only after the handler returns).
 * Its Retrier reads the invocation's deadline: a throttled invoke with less than FLUSH_RESERVE_MS
 * left is not retried.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { selfInvokeFor } from '../../src/lambda/wiring';
import { FLUSH_RESERVE_MS } from '../../src/reconcile/wrapUp';
import { sdkError } from './fakes';

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

it('a throttled self-invoke near the deadline gives up at once instead of backing off past it', async () => {
  lambda.on(InvokeCommand).rejects(sdkError('TooManyRequestsException', 429));
  const invoke = selfInvokeFor({ functionName: 'nat-failover-prod-reconcile', getRemainingTimeInMillis: () => FLUSH_RESERVE_MS - 100 });
  const started = Date.now();
  await expect(invoke!({ 'nat-failover': 'continuation', chain: 1 })).rejects.toThrow();
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  // No backoff was slept (the old Retrier had no deadline: up to 8 attempts, ~22 s of backoff).
  expect(Date.now() - started).toBeLessThan(2_000);
});

it('with time to spare it still retries a throttled invoke', async () => {
  lambda.on(InvokeCommand).rejectsOnce(sdkError('TooManyRequestsException', 429)).resolves({ StatusCode: 202 });
  const invoke = selfInvokeFor({ functionName: 'nat-failover-prod-reconcile', getRemainingTimeInMillis: () => 30_000 });
  await invoke!({ 'nat-failover': 'continuation', chain: 1 });
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
});
