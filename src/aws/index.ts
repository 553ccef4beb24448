import { SNSClient } from '@aws-sdk/client-sns';
import type { Clock } from '../clock';
import type { Notifier } from '../reconcile/ports';
import type { Retrier, RetryOptions } from '../retry';
import { AwsCloud } from './cloud';
import { SnsNotifier } from './sns';
import { clientConfig } from './clientConfig';

export { AwsCloud } from './cloud';

export function snsNotifier(topicArn: string, retry: Retrier): Notifier {
  return new SnsNotifier(new SNSClient(clientConfig()), topicArn, retry);
}

export function awsCloud(clock: Clock, retry: RetryOptions = {}): AwsCloud {
  return AwsCloud.fromEnvironment(clock, retry);
}
