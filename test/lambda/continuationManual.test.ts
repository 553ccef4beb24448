/**
 * Found in review: an operator's restore deferred by the invocation's deadline (restores run last,
 * behind 30 hard evacuations) was silently dropped by the continuation, which ran without the
 * request. The continuation now carries the manual function's payload and re-reads it.
 */
import { DEFAULTS, type Config } from '../../src/config';
import { reconcile, WRAP_UP_MS } from '../../src/reconcile/controller';
import { silentRecorder } from '../../src/reconcile/ports';
import { continueIfUnfinished, type ContinuationPayload } from '../../src/reconcile/continuation';
import { readInvocation } from '../../src/lambda/invocation';
import { toInternalPayload } from '../../src/manual/internal';
import { MemoryCloud, ZONES, managedTable, nat } from '../reconcile/memoryCloud';

const V4 = '0.0.0.0/0';
function fakeClock(start = Date.parse('2026-11-23T12:00:30Z')) {
  let t = start;
  return { now: () => new Date(t), sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms), ms: () => t };
}
const config: Config = { ...DEFAULTS, writeConcurrency: 1 };

it('the continuation completes a manual restore the deadline deferred (as the deferred record promises)', async () => {
  const clock = fakeClock();
  const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
  cloud.addTable(managedTable('rtb-x', 'us-east-1a', 'nat-a'));
  for (let i = 0; i < 30; i++) cloud.addTable(managedTable(`rtb-c${String(i).padStart(2, '0')}`, 'us-east-1c', 'nat-c'));
  await reconcile({ cloud, clock, recorder: silentRecorder }, config); // record state
  cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
  clock.advance(60_000);
  await reconcile({ cloud, clock, recorder: silentRecorder }, config); // rtb-x fails over
  expect(cloud.target('rtb-x', V4)).not.toBe('nat-a');
  // nat-a is back (hold-down running); nat-c is deleted: 30 hard evacuations.
  cloud.nats = [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c', 'deleted')];
  clock.advance(60_000);
  const replace = cloud.replaceRoute.bind(cloud);
  cloud.replaceRoute = async (id, dest, to) => { clock.advance(1_000); return replace(id, dest, to); };
  const deadline = clock.ms() + WRAP_UP_MS + 20_000;
  const overrides = { restoreNow: [{ az: 'us-east-1a', force: false, reason: 'operator says home is fine', by: 'alice' }] };
  const request = toInternalPayload({ action: 'restore', by: 'alice', dryRun: false, overrides });
  const first = await reconcile({ cloud, clock, recorder: silentRecorder, deadline: () => deadline }, config, readInvocation(request).options);
  const rx = first.results.find((r) => r.action.routeTableId === 'rtb-x');
  expect(rx?.status).toBe('deferred');
  // The continuation as handlers/reconcile.ts sends and reads it.
  let payload: ContinuationPayload | undefined;
  expect(await continueIfUnfinished(first, 0, async (p) => void (payload = p), silentRecorder, request)).toBe(true);
  const next = clock.ms() + WRAP_UP_MS + 120_000;
  const second = await reconcile({ cloud, clock, recorder: silentRecorder, deadline: () => next }, config, readInvocation(JSON.parse(JSON.stringify(payload))).options);
  expect(second.results.find((r) => r.action.routeTableId === 'rtb-x')?.status).toBe('applied');
  expect(cloud.target('rtb-x', V4)).toBe('nat-a');
});
