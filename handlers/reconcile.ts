import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { reconcile } from '../src/reconcile/controller';
import { isInternalPayload, parseInternalPayload } from '../src/manual/internal';
import { summarizeRun } from '../src/reconcile/report';
import { logger, metrics } from '../src/lambda/telemetry';
import { triggerOf } from '../src/events/triggers';
import { configFromEnv, lambdaDeps, selfInvokeFor } from '../src/lambda/wiring';
import { chainOf, continueIfUnfinished, isContinuation } from '../src/reconcile/continuation';
import type { RunReport } from '../src/reconcile/types';

const config = configFromEnv();
const depsFor = lambdaDeps(config);

/**
 * A run cut short by the invocation's deadline continues at once in a new invocation (an
 * asynchronous self-invoke), not at the next schedule tick.
 */
async function continueAfter(report: RunReport, chain: number, context: Context): Promise<void> {
  const invoke = selfInvokeFor(context);
  if (invoke) await continueIfUnfinished(report, chain, invoke, depsFor(context).recorder);
}

/** EventBridge schedule (and alarm / Health / ARC events): one level-triggered reconcile pass. */
export const handler = middy(async (event: unknown, context: Context) => {
  if (isContinuation(event)) {
    const chain = chainOf(event);
    const report = await reconcile(depsFor(context), config, { trigger: 'continuation' });
    await continueAfter(report, chain, context);
    return summarizeRun(report);
  }
  // The manual function's request: it recorded its intent (pins) and asks for one run now.
  if (isInternalPayload(event)) {
    const run = parseInternalPayload(event);
    const report = await reconcile(depsFor(context), config, { trigger: `manual:${run.action}`, forceMetrics: true, dryRun: run.dryRun, overrides: run.overrides });
    await continueAfter(report, 0, context);
    return summarizeRun(report);
  }
  const trigger = triggerOf(event);
  // An event that says nothing usable still gets a plain level-triggered run: always safe, never a guess.
  if (trigger.ignored) logger.warn('event ignored; running a plain reconcile', { trigger: trigger.name, reason: trigger.ignored });
  const report = await reconcile(depsFor(context), config, { trigger: trigger.name, forceMetrics: trigger.forceMetrics, signalUpdates: trigger.updates, ...(trigger.probe ? { probeVerdict: trigger.probe } : {}) });
  await continueAfter(report, 0, context);
  return summarizeRun(report);
})
  .use(injectLambdaContext(logger))
  // No ColdStart series ($0.30/month): Lambda reports every cold start as Init Duration.
  .use(logMetrics(metrics));
