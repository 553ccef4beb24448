/** Found in review (2026-11-29): the NAT64 route follows the IPv4 default into a gateway outside the egress allow-list. */
import type { Inventory } from '../../src/core/types';
import { config, decideAt, failedOverTags, natGw, observation, standardInventory, table } from '../core/fixtures';

it('never moves a route into a gateway outside the egress allow-list', () => {
  const inv: Inventory = {
    ...standardInventory(),
    natGateways: [
      natGw('nat-a', 'us-east-1a', { ips: ['198.51.100.1'], state: 'failed' }),
      natGw('nat-b', 'us-east-1b', { ips: ['203.0.113.9'] }), // outside the list (the list changed)
      natGw('nat-c', 'us-east-1c', { ips: ['198.51.100.3'], state: 'failed' }),
    ],
    routeTables: [
      // A half-written failover: IPv4 on nat-b, NAT64 still on the failed home nat-a.
      table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-b', v6: 'nat-a', tags: failedOverTags({ homeNat: 'nat-a', since: -300 }) }),
    ],
  };
  const d = decideAt(observation(inv), config({ egressAllowList: ['198.51.100.0/24'] }));
  const a = d.plan.actions.find((x) => x.routeTableId === 'rtb-a');
  expect((a?.routes ?? []).filter((c) => c.to === 'nat-b')).toEqual([]);
});
