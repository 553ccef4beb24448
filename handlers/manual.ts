import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { handleManual } from '../src/manual/actions';
import { manualDeps } from '../src/lambda/manualWiring';
import { logger } from '../src/lambda/telemetry';
import { configFromEnv, InvocationDeadline, lambdaDeps } from '../src/lambda/wiring';

const config = configFromEnv();
// One deadline for every Retrier of this function (EC2/CloudWatch reads, endpoints, invoking reconcile).
const deadline = new InvocationDeadline();
const depsFor = lambdaDeps(config, process.env, deadline);
let deps: ReturnType<typeof manualDeps> | undefined;

/**
 * Operator actions: status, plan, failover, restore, release. Route changes go through the
 * reconcile function (the one writer); this function only reads and records pins.
 */
export const handler = middy(async (event: unknown, context: Context) => {
  // depsFor runs on every invocation: it moves the deadline to this invocation's.
  const base = depsFor(context);
  deps ??= manualDeps(base, config, process.env, false, { deadline: deadline.at });
  return handleManual(deps, config, event);
}).use(injectLambdaContext(logger));
