/**
 * The SNS notifier (issue 16 item 2): a run gives its notification up when the invocation's
 * deadline is near (src/reconcile/wrapUp.ts) and aborts it; an aborted publish must not go on
 * retrying, and the request in flight carries the signal so the SDK cancels it, rather than
 * resume and publish late in the next invocation (an async handler's leftovers do).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsNotifier } from '../../src/aws/sns';
import { Retrier } from '../../src/retry';
import { retrier, sdkError } from './fakes';

const client = new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const sns = mockClient(client);
afterEach(() => sns.reset());

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:nat-failover';
const note = { subject: 'nat-failover: 2 route tables failed over', message: 'rtb-1, rtb-2' };

describe('SnsNotifier', () => {
  it('publishes the subject and message to the topic, with the run\'s abort signal on the request', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const { retry } = retrier();
    const stop = new AbortController();
    await new SnsNotifier(client, TOPIC, retry).notify(note, stop.signal);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([{ TopicArn: TOPIC, Subject: note.subject, Message: note.message }]);
    expect(((calls[0]?.args as unknown[] | undefined)?.[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal).toBe(stop.signal);
  });

  it('sends nothing once given up, and does not retry the abort', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const { retry } = retrier();
    const stop = new AbortController();
    stop.abort();
    await expect(new SnsNotifier(client, TOPIC, retry).notify(note, stop.signal)).rejects.toThrow();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(retry.stats.calls).toBe(1);
  });

  it('a throttled publish given up during its backoff makes no further attempt', async () => {
    sns.on(PublishCommand).rejects(sdkError('Throttling', 400));
    const stop = new AbortController();
    // The run gives the notification up while the Retrier sleeps its backoff.
    const clock = { now: () => new Date('2026-11-23T12:00:00Z'), sleep: async () => stop.abort() };
    const retry = new Retrier(clock, { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 10_000 }, () => 0.5);
    await expect(new SnsNotifier(client, TOPIC, retry).notify(note, stop.signal)).rejects.toThrow();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });
});
