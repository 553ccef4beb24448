import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { handleManual } from '../src/manual/actions';
import { manualDeps } from '../src/manual/wiring';
import { logger } from '../src/telemetry';
import { configFromEnv, lambdaDeps } from '../src/wiring';

const config = configFromEnv();
const depsFor = lambdaDeps(config);
let deps: ReturnType<typeof manualDeps> | undefined;

/**
 * Operator actions: status, plan, failover, restore, release. Route changes go through the
 * reconcile function (the one writer); this function only reads and records pins.
 */
export const handler = middy(async (event: unknown, context: Context) => {
  deps ??= manualDeps(depsFor(context), config, process.env);
  return handleManual(deps, config, event);
}).use(injectLambdaContext(logger));
