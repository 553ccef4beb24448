import { CloudWatchAdapter } from '../aws/cloudwatch';
import { EndpointsAdapter } from '../aws/endpoints';
import { LambdaReconcileRunner } from '../aws/lambda';
import { systemClock } from '../clock';
import type { Config } from '../config';
import type { ControllerDeps } from '../reconcile/controller';
import { ConfigError } from '../errors';
import { Retrier, type RetryOptions } from '../retry';
import { inProcessRunner, type ManualDeps } from '../manual/actions';
import type { ReconcileRunner } from '../manual/ports';

export const RECONCILE_FUNCTION_ENV = 'RECONCILE_FUNCTION_NAME';

/**
 * The one writer for this environment: the reconcile function, or (under `serverless invoke
 * local`, which sets IS_LOCAL, and the CLI's --direct) reconcile() in this very process.
 */
export function runnerFor(base: ControllerDeps, config: Config, env: NodeJS.ProcessEnv, direct = false, retry: RetryOptions = {}): ReconcileRunner {
  if (direct || env.IS_LOCAL) return inProcessRunner(base, config);
  const name = env[RECONCILE_FUNCTION_ENV]?.trim();
  if (!name) throw new ConfigError(RECONCILE_FUNCTION_ENV, 'is not set: the manual function needs the reconcile function to invoke');
  return LambdaReconcileRunner.fromEnvironment(name, systemClock, retry);
}

/** `retry` carries the Lambda invocation's deadline to the function's own retriers (none for the CLI). */
export function manualDeps(base: ControllerDeps, config: Config, env: NodeJS.ProcessEnv, direct = false, retry: RetryOptions = {}): ManualDeps {
  const reads = new Retrier(base.clock, undefined, undefined, retry);
  return {
    ...base,
    endpoints: EndpointsAdapter.fromEnvironment(reads),
    portAllocation: CloudWatchAdapter.fromEnvironment(reads),
    runner: runnerFor(base, config, env, direct, retry),
  };
}
