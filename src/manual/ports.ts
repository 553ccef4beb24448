import type { PlanOverrides } from '../core/planner';
import type { RunSummary } from '../reconcile/report';

/** A gateway VPC endpoint as the audit needs it. */
export interface GatewayEndpoint {
  readonly id: string;
  readonly vpcId: string;
  /** Service short name: `s3`, `dynamodb`. */
  readonly service: string;
  readonly state: string;
  readonly routeTableIds: readonly string[];
}

/** Reads the gateway endpoints of some VPCs: one filtered describe call per 200 VPCs. */
export interface GatewayEndpointReader {
  gatewayEndpoints(vpcIds: readonly string[]): Promise<readonly GatewayEndpoint[]>;
}

/** `ErrorPortAllocation` sums per gateway over a window; a gateway without data is absent. */
export interface PortAllocationReader {
  readPortAllocationErrors(natGatewayIds: readonly string[], start: Date, end: Date): Promise<ReadonlyMap<string, number>>;
}

/** What the `manual` function asks of `reconcile`: one run, maybe with one-run overrides. */
export interface ReconcileRequest {
  readonly action: 'failover' | 'restore' | 'release';
  readonly by: string;
  readonly dryRun: boolean;
  readonly overrides?: PlanOverrides;
}

/**
 * The one writer. In Lambda: a synchronous invoke of the `reconcile` function (reserved
 * concurrency 1). Break-glass (`--direct`, `invoke local`): reconcile() in this process.
 */
export interface ReconcileRunner {
  readonly mode: 'lambda' | 'in-process';
  run(request: ReconcileRequest): Promise<RunSummary>;
}
