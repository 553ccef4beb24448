import type { TableView } from '../core/types';
import type { GatewayEndpoint } from './ports';

/** S3 and DynamoDB traffic is free over a gateway endpoint and costs NAT processing without one. */
export const AUDITED_SERVICES = ['s3', 'dynamodb'] as const;
export type AuditedService = (typeof AUDITED_SERVICES)[number];

export interface EndpointAudit {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly present: readonly AuditedService[];
  readonly missing: readonly AuditedService[];
}

const LIVE = (e: GatewayEndpoint) => !['deleted', 'deleting', 'failed', 'rejected', 'expired'].includes(e.state.toLowerCase());

/** Which managed tables lack an S3 or DynamoDB gateway-endpoint route. */
export function auditEndpoints(tables: readonly TableView[], endpoints: readonly GatewayEndpoint[]): EndpointAudit[] {
  const live = endpoints.filter(LIVE);
  return tables
    .filter((t) => t.mode !== 'unmanaged')
    .map((t) => {
      const present = AUDITED_SERVICES.filter((s) => live.some((e) => e.service === s && e.vpcId === t.vpcId && e.routeTableIds.includes(t.routeTableId)));
      return { routeTableId: t.routeTableId, vpcId: t.vpcId, present, missing: AUDITED_SERVICES.filter((s) => !present.includes(s)) };
    });
}

/** `com.amazonaws.us-east-1.s3` → `s3`; other naming schemes keep their last segment. */
export const serviceShortName = (serviceName: string): string => serviceName.split('.').pop() ?? serviceName;
