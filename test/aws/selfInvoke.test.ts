import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { selfInvoker } from '../../src/aws/lambda';
import { selfInvokeFor } from '../../src/lambda/wiring';
import { retrier, sdkError } from './fakes';

const client = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const lambda = mockClient(client);
afterEach(() => lambda.reset());

describe('the continuation self-invoke', () => {
  it('invokes the function asynchronously (InvocationType Event) with the continuation payload', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { retry } = retrier();
    await selfInvoker('arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-reconcile', retry, client)({ 'nat-failover': 'continuation', chain: 3 });
    const calls = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-reconcile', InvocationType: 'Event' });
    expect(JSON.parse(Buffer.from(calls[0]!.Payload as Uint8Array).toString('utf8'))).toEqual({ 'nat-failover': 'continuation', chain: 3 });
  });

  it('retries a throttled invoke with the Retrier\'s backoff', async () => {
    lambda.on(InvokeCommand).rejectsOnce(sdkError('TooManyRequestsException', 429)).resolves({ StatusCode: 202 });
    const { retry, clock } = retrier(undefined, () => 0.5);
    await selfInvoker('f', retry, client)({});
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
    expect(clock.sleeps).toEqual([100]);
  });

  it('names the function from the Lambda context, and has nothing to invoke without one', () => {
    expect(selfInvokeFor(undefined)).toBeUndefined();
    expect(selfInvokeFor({ functionName: 'nat-failover-prod-reconcile' })).toBeInstanceOf(Function);
  });
});
