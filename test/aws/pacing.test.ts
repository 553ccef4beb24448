/**
 * Issue 16: EC2 writes are paced by a client-side token bucket sized to EC2's mutating bucket, and
 * the bucket adapts on RequestLimitExceeded (AIMD) while the Retrier's backoff stays as it was.
 */
import { CreateTagsCommand, DescribeRouteTablesCommand, EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { Ec2Adapter } from '../../src/aws/ec2';
import { EC2_MUTATING_BUDGET, MIN_RATE_SHARE, RATE_STEP_SHARE, WritePacer, WritePacers } from '../../src/pacer';
import { DEFAULT_RETRY, Retrier } from '../../src/retry';
import { recordingClock, sdkError } from './fakes';

const client = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const ec2 = mockClient(client);
afterEach(() => ec2.reset());

function paced(budget = { burst: 2, perSecond: 4 }) {
  const clock = recordingClock();
  const pacers = new WritePacers(clock, budget);
  const retry = new Retrier(clock, DEFAULT_RETRY, () => 0.5, { pacer: pacers });
  return { clock, pacer: pacers.for('ReplaceRoute')!, pacers, retry, adapter: new Ec2Adapter(client, retry) };
}

describe('WritePacer on the EC2 adapter', () => {
  it('defaults to EC2\'s documented mutating bucket: 200 burst, 5 a second', () => {
    expect(EC2_MUTATING_BUDGET).toEqual({ burst: 200, perSecond: 5 });
  });

  it('sends the burst at once, then one ReplaceRoute per refill interval', async () => {
    const { clock, adapter } = paced({ burst: 2, perSecond: 4 });
    ec2.on(ReplaceRouteCommand).resolves({});
    for (let i = 0; i < 5; i++) await adapter.replaceRoute(`rtb-${i}`, '0.0.0.0/0', 'nat-b');
    // Two from the burst, then 250 ms per token at 4 a second.
    expect(clock.sleeps).toEqual([250, 250, 250]);
    expect(ec2.commandCalls(ReplaceRouteCommand)).toHaveLength(5);
  });

  it('on RequestLimitExceeded halves its rate and empties its bucket, keeps the backoff, and the write still lands', async () => {
    const { clock, pacer, adapter, retry } = paced({ burst: 10, perSecond: 4 });
    ec2.on(ReplaceRouteCommand).rejectsOnce(sdkError('RequestLimitExceeded', 503)).resolves({});
    await adapter.replaceRoute('rtb-1', '0.0.0.0/0', 'nat-b');
    // The exact request, twice: the retry is the same call.
    expect(ec2.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input)).toEqual([
      { RouteTableId: 'rtb-1', DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-b' },
      { RouteTableId: 'rtb-1', DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-b' },
    ]);
    // Backoff as before (full jitter, random 0.5 of 200 ms), then the token wait at the halved rate.
    expect(clock.sleeps[0]).toBe(100);
    expect(retry.stats.retries).toBe(1);
    expect(pacer.throttles).toBe(1);
    // Halved to 2 a second, then one accepted write gives back a step of 5 % of 4.
    expect(pacer.currentRate).toBeCloseTo(2 + 4 * RATE_STEP_SHARE);
  });

  it('does not meter reads: a describe never waits for a write token', async () => {
    const { clock, adapter } = paced({ burst: 1, perSecond: 1 });
    ec2.on(ReplaceRouteCommand).resolves({});
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    await adapter.replaceRoute('rtb-1', '0.0.0.0/0', 'nat-b');
    await adapter.readRoutes(['rtb-1']);
    await adapter.readRoutes(['rtb-1']);
    expect(clock.sleeps).toEqual([]);
  });

  it('keeps one bucket per action, as EC2 does: CreateTags never waits for a ReplaceRoute token, nor the reverse', async () => {
    const { clock, adapter, pacers } = paced({ burst: 1, perSecond: 2 });
    ec2.on(ReplaceRouteCommand).resolves({});
    ec2.on(CreateTagsCommand).resolves({});
    await adapter.replaceRoute('rtb-1', '0.0.0.0/0', 'nat-b');
    await adapter.createTags(['rtb-1'], { 'nat-failover:state': 'failed-over' });
    expect(clock.sleeps).toEqual([]);
    await adapter.replaceRoute('rtb-2', '0.0.0.0/0', 'nat-b');
    await adapter.createTags(['rtb-2'], { 'nat-failover:state': 'failed-over' });
    // The second ReplaceRoute waits for its own refill (500 ms at 2 a second); by then CreateTags's
    // bucket has refilled too. One shared bucket would have made both wait, 1 s in all.
    expect(clock.sleeps).toEqual([500]);
    expect(pacers.for('DescribeRouteTables')).toBeUndefined();
  });
});

describe('WritePacer arithmetic', () => {
  it('never lets more than burst + rate x elapsed writes start, for any arrival pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 60 }),
        async (burst, perSecond, gaps) => {
          const clock = recordingClock();
          const pacer = new WritePacer(clock, { burst, perSecond });
          const t0 = clock.now().getTime();
          const starts: number[] = [];
          for (const gap of gaps) {
            await clock.sleep(gap);
            await pacer.take();
            starts.push(clock.now().getTime());
          }
          for (let i = 0; i < starts.length; i++) {
            const elapsed = (starts[i]! - t0) / 1000;
            // +1 for rounding the wait up to whole ms.
            expect(i + 1).toBeLessThanOrEqual(burst + perSecond * elapsed + 1e-6 + 1);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('halves per throttle down to a floor and climbs back additively', () => {
    const clock = recordingClock();
    const pacer = new WritePacer(clock, { burst: 10, perSecond: 10 });
    for (let i = 0; i < 20; i++) pacer.throttled();
    expect(pacer.currentRate).toBeCloseTo(10 * MIN_RATE_SHARE);
    for (let i = 0; i < 100; i++) pacer.accepted();
    expect(pacer.currentRate).toBe(10);
  });

  it('readyAt tells when the next write would start: now with a token, later without', async () => {
    const clock = recordingClock();
    const pacer = new WritePacer(clock, { burst: 1, perSecond: 2 });
    const t0 = clock.now().getTime();
    expect(pacer.readyAt()).toBe(t0);
    await pacer.take();
    expect(pacer.readyAt()).toBe(t0 + 500);
  });
});
