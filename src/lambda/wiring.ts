import { type AwsCloud, awsCloud, snsNotifier } from '../aws';
import { cloudWatchAlarms } from '../aws/alarms';
import { type Clock, systemClock } from '../clock';
import { type Config, loadConfig } from '../config';
import type { ControllerDeps } from '../reconcile/controller';
import { ConfigError } from '../errors';
import type { Notifier, Recorder } from '../reconcile/ports';
import type { RetryOptions } from '../retry';
import { PushedSignals } from '../events/signals';
import { powertoolsRecorder } from './telemetry';
import { WritePacers } from '../pacer';
import { selfInvoker } from '../aws/lambda';
import { DEFAULT_RETRY, Retrier } from '../retry';
import { FLUSH_RESERVE_MS } from '../reconcile/wrapUp';
import { TableMemory } from '../reconcile/tableMemory';

/**
 * Cold-start wiring for the Lambda functions. A bad configuration stops the cold start with one
 * line naming the variable (no stack trace: the message is the whole story).
 *
 * Under `serverless invoke local` (the CLI sets IS_LOCAL) the module is loaded inside the CLI's
 * own process, which would print the thrown error twice more (its inspect and its own wrapper):
 * there the line is the whole output and the process exits 1 at once. Deployed, the throw fails
 * the cold start (Lambda reports it as an init error) as before.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, exit: (code: number) => never = (code) => process.exit(code)): Config {
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
  readonly functionName?: string;
  readonly getRemainingTimeInMillis?: () => number;
}

/** The invocation's deadline (epoch ms) from its context; undefined outside Lambda. */
export function deadlineOf(ctx: InvocationContext | undefined, clock: Clock = systemClock): () => number | undefined {
  const remaining = ctx?.getRemainingTimeInMillis?.bind(ctx);
  return () => (remaining ? clock.now().getTime() + remaining() : undefined);
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

/**
 * The ONE place every front door builds its controller dependencies: the reconcile function, the
 * manual function, `serverless invoke local` (the same handlers) and the CLI (status, plan and
 * --direct). Each used to assemble its own, and the CLI's lacked the pushed signals: with an ARC
 * evacuation of AZ c open, `failover --az b --direct` pinned b's table to c's gateway. Whatever
 * reads the world for a decision reads the same signals (evacuation memory, managed alarm states).
 */
export function controllerDeps(
  config: Config,
  parts: {
    readonly cloud: AwsCloud;
    readonly recorder: Recorder;
    readonly notifier?: Notifier;
    readonly clock?: Clock;
    readonly deadline?: () => number | undefined;
    readonly tables?: TableMemory;
  },
): ControllerDeps {
  const { cloud, recorder } = parts;
  const alarms = config.alarms === 'managed' ? cloudWatchAlarms(cloud.retry) : undefined;
  const signals = new PushedSignals({ cloud, alarms, recorder }, config);
  const pacer = cloud.retry.pacer;
  return {
    cloud,
    clock: parts.clock ?? systemClock,
    recorder,
    signals,
    ...(parts.notifier ? { notifier: parts.notifier } : {}),
    ...(parts.deadline ? { deadline: parts.deadline } : {}),
    ...(pacer ? { pacer } : {}),
    ...(parts.tables ? { tables: parts.tables } : {}),
  };
}

/**
 * The pacer every EC2 write of a container goes through: one per container, so its bucket
 * outlives an invocation as EC2's does (a continuation does not start with a fresh burst that
 * EC2 would not grant).
 */
export const writePacer = (config: Pick<Config, 'ec2WriteBurst' | 'ec2WriteRate'>, clock: Clock = systemClock): WritePacers =>
  new WritePacers(clock, { burst: config.ec2WriteBurst, perSecond: config.ec2WriteRate });

/**
 * The function's own name or ARN, for the continuation's asynchronous self-invoke. Its Retrier
 * reads the invocation's deadline like every other call's: a throttled invoke backs off only
 * while the backoff ends FLUSH_RESERVE_MS before the deadline (it runs last, after the record),
 * never sleeping the handler into Lambda's timeout.
 */
export function selfInvokeFor(
  ctx: InvocationContext | undefined,
  retry: Retrier = new Retrier(systemClock, DEFAULT_RETRY, Math.random, { deadline: deadlineOf(ctx), marginMs: FLUSH_RESERVE_MS }),
): ((payload: unknown) => Promise<void>) | undefined {
  const self = ctx?.invokedFunctionArn ?? ctx?.functionName;
  return self ? selfInvoker(self, retry) : undefined;
}

/**
 * The SNS notifier, if the topic can be named: an ARN always; a bare name only inside Lambda, whose
 * function ARN gives the account. `serverless invoke local` (IS_LOCAL) and the CLI have no account.
 */
export function notifierFor(config: Config, cloud: AwsCloud, invokedFunctionArn: string | undefined, env: NodeJS.ProcessEnv): Notifier | undefined {
  const topic = config.notifyTopic;
  if (!topic) return undefined;
  const arn = topic.startsWith('arn:') ? topic : env.IS_LOCAL ? undefined : topicArn(topic, invokedFunctionArn);
  return arn ? snsNotifier(arn, cloud.retry) : undefined;
}

/** The CLI's dependencies (status, plan, --direct): the operator's credentials, no Lambda context. */
export function cliDeps(config: Config, env: NodeJS.ProcessEnv, recorder: Recorder, retry: RetryOptions = {}): ControllerDeps {
  const cloud = awsCloud(systemClock, { ...retry, pacer: writePacer(config) });
  return controllerDeps(config, { cloud, recorder, notifier: notifierFor(config, cloud, undefined, { ...env, IS_LOCAL: 'true' }) });
}

/** Builds the production dependencies once per container; the notifier needs the function ARN. */
export function lambdaDeps(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  deadline: InvocationDeadline = new InvocationDeadline(),
): (ctx?: InvocationContext) => ControllerDeps {
  const cloud = awsCloud(systemClock, { deadline: deadline.at, pacer: writePacer(config) });
  const recorder = powertoolsRecorder();
  // Lives as long as the container, like the subnet cache: quiet scheduled runs read a slice.
  const tables = new TableMemory();
  let deps: ControllerDeps | undefined;
  return (ctx) => {
    deadline.enter(ctx);
    deps ??= controllerDeps(config, { cloud, recorder, notifier: notifierFor(config, cloud, ctx?.invokedFunctionArn, env), deadline: deadline.at, tables });
    return deps;
  };
}
