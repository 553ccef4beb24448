/**
 * The alarm names and the reconciler's diff, without CloudWatch: which alarms the controller may
 * delete. It must only ever delete alarms it wrote itself (name under `<prefix>-gw-` and the
 * `[spec …]` mark), never the stack's own alarms or another deployment's.
 */
import { DEFAULTS } from '../../src/config';
import { alarmName, desiredAlarms, diffAlarms, type ExistingAlarm, parseAlarmName } from '../../src/events/alarmSpecs';
import type { NatGateway } from '../../src/core/types';

const PREFIX = 'nat-failover-prod';
const RULES = { ...DEFAULTS, alarmPrefix: PREFIX };
const nat = (id: string, az: string): NatGateway => ({ id, vpcId: 'vpc-00000001', az, state: 'available', connectivityType: 'public', availabilityMode: 'zonal' });
const A = nat('nat-0aaaaaaaaaaaaaaa1', 'us-east-1a');
const GONE = nat('nat-0bbbbbbbbbbbbbbb2', 'us-east-1b');

/** Alarms as the controller wrote them from `rules` (name and description with the spec mark). */
const written = (nats: NatGateway[], rules = RULES): ExistingAlarm[] =>
  desiredAlarms(nats, rules).map((s) => ({ name: s.name, description: s.description, state: 'OK', stateSince: undefined }));
const foreign = (name: string, description = 'not ours'): ExistingAlarm => ({ name, description, state: 'OK', stateSince: undefined });

describe('alarm names', () => {
  it('puts gateway alarms in their own -gw- namespace under the prefix', () => {
    expect(alarmName(PREFIX, A.id, 'packet-drops')).toBe(`nat-failover-prod-gw-${A.id}-packet-drops`);
    expect(desiredAlarms([A], RULES).map((s) => s.name)).toEqual([`nat-failover-prod-gw-${A.id}-packet-drops`, `nat-failover-prod-gw-${A.id}-connection-failures`]);
  });

  it('parses exactly the names it builds, and nothing else', () => {
    expect(parseAlarmName(PREFIX, alarmName(PREFIX, A.id, 'connection-failures'))).toEqual({ natGatewayId: A.id, rule: 'connection-failures' });
    for (const name of [
      'nat-failover-prod-reconcile-errors',
      'nat-failover-prod-reconcile-not-running',
      `nat-failover-prod-${A.id}-packet-drops`, // the old, un-namespaced form
      `nat-failover-prod-eu-gw-${A.id}-packet-drops`, // sibling stage prod-eu
      `nat-failover-prod-gw-gw-${A.id}-packet-drops`, // sibling stage prod-gw
      `nat-failover-prod-gw-${A.id}-packet-drops-copy`,
      `nat-failover-prod-gw-${A.id}-latency`,
      'nat-failover-prod-gw-nat-xyz-packet-drops',
    ]) {
      expect([name, parseAlarmName(PREFIX, name)]).toEqual([name, undefined]);
    }
  });
});

describe('diffAlarms', () => {
  it('deletes a gone gateway\'s alarms, which it wrote', () => {
    const diff = diffAlarms([...written([A]), ...written([GONE])], desiredAlarms([A], RULES), PREFIX);
    expect(diff.remove).toEqual(written([GONE]).map((a) => a.name).sort());
    expect(diff.create).toEqual([]);
    expect(diff.update).toEqual([]);
    expect(diff.foreign).toEqual([]);
  });

  it('never deletes the stack\'s alarms, a sibling stage\'s, or an alarm without the spec mark', () => {
    const untouchable = [
      foreign('nat-failover-prod-reconcile-errors', 'nat-failover reconcile raised an error; routes may not be kept healthy'),
      foreign('nat-failover-prod-reconcile-not-running'),
      ...written([GONE], { ...RULES, alarmPrefix: 'nat-failover-prod-eu' }),
      ...written([GONE], { ...RULES, alarmPrefix: 'nat-failover-prod-gw' }),
      // Our name for the gone gateway, but its description has no [spec …]: not written by us.
      foreign(alarmName(PREFIX, GONE.id, 'packet-drops'), 'hand-made copy'),
    ];
    const diff = diffAlarms([...untouchable, ...written([A]), written([GONE])[1]!], desiredAlarms([A], RULES), PREFIX);
    expect(diff.remove).toEqual([alarmName(PREFIX, GONE.id, 'connection-failures')]);
    expect(diff.foreign).toEqual(untouchable.map((a) => a.name).sort());
  });

  it('still creates and updates desired alarms by name', () => {
    const stale = written([A], { ...RULES, packetDropRatio: 0.01 });
    const diff = diffAlarms([stale[0]!], desiredAlarms([A], RULES), PREFIX);
    expect(diff.update.map((s) => s.name)).toEqual([alarmName(PREFIX, A.id, 'packet-drops')]);
    expect(diff.create.map((s) => s.name)).toEqual([alarmName(PREFIX, A.id, 'connection-failures')]);
    expect(diff.remove).toEqual([]);
  });
});
