import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRouteTablesCommand, EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAdapter } from '../../src/aws/cloudwatch';
import { Ec2Adapter } from '../../src/aws/ec2';
import { toDomainError } from '../../src/aws/errors';
import { CloudApiError, ThrottledError, TransientError } from '../../src/errors';
import type { AwsCloud } from '../../src/aws/cloud';
import { DEADLINE_MARGIN_MS, DEFAULT_RETRY, Retrier } from '../../src/retry';
import { DEFAULTS } from '../../src/config';
import { InvocationDeadline, lambdaDeps } from '../../src/lambda/wiring';
import { recordingClock, retrier, sdkError, seededRandom } from './fakes';

const creds = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
const client = new EC2Client(creds);
const ec2 = mockClient(client);
const cwClient = new CloudWatchClient(creds);
const cw = mockClient(cwClient);
afterEach(() => {
  ec2.reset();
  cw.reset();
});

/** The full-jitter ceiling of the sleep after failed attempt `k` (1-based). */
const ceiling = (k: number) => Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (k - 1));

describe('SDK error mapping', () => {
  it.each([
    ['RequestLimitExceeded', 503, ThrottledError],
    ['Throttling', 400, ThrottledError],
    ['ThrottlingException', 400, ThrottledError],
    ['InternalError', 500, TransientError],
    ['ServiceUnavailable', 503, TransientError],
    ['SomethingNew', 502, TransientError],
    ['UnauthorizedOperation', 403, CloudApiError],
    ['InvalidRouteTableID.NotFound', 400, CloudApiError],
  ])('%s (HTTP %i) becomes %p', (name, status, kind) => {
    const e = toDomainError('ReplaceRoute', sdkError(name, status));
    expect(e).toBeInstanceOf(kind);
    expect(e.message).toContain('ReplaceRoute');
    expect((e as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

  it('treats a dropped connection as transient', () => {
    const e = toDomainError('DescribeRouteTables', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(e).toBeInstanceOf(TransientError);
  });
});

describe('retries through the adapter', () => {
  it('retries RequestLimitExceeded with growing, jittered sleeps and then succeeds', async () => {
    // Prepare: throttled three times, then the answer.
    const throttled = sdkError('RequestLimitExceeded', 503);
    ec2.on(DescribeRouteTablesCommand).rejectsOnce(throttled).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ RouteTables: [] });
    // The upper bound of the jitter makes growth visible; the seeded case below checks spread.
    const { retry, clock } = retrier(DEFAULT_RETRY, () => 0.999);

    // Act
    const routes = await new Ec2Adapter(client, retry).readRoutes(['rtb-a']);

    // Assess
    expect(routes.size).toBe(0);
    expect(ec2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(4);
    expect(clock.sleeps).toStrictEqual([Math.round(0.999 * 200), Math.round(0.999 * 400), Math.round(0.999 * 800)]);
    expect(retry.stats).toStrictEqual({ calls: 4, retries: 3, byOperation: { DescribeRouteTables: 4 } });
  });

  it('gives up after maxAttempts with the ThrottledError; every sleep within its jitter bound', async () => {
    ec2.on(ReplaceRouteCommand).rejects(sdkError('RequestLimitExceeded', 503));
    const { retry, clock } = retrier(DEFAULT_RETRY, seededRandom(42));

    const write = new Ec2Adapter(client, retry).replaceRoute('rtb-a', '0.0.0.0/0', 'nat-b');

    await expect(write).rejects.toThrow(ThrottledError);
    await expect(write).rejects.toThrow('ReplaceRoute was throttled');
    expect(ec2.commandCalls(ReplaceRouteCommand)).toHaveLength(DEFAULT_RETRY.maxAttempts);
    expect(clock.sleeps).toHaveLength(DEFAULT_RETRY.maxAttempts - 1);
    clock.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(ceiling(i + 1));
    });
    // Jittered: not the deterministic ceilings, and not all the same fraction of them.
    const fractions = clock.sleeps.map((ms, i) => ms / ceiling(i + 1));
    expect(new Set(fractions.map((f) => f.toFixed(2))).size).toBeGreaterThan(3);
    // The ceiling is capped at maxDelayMs.
    expect(ceiling(DEFAULT_RETRY.maxAttempts - 1)).toBe(DEFAULT_RETRY.maxDelayMs);
  });

  it('retries a 5xx as TransientError (CloudWatch too)', async () => {
    cw.on(GetMetricDataCommand).rejectsOnce(sdkError('InternalFailure', 500)).resolves({ MetricDataResults: [] });
    const { retry, clock } = retrier(DEFAULT_RETRY, () => 0.5);

    await new CloudWatchAdapter(cwClient, retry).readMetrics(['nat-a'], new Date(0), new Date(60_000));

    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(clock.sleeps).toStrictEqual([100]);
  });

  it('does not retry UnauthorizedOperation: one call, no sleep, a CloudApiError naming the code', async () => {
    ec2.on(ReplaceRouteCommand).rejects(sdkError('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'));
    const { retry, clock } = retrier();

    const write = new Ec2Adapter(client, retry).replaceRoute('rtb-a', '0.0.0.0/0', 'nat-b');

    await expect(write).rejects.toThrow(CloudApiError);
    await expect(write).rejects.toThrow('ReplaceRoute failed: UnauthorizedOperation: You are not authorized to perform this operation.');
    expect(ec2.commandCalls(ReplaceRouteCommand)).toHaveLength(1);
    expect(clock.sleeps).toStrictEqual([]);
  });
});

describe('retry deadline', () => {
  const throttled = () => ec2.on(DescribeRouteTablesCommand).rejects(sdkError('RequestLimitExceeded', 503));

  it('gives up with the ThrottledError rather than sleep into the margin before the deadline', async () => {
    // Prepare: usable time ends 2 s after the start (deadline 3 s, margin 1 s); sleeps at the
    // jitter's upper bound are 200, 400, 799, then 1598 ms, which would end at 2997 ms.
    throttled();
    const clock = recordingClock();
    const start = clock.now().getTime();
    const retry = new Retrier(clock, DEFAULT_RETRY, () => 0.999, { deadline: () => start + 3_000, marginMs: 1_000 });

    // Act
    const read = new Ec2Adapter(client, retry).readRoutes(['rtb-a']);

    // Assess
    await expect(read).rejects.toThrow(ThrottledError);
    expect(clock.sleeps).toStrictEqual([200, 400, 799]);
    expect(clock.now().getTime() - start).toBeLessThanOrEqual(2_000);
    expect(ec2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(4);
    expect(retry.stats).toStrictEqual({ calls: 4, retries: 3, byOperation: { DescribeRouteTables: 4 } });
  });

  it('keeps the default margin: already inside it, one call and no sleep', async () => {
    throttled();
    const clock = recordingClock();
    const retry = new Retrier(clock, DEFAULT_RETRY, () => 0.5, { deadline: () => clock.now().getTime() + DEADLINE_MARGIN_MS });

    await expect(new Ec2Adapter(client, retry).readRoutes(['rtb-a'])).rejects.toThrow(ThrottledError);

    expect(ec2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(1);
    expect(clock.sleeps).toStrictEqual([]);
  });

  it('changes nothing when the deadline is far or absent: every attempt is made', async () => {
    for (const deadline of [() => Date.parse('2100-01-01T00:00:00Z'), () => undefined]) {
      ec2.reset();
      throttled();
      const clock = recordingClock();
      const retry = new Retrier(clock, DEFAULT_RETRY, () => 0.999, { deadline });

      await expect(new Ec2Adapter(client, retry).readRoutes(['rtb-a'])).rejects.toThrow(ThrottledError);

      expect(ec2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(DEFAULT_RETRY.maxAttempts);
      expect(clock.sleeps).toHaveLength(DEFAULT_RETRY.maxAttempts - 1);
    }
  });

  it('never cuts short a call that fails for good: the error is the call\'s own', async () => {
    ec2.on(ReplaceRouteCommand).rejects(sdkError('UnauthorizedOperation', 403));
    const clock = recordingClock();
    const retry = new Retrier(clock, DEFAULT_RETRY, () => 0.5, { deadline: () => 0 });

    await expect(new Ec2Adapter(client, retry).replaceRoute('rtb-a', '0.0.0.0/0', 'nat-b')).rejects.toThrow(CloudApiError);
  });

  it('Lambda wiring: each invocation\'s remaining time becomes the AWS Retrier\'s deadline', async () => {
    // Prepare: a container's dependencies, invoked twice with different remaining times.
    // The production clock, as the wiring's Retrier uses: the deadline must be on the same clock.
    const deadline = new InvocationDeadline();
    const within = (ms: number) => {
      const at = deadline.at() as number;
      expect(at).toBeGreaterThan(Date.now() + ms - 1_000);
      expect(at).toBeLessThanOrEqual(Date.now() + ms);
    };
    const depsFor = lambdaDeps(DEFAULTS, {}, deadline);
    // The wiring builds its own EC2 client: mock the class for this test.
    const anyEc2 = mockClient(EC2Client);
    anyEc2.on(DescribeRouteTablesCommand).rejects(sdkError('RequestLimitExceeded', 503));

    // Act + Assess: 1 s left (inside the margin): the first throttle is final.
    const cloud = depsFor({ getRemainingTimeInMillis: () => 1_000 }).cloud as AwsCloud;
    within(1_000);
    try {
      await expect(cloud.readRoutes(['rtb-a'])).rejects.toThrow(ThrottledError);
      expect(anyEc2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(1);
    } finally {
      anyEc2.restore();
    }

    // The container's next invocation has a minute: same dependencies, new deadline.
    expect(depsFor({ getRemainingTimeInMillis: () => 60_000 }).cloud).toBe(cloud);
    within(60_000);
    // Without a context (the CLI's path through the same code) there is no deadline.
    depsFor(undefined);
    expect(deadline.at()).toBeUndefined();
  });
});
