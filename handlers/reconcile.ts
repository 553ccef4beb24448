import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { reconcile } from '../src/reconcile/controller';
import { isInternalPayload, parseInternalPayload } from '../src/manual/internal';
import { summarizeRun } from '../src/reconcile/report';
import { logger, metrics } from '../src/lambda/telemetry';
import { triggerOf } from '../src/events/triggers';
import { configFromEnv, lambdaDeps } from '../src/lambda/wiring';

const config = configFromEnv();
const depsFor = lambdaDeps(config);

/** EventBridge schedule (and alarm / Health / ARC events): one level-triggered reconcile pass. */
export const handler = middy(async (event: unknown, context: Context) => {
  // The manual function's request: it recorded its intent (pins) and asks for one run now.
  if (isInternalPayload(event)) {
    const run = parseInternalPayload(event);
    const report = await reconcile(depsFor(context), config, { trigger: `manual:${run.action}`, forceMetrics: true, dryRun: run.dryRun, overrides: run.overrides });
    return summarizeRun(report);
  }
  const trigger = triggerOf(event);
  // An event that says nothing usable still gets a plain level-triggered run: always safe, never a guess.
  if (trigger.ignored) logger.warn('event ignored; running a plain reconcile', { trigger: trigger.name, reason: trigger.ignored });
  const report = await reconcile(depsFor(context), config, { trigger: trigger.name, forceMetrics: trigger.forceMetrics, signalUpdates: trigger.updates, ...(trigger.probe ? { probeVerdict: trigger.probe } : {}) });
  return summarizeRun(report);
})
  .use(injectLambdaContext(logger))
  // No ColdStart series ($0.30/month): Lambda reports every cold start as Init Duration.
  .use(logMetrics(metrics));
