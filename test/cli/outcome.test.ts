/**
 * What the CLI says after a change whose answer was lost: the verdict from the state read back,
 * and the tables the request selected. Also: status text in the one instant format, and a VPC
 * with no managed tables said plainly.
 */
import type { StatusResult } from '../../src/manual/actions';
import { render } from '../../src/manual/render';
import type { TableStatus } from '../../src/manual/status';
import { outcomeFromState } from '../../src/cli/outcome';

const table = (id: string, az: string, over: Partial<TableStatus> = {}): TableStatus => ({
  routeTableId: id,
  vpcId: 'vpc-1',
  az,
  homeGateway: `nat-${az.slice(-1)}`,
  currentTarget: `nat-${az.slice(-1)}`,
  state: 'home',
  since: null,
  why: null,
  next: null,
  pin: null,
  endpoints: null,
  egress: null,
  ...over,
});
const pin = { awayFrom: 'us-east-1a', target: null, until: '2026-11-29T21:00:00.000Z', reason: 'CHG', by: 'ops@cli' };
const status = (tables: TableStatus[], vpcId: string | null = null): StatusResult => ({
  ok: true,
  action: 'status',
  at: '2026-11-29T19:00:00.123Z',
  vpcId,
  metricsJudged: null,
  tables,
  gateways: [],
  regionalVpcs: [],
  endpointAudit: { flagged: [], note: 'n' },
  findings: [],
});

describe('outcome of a lost answer, from the state', () => {
  const a1 = table('rtb-a1', 'us-east-1a');
  const a2 = table('rtb-a2', 'us-east-1a');
  const b = table('rtb-b', 'us-east-1b');
  const pinned = (t: TableStatus) => ({ ...t, state: 'pinned' as const, currentTarget: 'nat-b', pin });

  it('failover: recorded on all, none, or some of the selected tables', () => {
    expect(outcomeFromState({ action: 'failover', az: 'us-east-1a' }, status([pinned(a1), pinned(a2), b]))[0]).toMatch(/^state at 2026-11-29T19:00:00Z: the failover was recorded: all 2 table\(s\) carry the pin/);
    expect(outcomeFromState({ action: 'failover', az: 'us-east-1a' }, status([a1, a2, b]))[0]).toContain('the failover did not take effect: none of the 2 table(s) carries a pin');
    const some = outcomeFromState({ action: 'failover', az: 'us-east-1a' }, status([pinned(a1), a2, b]));
    expect(some[0]).toContain('recorded on 1 of 2 table(s) only');
    expect(some.slice(1)).toEqual(['rtb-a1 (vpc-1, us-east-1a): pinned, routes to nat-b; pinned away from us-east-1a until 2026-11-29T21:00:00Z by ops@cli', 'rtb-a2 (vpc-1, us-east-1a): home, routes to nat-a']);
  });

  it('release and restore', () => {
    expect(outcomeFromState({ action: 'release', az: 'us-east-1a' }, status([a1, a2]))[0]).toContain('the release took effect');
    expect(outcomeFromState({ action: 'release', az: 'us-east-1a' }, status([pinned(a1), a2]))[0]).toContain('did not take effect on 1 of 2');
    expect(outcomeFromState({ action: 'restore', az: 'us-east-1a' }, status([a1, a2]))[0]).toContain('all 2 table(s) are at home: the restore is done');
    expect(outcomeFromState({ action: 'restore', az: 'us-east-1a' }, status([{ ...a1, state: 'failed-over', currentTarget: 'nat-b' }, a2]))[0]).toContain('1 of 2 table(s) are still away from home');
  });

  it('selects by gateway and VPC too; says when nothing matches', () => {
    expect(outcomeFromState({ action: 'release', gateway: 'nat-b' }, status([a1, b])).slice(1)).toEqual(['rtb-b (vpc-1, us-east-1b): home, routes to nat-b']);
    expect(outcomeFromState({ action: 'release', az: 'us-east-1a', vpcId: 'vpc-2' }, status([a1]))).toEqual(['state at 2026-11-29T19:00:00Z: no managed table matches the request; nothing to judge']);
  });
});

describe('status text', () => {
  it('a VPC with no managed tables says so, with no table and no vacuous audit line', () => {
    const text = render(status([], 'vpc-0123456789abcdef0'));
    expect(text).toContain('no managed route tables in vpc-0123456789abcdef0: nat-failover watches nothing here');
    expect(text).not.toContain('ROUTE TABLES');
    expect(text).not.toContain('every managed table routes');
    expect(render(status([]))).toContain('no managed route tables in this region');
  });

  it('every instant in ISO 8601 UTC, whole seconds', () => {
    const s = status([{ ...table('rtb-a1', 'us-east-1a'), state: 'pinned', since: '2026-11-29T18:00:00.456Z', pin }]);
    const text = render({ ...s, findings: [{ kind: 'warn', routeTableId: 'rtb-a1', message: 'evacuation open since 2026-11-29T17:00:00.789Z' }] });
    expect(text).not.toMatch(/\d{2}:\d{2}:\d{2}\.\d{3}Z/);
    expect(text).toContain('2026-11-29T17:00:00Z');
    expect(text).toContain('2026-11-29T18:00:00Z');
  });
});
