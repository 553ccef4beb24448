import { PROBE_EVENT_DETAIL_TYPE } from '../core/probe';
import { date, type Json, obj, str } from './read';
import type { ParsedEvent, ProbeVerdictUpdate } from './types';

const VPC = /^vpc-[0-9a-f]{8,17}$/;
/** An AZ name as EC2 writes it (us-east-1a, us-gov-west-1b); never an id, never free text. */
const AZ_NAME = /^[a-z]{2}(?:-[a-z]+){1,3}-\d{1,2}[a-z]$/;
const NAT = /^nat-[0-9a-f]{8,17}$/;
/** Bounds from the contract (src/core/probe.ts): a handful of rounds per invocation. */
const MAX_ROUNDS = 100;

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ROUNDS ? v : undefined);

/**
 * The probe's verdict event (contract: src/core/probe.ts), sent by a failing probe invocation
 * straight to reconcile (Lambda async invoke, EventBridge-shaped). Read strictly: every field it
 * acts on must be well-formed, else the event is ignored (named in the log, bounded) and the run
 * is a plain level-triggered pass. Never throws. The per-target results are not read: the
 * verdict and its round counts are what the decision uses; the probe logs the details.
 */
export function parseProbeEvent(event: Json): ParsedEvent {
  const ignore = (why: string): ParsedEvent => ({ trigger: 'probe', updates: [], ignored: `malformed probe verdict: ${why}` });
  if (str(event['detail-type']) !== PROBE_EVENT_DETAIL_TYPE) return ignore(`detail-type is not "${PROBE_EVENT_DETAIL_TYPE}"`);
  const d = obj(event.detail);
  if (!d) return ignore('no detail');
  if (d.version !== 1) return ignore('version is not 1');
  const vpcId = str(d.vpcId);
  if (!vpcId || !VPC.test(vpcId)) return ignore('detail.vpcId is not a VPC id');
  const az = str(d.availabilityZone);
  if (!az || !AZ_NAME.test(az)) return ignore('detail.availabilityZone is not an AZ name');
  const verdict = d.verdict === 'ok' || d.verdict === 'failed' ? d.verdict : undefined;
  if (!verdict) return ignore('detail.verdict is neither ok nor failed');
  // The probe sends only failed verdicts; an `ok` event would stand in for its minute's metric datum
  // and could erase a failed minute from the recovery proof (found in review). Successes count only
  // from the metric, which only the probe's own log can write.
  if (verdict === 'ok') return ignore('detail.verdict is ok: the probe sends only failed verdicts; successes come from its metric');
  const rounds = count(d.roundsRun);
  const roundsFailed = count(d.roundsFailed);
  if (rounds === undefined || rounds < 1 || roundsFailed === undefined || roundsFailed > rounds) return ignore('detail.roundsRun/roundsFailed are not 0 <= failed <= run, 1..100 rounds');
  if ((verdict === 'failed') !== roundsFailed > 0) return ignore('detail.verdict disagrees with detail.roundsFailed');
  const at = date(d.at) ?? date(event.time);
  if (!at) return ignore('neither detail.at nor time is an ISO-8601 instant');
  const natRaw = str(d.natGatewayId);
  const update: ProbeVerdictUpdate = {
    kind: 'probe-verdict',
    vpcId,
    az,
    ...(natRaw !== undefined && NAT.test(natRaw) ? { natGatewayId: natRaw } : {}),
    round: { at, failed: verdict === 'failed', rounds, roundsFailed, source: 'event' },
  };
  return { trigger: 'probe', updates: [], probe: update };
}
