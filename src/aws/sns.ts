import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../reconcile/ports';
import type { Retrier } from '../retry';
import { call } from './errors';

/** SNS subjects must be ASCII, start with a letter/number/punctuation, and be under 100 chars. */
export const toSubject = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 99);

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly retry: Retrier,
  ) {}

  async notify(n: Notification, signal?: AbortSignal): Promise<void> {
    // Given up (the run's deadline is near): no new attempt, and the one in flight is aborted, so
    // it cannot resume and publish late in the next invocation (a handler's unfinished work
    // resumes when Lambda reuses the execution environment, Lambda developer guide). An abort
    // is a final error (not retried), which the run has already stopped waiting for.
    await this.retry.run('Publish', () =>
      call('Publish', async () => {
        signal?.throwIfAborted();
        return this.client.send(
          new PublishCommand({ TopicArn: this.topicArn, Subject: toSubject(n.subject), Message: n.message.slice(0, 250_000) }),
          signal ? { abortSignal: signal } : {},
        );
      }),
    );
  }
}
