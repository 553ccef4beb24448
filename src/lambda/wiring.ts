import { awsCloud, snsNotifier } from '../aws';
import { cloudWatchAlarms } from '../aws/alarms';
import { type Clock, systemClock } from '../clock';
import { type Config, loadConfig } from '../config';
import type { ControllerDeps } from '../reconcile/controller';
import { ConfigError } from '../errors';
import type { Notifier } from '../reconcile/ports';
import { PushedSignals } from '../events/signals';
import { powertoolsRecorder } from './telemetry';

/**
 * Cold-start wiring for the Lambda functions. A bad configuration stops the cold start with one
 * line naming the variable (no stack trace: the message is the whole story).
 *
 * Under `serverless invoke local` (the CLI sets IS_LOCAL) the module is loaded inside the CLI's
 * own process, which would print the thrown error twice more (its inspect and its own wrapper):
 * there the line is the whole output and the process exits 1 at once. Deployed, the throw fails
 * the cold start (Lambda reports it as an init error) as before.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, exit: (code: number) => never = process.exit): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      const err = new ConfigError(e.variable, `${e.message.slice(e.variable.length + 2)} (fix the function's environment / serverless.yml params)`);
      err.stack = `${err.name}: ${err.message}`;
      console.error(`nat-failover configuration error: ${err.message}`);
      if (env.IS_LOCAL === 'true') exit(1);
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

/** The parts of the Lambda context the wiring reads. */
export interface InvocationContext {
  readonly invokedFunctionArn?: string;
  readonly getRemainingTimeInMillis?: () => number;
}

/**
 * The current invocation's deadline, for the Retriers. The dependencies live as long as the
 * container, but each invocation has its own timeout, so the deadline is re-read from the latest
 * invocation's context at every backoff.
 */
export class InvocationDeadline {
  private remaining: (() => number) | undefined;

  constructor(private readonly clock: Clock = systemClock) {}

  /** Called at the start of every invocation. */
  enter(ctx: InvocationContext | undefined): void {
    this.remaining = ctx?.getRemainingTimeInMillis?.bind(ctx);
  }

  readonly at = (): number | undefined => (this.remaining ? this.clock.now().getTime() + this.remaining() : undefined);
}

/** Builds the production dependencies once per container; the notifier needs the function ARN. */
export function lambdaDeps(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  deadline: InvocationDeadline = new InvocationDeadline(),
): (ctx?: InvocationContext) => ControllerDeps {
  const cloud = awsCloud(systemClock, { deadline: deadline.at });
  const recorder = powertoolsRecorder();
  let deps: ControllerDeps | undefined;
  return (ctx) => {
    deadline.enter(ctx);
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
