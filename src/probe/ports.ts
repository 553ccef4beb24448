import type { ProbeVerdictEvent } from '../core/probe';

/** Where a probe function runs, read once per warm container from EC2 (read-only describes). */
export interface ProbePlacement {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly routeTableId?: string;
  /** The NAT gateway the subnet's IPv4 default route targets, if any. */
  readonly natGatewayId?: string;
  /** That gateway's AZ (undefined: unknown, or a regional gateway). */
  readonly natGatewayAz?: string;
  /** Tag keys of the subnet's route table (to spot a managed table). */
  readonly routeTableTagKeys: readonly string[];
  /** True when the subnet has no explicit association and follows the VPC's main table. */
  readonly usesMainTable: boolean;
}

export interface ProbeCloud {
  placement(subnetId: string): Promise<ProbePlacement>;
  /** Hands a failed verdict to reconcile at once (asynchronous invoke: Lambda queues it). */
  notifyReconcile(functionName: string, event: ProbeVerdictEvent): Promise<void>;
}

/** Writes one log line; in Lambda, stdout lines in Embedded Metric Format become metrics. */
export type LineSink = (line: string) => void;
