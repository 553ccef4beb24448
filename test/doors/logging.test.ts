/**
 * Issue 10 item 12: a finding's reason survives into the JSON line Powertools Logger writes. The
 * real Logger is used and its output captured; nothing here mocks the formatting.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import * as fc from 'fast-check';
import { DEFAULTS } from '../../src/config';
import { LOGGER_OWNED_KEYS, powertoolsRecorder } from '../../src/lambda/telemetry';
import { handleManual } from '../../src/manual/actions';
import { reconcile } from '../../src/reconcile/controller';
import { fixedClock, region, RecordingRunner } from '../manual/world';
import { threeAzRegion } from '../reconcile/memoryCloud';
import { TAGS } from '../../src/core/constants';
import { pinValue } from '../../src/core/state';

const CONTEXT = {
  functionName: 'nat-failover-prod-reconcile',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-reconcile',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 60_000,
};

/** Every JSON line the real Logger writes while `fn` runs. */
async function captured(fn: (log: Logger) => Promise<void> | void): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO'; // test/setup.ts silences loggers; this one must speak
  const log = new Logger({ serviceName: 'nat-failover', logLevel: 'INFO' });
  log.addContext(CONTEXT as never);
  // INFO goes to stdout, WARN and ERROR to stderr (node Console); Lambda ships both to the log.
  const capture = ((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    await fn(log);
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.env.POWERTOOLS_LOG_LEVEL = level;
  }
  return lines.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

const metrics = () => new Metrics({ namespace: 'Test', serviceName: 'nat-failover' });

describe('reasons survive into the Powertools log line', () => {
  it('a scheduled run held by the change cap logs the hold with its reason text', async () => {
    // Two operator pins (capped changes; evacuations off dead gateways are not capped) under a cap of 1.
    const { cloud } = threeAzRegion();
    for (const [id, az] of [['rtb-a', 'us-east-1a'], ['rtb-b', 'us-east-1b']] as const) {
      cloud.tables.get(id)!.tags[TAGS.pin] = pinValue({ awayFromAz: az, until: undefined, by: 'alice', target: undefined, reason: 'maintenance' });
    }
    const lines = await captured(async (log) => {
      await reconcile({ cloud, clock: fixedClock(), recorder: powertoolsRecorder(log, metrics()) }, { ...DEFAULTS, maxChangesPerRun: 1 }, { trigger: 'schedule' });
    });
    const holds = lines.filter((l) => l.message === 'held by safety rule');
    expect(holds).toHaveLength(1);
    expect(holds[0]).toMatchObject({
      level: 'WARN',
      kind: 'deferred-by-change-cap',
      reason: 'pin deferred: more than 1 route tables to change on soft signals, pins or restores this run (evacuations off dead gateways are not capped)',
    });
    expect(lines.filter((l) => String(l.message).includes('reserved key'))).toEqual([]);
  });

  it('a refused manual request logs the refusal with its text', async () => {
    const lines = await captured(async (log) => {
      const deps = { cloud: region(), clock: fixedClock(), recorder: powertoolsRecorder(log, metrics()), runner: new RecordingRunner(), endpoints: { gatewayEndpoints: async () => [] } };
      await handleManual(deps, DEFAULTS, { action: 'failover', az: 'us-east-1a', target: 'nat-0000000a', reason: 'x' });
    });
    const refused = lines.find((l) => l.message === 'manual action failed');
    expect(refused).toMatchObject({ code: 'invalid-request', field: 'target', reason: 'target: nat-0000000a is in us-east-1a, the AZ being moved away from' });
    expect(lines.filter((l) => String(l.message).includes('reserved key'))).toEqual([]);
  });

  it('any attribute names: every value is in the line, none dropped, the Lambda context keys untouched', async () => {
    const name = fc.oneof(fc.constantFrom(...LOGGER_OWNED_KEYS, 'message_', 'message__', 'level_', 'reason', 'error', 'kind'), fc.string({ minLength: 1, maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(name, { minLength: 1, maxLength: 12 }), async (keys) => {
        const data: Record<string, unknown> = {};
        keys.forEach((k, i) => Object.defineProperty(data, k, { value: `value-${i}`, enumerable: true, writable: true, configurable: true }));
        const lines = await captured((log) => powertoolsRecorder(log, metrics()).warn('held by safety rule', data));
        expect(lines).toHaveLength(1);
        const line = lines[0]!;
        expect(line).toMatchObject({ level: 'WARN', message: 'held by safety rule', service: 'nat-failover', function_request_id: CONTEXT.awsRequestId, function_name: CONTEXT.functionName });
        const values = Object.values(line);
        keys.forEach((_k, i) => expect(values).toContain(`value-${i}`));
      }),
      { numRuns: 200 },
    );
  });
});
