/** Found in review (2026-11-29): restore without probe proof via decideRestore's "going home early" branch. */
import { TAGS } from '../../src/core/constants';
import type { Inventory, ProbeRound } from '../../src/core/types';
import {
  actionFor, config, decideAt, DROPPING, failedOverTags, healthyMetrics, NOW, observation, series, standardInventory, table, VPC, withNat, withTable,
} from '../core/fixtures';

const MIN = 60_000;
const ok = (minsAgo: number): ProbeRound => ({ at: new Date(Math.floor(NOW.getTime() / MIN) * MIN - minsAgo * MIN), failed: false, rounds: 1, roundsFailed: 0, source: 'metric' });

describe('restore needs proof when probes are on', () => {
  it('does not send a table home without probe proof because its failover target turned soft-bad', () => {
    // rtb-a (home us-east-1a) failed over to nat-b long ago; nat-c failed (state), nat-b now drops packets.
    let inv: Inventory = standardInventory();
    inv = withTable(inv, table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: failedOverTags({ homeNat: 'nat-a', since: -3600, homeOkSince: -3000 }) }));
    inv = withNat(inv, 'nat-c', { state: 'failed' });
    // Probes on: us-east-1b and 1c probed fine for 30 min; us-east-1a's probe has NO data (not deployed / no datum):
    // "its home is never proven (tables homed there are restored by an operator only)" (controller.probeZones).
    const rounds = Array.from({ length: 30 }, (_, i) => ok(30 - i));
    const zones = new Map<string, readonly ProbeRound[]>([
      [`${VPC} us-east-1a`, []],
      [`${VPC} us-east-1b`, rounds],
      [`${VPC} us-east-1c`, rounds],
    ]);
    const obs = { ...observation(inv, { metrics: healthyMetrics({ 'nat-b': series(3, DROPPING) }) }), probes: { start: new Date(NOW.getTime() - 130 * MIN), end: NOW, zones } };
    const d = decideAt(obs, config({ probes: 'on' }));
    const a = actionFor(d.plan, 'rtb-a');
    expect(a?.routes.find((c) => c.to === 'nat-a')).toBeUndefined();
  });
});

describe('a pin does not restore into an unproven home either', () => {
  it('a pin away from the failover target AZ prefers a healthy gateway over an unproven home', () => {
    let inv: Inventory = standardInventory();
    // rtb-a failed over to nat-b 20 min ago; nat-a available again 2 min ago (hold-down running); operator pins away from us-east-1b.
    inv = withTable(inv, table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: { ...failedOverTags({ homeNat: 'nat-a', since: -1200, homeOkSince: -120 }), [TAGS.pin]: 'away-from=us-east-1b by=ops', [TAGS.pinReason]: 'patching b' } }));
    const rounds = Array.from({ length: 30 }, (_, i) => ok(30 - i));
    const zones = new Map<string, readonly ProbeRound[]>([[`${VPC} us-east-1a`, []], [`${VPC} us-east-1b`, rounds], [`${VPC} us-east-1c`, rounds]]);
    const obs = { ...observation(inv, { metrics: healthyMetrics() }), probes: { start: new Date(NOW.getTime() - 130 * MIN), end: NOW, zones } };
    const d = decideAt(obs, config({ probes: 'on' }));
    const a = actionFor(d.plan, 'rtb-a');
    expect(a?.routes.find((c) => c.to === 'nat-a')).toBeUndefined();
  });
});
