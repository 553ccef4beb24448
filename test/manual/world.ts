/** A small in-memory region for the manual actions: 3 AZs, a gateway and a managed table in each. */
import { DEFAULTS, type Config } from '../../src/config';
import type { Clock } from '../../src/clock';
import type { ManualDeps } from '../../src/manual/actions';
import type { GatewayEndpoint, ReconcileRequest, ReconcileRunner } from '../../src/manual/ports';
import { silentRecorder } from '../../src/reconcile/ports';
import type { RunSummary } from '../../src/reconcile/report';
import { MemoryCloud, managedTable, nat, ZONES } from '../reconcile/memoryCloud';

export const NOW = new Date('2026-11-23T12:00:00.000Z');
export const NAT = { a: 'nat-0000000a', b: 'nat-0000000b', c: 'nat-0000000c' } as const;
export const RTB = { a: 'rtb-0000000a', b: 'rtb-0000000b', c: 'rtb-0000000c' } as const;
export const VPC = 'vpc-11111111';
export const CONFIG: Config = { ...DEFAULTS };

export const fixedClock = (now: Date = NOW): Clock => ({ now: () => now, sleep: async () => undefined });

export function region(): MemoryCloud {
  const cloud = new MemoryCloud([...ZONES], [nat(NAT.a, 'us-east-1a'), nat(NAT.b, 'us-east-1b'), nat(NAT.c, 'us-east-1c')]);
  cloud.addTable(managedTable(RTB.a, 'us-east-1a', NAT.a));
  cloud.addTable(managedTable(RTB.b, 'us-east-1b', NAT.b));
  cloud.addTable(managedTable(RTB.c, 'us-east-1c', NAT.c));
  return cloud;
}

/** Records what reconcile was asked to do; answers with an empty run. */
export class RecordingRunner implements ReconcileRunner {
  readonly mode = 'lambda' as const;
  readonly requests: ReconcileRequest[] = [];
  fail: Error | undefined;
  async run(r: ReconcileRequest): Promise<RunSummary> {
    this.requests.push(r);
    if (this.fail) throw this.fail;
    return { at: NOW.toISOString(), trigger: `manual:${r.action}`, dryRun: r.dryRun, routeTablesRead: 'all', metricsJudged: null, tables: [], changes: [], findings: [] };
  }
}

export function deps(cloud: MemoryCloud, runner: ReconcileRunner = new RecordingRunner(), endpoints: GatewayEndpoint[] = []): ManualDeps {
  return { cloud, clock: fixedClock(), recorder: silentRecorder, runner, endpoints: { gatewayEndpoints: async () => endpoints } };
}
