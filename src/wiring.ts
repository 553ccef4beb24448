import { awsCloud, snsNotifier } from './aws';
import { cloudWatchAlarms } from './aws/alarms';
import { systemClock } from './clock';
import { type Config, loadConfig } from './config';
import type { ControllerDeps } from './controller';
import { ConfigError } from './errors';
import type { Notifier } from './ports';
import { PushedSignals } from './signals';
import { powertoolsRecorder } from './telemetry';

/**
 * Cold-start wiring for the Lambda functions. A bad configuration stops the cold start with one
 * line naming the variable (no stack trace: the message is the whole story).
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      const err = new ConfigError(e.variable, `${e.message.slice(e.variable.length + 2)} (fix the function's environment / serverless.yml params)`);
      err.stack = `${err.name}: ${err.message}`;
      console.error(`nat-failover configuration error: ${err.message}`);
      throw err;
    }
    throw e;
  }
}

/** A topic given by name lives in the function's own partition, region and account. */
export function topicArn(topic: string, invokedFunctionArn: string | undefined): string | undefined {
  if (topic.startsWith('arn:')) return topic;
  const m = /^arn:([^:]+):lambda:([^:]+):(\d{12}):/.exec(invokedFunctionArn ?? '');
  return m ? `arn:${m[1]}:sns:${m[2]}:${m[3]}:${topic}` : undefined;
}

/** Builds the production dependencies once per container; the notifier needs the function ARN. */
export function lambdaDeps(config: Config, env: NodeJS.ProcessEnv = process.env): (ctx?: { invokedFunctionArn?: string }) => ControllerDeps {
  const cloud = awsCloud(systemClock);
  const recorder = powertoolsRecorder();
  let deps: ControllerDeps | undefined;
  return (ctx) => {
    if (deps) return deps;
    let notifier: Notifier | undefined;
    // `serverless invoke local` sets IS_LOCAL: a topic given by name has no account to live in.
    const arn = config.notifyTopic && !(env.IS_LOCAL && !config.notifyTopic.startsWith('arn:'))
      ? topicArn(config.notifyTopic, ctx?.invokedFunctionArn)
      : undefined;
    if (arn) notifier = snsNotifier(arn, cloud.retry);
    const alarms = config.alarms === 'managed' ? cloudWatchAlarms(cloud.retry) : undefined;
    const signals = new PushedSignals({ cloud, alarms, recorder }, config);
    deps = { cloud, clock: systemClock, recorder, notifier, signals };
    return deps;
  };
}
