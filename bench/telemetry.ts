/**
 * What one steady-state scheduled run writes to CloudWatch: log bytes (formatted by the real
 * Powertools Logger, as the function writes them) and custom-metric series (EMF). Measured on the
 * simulator with 3 gateways (1 VPC x 3 AZs), the deployment the cost figure is for, on a warm
 * container with the reconcile function's table memory (bench/harness.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { DEFAULTS } from '../src/config';
import { benchOn, nextMinute, run, warmUp } from './harness';
import { benchWorld } from './world';

/**
 * Lambda's own lines per invocation (START, END, REPORT; text format), for a 36-character request
 * id: "START RequestId: … Version: $LATEST" (~70 bytes), "END RequestId: …" (~52),
 * "REPORT RequestId: … Duration: … Billed Duration: … Memory Size: 256 MB Max Memory Used: … MB"
 * (~170). Lambda developer guide, "Working with Lambda function logs".
 */
export const PLATFORM_LINES = { events: 3, bytes: 70 + 52 + 170 } as const;

export interface RunTelemetry {
  readonly gateways: number;
  readonly tables: number;
  /** Application log lines (JSON, INFO level) and their bytes, per steady-state run. */
  readonly appLogEvents: number;
  readonly appLogBytes: number;
  /** Custom-metric data points published per steady-state run (each distinct one is a series). */
  readonly metricSeries: number;
  readonly platformLogEvents: number;
  readonly platformLogBytes: number;
}

const CONTEXT = {
  functionName: 'nat-failover-prod-reconcile',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-reconcile',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/nat-failover-prod-reconcile',
  logStreamName: '2026/11/29/[$LATEST]0123456789abcdef0123456789abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as unknown as Context;

export async function steadyRunTelemetry(): Promise<RunTelemetry> {
  const b = benchOn(benchWorld(9, 1), DEFAULTS);
  await warmUp(b);
  nextMinute(b);
  // One more run first: a warm container logs once why it reads every table (here: 9 tables fit
  // in one run, TABLES_READ_PER_RUN); the steady minute after that does not repeat it.
  await run(b);
  nextMinute(b);
  b.recorder.logs.length = 0;
  b.recorder.counters.length = 0;
  const report = await run(b);

  // The same entries through the real Logger at the stack's default level (INFO).
  const logger = new Logger({ serviceName: 'nat-failover-prod', logLevel: 'INFO' });
  logger.addContext(CONTEXT);
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  try {
    for (const e of b.recorder.logs) logger[e.level](e.message, e.data);
  } finally {
    process.stdout.write = write;
  }
  return {
    gateways: b.sim.world.nats.length,
    tables: report.plan.tables.length,
    appLogEvents: lines.length,
    appLogBytes: lines.reduce((a, l) => a + Buffer.byteLength(l), 0),
    metricSeries: b.recorder.counters.length,
    platformLogEvents: PLATFORM_LINES.events,
    platformLogBytes: PLATFORM_LINES.bytes,
  };
}
