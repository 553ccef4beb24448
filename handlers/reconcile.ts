import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { reconcile } from '../src/reconcile/controller';
import { summarizeRun } from '../src/reconcile/report';
import { logger, metrics } from '../src/lambda/telemetry';
import { readInvocation } from '../src/lambda/invocation';
import { configFromEnv, deadlineOf, lambdaDeps, selfInvokeFor } from '../src/lambda/wiring';
import { systemClock } from '../src/clock';
import { FLUSH_RESERVE_MS } from '../src/reconcile/wrapUp';
import { continueIfUnfinished } from '../src/reconcile/continuation';
import type { RunReport } from '../src/reconcile/types';

const config = configFromEnv();
const depsFor = lambdaDeps(config);

/**
 * A run cut short by the invocation's deadline continues at once in a new invocation (an
 * asynchronous self-invoke carrying the chain's first event), not at the next schedule tick.
 */
async function continueAfter(report: RunReport, chain: number, origin: unknown, context: Context): Promise<void> {
  const invoke = selfInvokeFor(context);
  // Reachable in time: reconcile() gives the notification up CONTINUATION_RESERVE_MS (2 s) before
  // the deadline, so the invoke (one asynchronous Invoke, answered at once) starts with that much
  // left, and is itself given up FLUSH_RESERVE_MS before it so middy still flushes the metrics
  // (test/reconcile/wrapUp.test.ts).
  const at = deadlineOf(context)();
  if (invoke) await continueIfUnfinished(report, chain, invoke, depsFor(context).recorder, origin, { clock: systemClock, at: at === undefined ? undefined : at - FLUSH_RESERVE_MS });
}

/** EventBridge schedule (and alarm / Health / ARC / probe events), the manual function's request, or a continuation: one level-triggered reconcile pass. */
export const handler = middy(async (event: unknown, context: Context) => {
  const run = readInvocation(event);
  // An event that says nothing usable still gets a plain level-triggered run: always safe, never a guess.
  if (run.ignored) logger.warn('event ignored; running a plain reconcile', { trigger: run.ignored.trigger, reason: run.ignored.reason });
  const report = await reconcile(depsFor(context), config, run.options);
  await continueAfter(report, run.chain, run.origin, context);
  return summarizeRun(report);
})
  .use(injectLambdaContext(logger))
  // No ColdStart series ($0.30/month): Lambda reports every cold start as Init Duration.
  .use(logMetrics(metrics));
