/**
 * `nat-failover doctor`: a preflight for one region. Pure: the facts are read elsewhere (src/cli/
 * doctor.ts through src/aws/), this turns them into one line per check with PASS / WARN / FAIL and
 * the fix. The managed tables are judged by the controller's own resolution (the planner's table
 * views and findings, core/health's isFailoverTarget), never by a second copy of its rules.
 */
import { MANAGED_DESTINATIONS, TAG_PREFIX, TAGS, TAGS_PER_RESOURCE_MAX } from '../core/constants';
import { isFailoverTarget } from '../core/health';
import { MEMORY_SLOTS_MIN } from '../core/planner';
import { userTagCount } from '../core/state';
import type { NatGateway, Zone } from '../core/types';
import { AUDITED_SERVICES, auditEndpoints } from './endpoints';
import type { GatewayEndpoint } from './ports';
import type { World } from './resolve';

export type Verdict = 'PASS' | 'WARN' | 'FAIL';

export interface DoctorCheck {
  readonly check: string;
  readonly verdict: Verdict;
  /** The resource the line is about (table, VPC, function, alarm), or null for the region. */
  readonly subject: string | null;
  readonly message: string;
  /** What to do; null on PASS. */
  readonly fix: string | null;
}

/** A fact, or why it could not be read (then the check says "not checked", never PASS). */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface FunctionFact {
  readonly name: string;
  /** False: GetFunction answered ResourceNotFound. */
  readonly found: boolean;
  /** Lambda's State (Active, Pending, Inactive, Failed), when found. */
  readonly state?: string;
  readonly reservedConcurrency?: number;
}

export interface RuleFact {
  readonly name: string;
  readonly state: string;
  readonly scheduleExpression?: string;
}

export interface AlarmFact {
  readonly name: string;
  readonly found: boolean;
  readonly actionsEnabled?: boolean;
}

export interface StackFacts {
  readonly functions: readonly FunctionFact[];
  /** EventBridge rules that target reconcile (ListRuleNamesByTarget + DescribeRule). */
  readonly rules: Read<readonly RuleFact[]>;
  readonly alarms: Read<readonly AlarmFact[]>;
}

export interface DoctorFacts {
  readonly region: string;
  /** Names the deployed stack: nat-failover-<stage>-reconcile and so on. */
  readonly stage: string;
  readonly managedTag: { readonly key: string; readonly value: string };
  /** --vpc: the VPCs the operator expects to be protected (empty: the whole region). */
  readonly vpcIds: readonly string[];
  /** DescribeAvailabilityZones: proves credentials and region at once. */
  readonly zones: Read<readonly Zone[]>;
  /** The controller's observe + decide (read-only), when the zones could be read. */
  readonly world?: Read<World>;
  readonly endpoints?: Read<readonly GatewayEndpoint[]>;
  readonly stack?: Read<StackFacts>;
  /** Lambda GetAccountSettings: AccountLimit.UnreservedConcurrentExecutions. */
  readonly unreservedConcurrency?: Read<number>;
}

/**
 * Lambda keeps this much of the account's concurrency unreserved: "You can reserve up to the
 * Unreserved account concurrency value minus 100 for functions that don't have reserved
 * concurrency" (AWS Lambda Developer Guide, "Configuring reserved concurrency for a function").
 * reconcile reserves 1 (serverless.yml), so an account needs 101 unreserved before the deploy.
 */
export const UNRESERVED_MINIMUM = 100;
export const RECONCILE_RESERVED = 1;

/**
 * State keys the controller may hold on one table at once (TAGS) plus the evacuation-memory slot
 * the planner always keeps free (MEMORY_SLOTS_MIN): the room a table needs beside its owner's tags.
 */
export const STATE_ROOM = Object.keys(TAGS).length + MEMORY_SLOTS_MIN;
/** WARN this many tags before that room runs out: a second evacuated AZ needs one more key. */
export const TAG_ROOM_MARGIN = 2;

/**
 * Regional NAT gateways (AWS, November 2025) support public connectivity only (Amazon VPC User
 * Guide, "Regional NAT gateways for automatic multi-AZ expansion", as cited by
 * ansible-collections/amazon.aws#2989, whose module rejects connectivity_type=private for them) and
 * launched in the commercial Regions: the GovCloud (US) and China partitions are taken as without
 * them (not verified here against a per-Region list). A region name of another shape (us-iso-…,
 * eusc-…) is said to be unknown.
 * Partition by region name prefix, as the ARNs do.
 */
export function partitionOf(region: string): 'aws' | 'aws-us-gov' | 'aws-cn' | 'other' {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (/^[a-z]{2}-[a-z]+-\d+$/.test(region)) return 'aws';
  return 'other';
}

const line = (check: string, verdict: Verdict, subject: string | null, message: string, fix: string | null = null): DoctorCheck => ({
  check,
  verdict,
  subject,
  message,
  fix: verdict === 'PASS' ? null : fix,
});

const list = (xs: readonly string[], max = 5): string => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`);

function credentials(f: DoctorFacts): DoctorCheck {
  if (!f.zones.ok) {
    return line('credentials', 'FAIL', f.region, `DescribeAvailabilityZones failed: ${f.zones.error}`, 'check the region (--region or AWS_REGION) and credentials (--profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); for an emulator add --endpoint URL');
  }
  if (f.zones.value.length === 0) return line('credentials', 'FAIL', f.region, 'the region lists no availability zones', 'check --region');
  return line('credentials', 'PASS', f.region, `credentials and region work: ${f.zones.value.length} availability zones readable (DescribeAvailabilityZones)`);
}

/** Managed tables, each table's home AZ and home gateway, gateways per AZ and failover targets. */
function tables(f: DoctorFacts, w: World): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const tag = `${f.managedTag.key}=${f.managedTag.value}`;
  const views = w.plan.tables;
  const regionalSkips = new Set(w.plan.findings.filter((x) => x.kind === 'regional-nat').map((x) => x.routeTableId));
  const vpcs = [...new Set(views.map((t) => t.vpcId))].sort();
  if (views.length === 0) {
    out.push(line('managed-tables', 'FAIL', f.vpcIds.length > 0 ? list(f.vpcIds) : f.region, `no route table tagged ${tag}: nothing is protected`, `tag each private route table: aws ec2 create-tags --resources rtb-… --tags Key=${f.managedTag.key},Value=${f.managedTag.value}`));
    return out;
  }
  out.push(line('managed-tables', 'PASS', f.region, `${views.length} route table(s) tagged ${tag} in ${vpcs.length} VPC(s): ${list(vpcs)}`));
  for (const v of f.vpcIds.filter((id) => !vpcs.includes(id))) {
    out.push(line('managed-tables', 'FAIL', v, `no route table tagged ${tag} in this VPC: it is not protected`, `tag its private route tables ${tag}, or check the VPC id`));
  }

  const nats = new Map(w.obs.inventory.natGateways.map((n) => [n.id, n]));
  const sorted = [...views].sort((a, b) => a.vpcId.localeCompare(b.vpcId) || (a.homeAz ?? '').localeCompare(b.homeAz ?? '') || a.routeTableId.localeCompare(b.routeTableId));
  for (const v of sorted) {
    if (regionalSkips.has(v.routeTableId)) continue; // reported under regional-nat
    if (v.mode === 'unmanaged') {
      out.push(line('table', 'FAIL', v.routeTableId, `skipped by the controller: ${v.reason ?? 'no reason given'}`, `make the table resolvable as the reason says (nat-failover:home-az / nat-failover:home-nat tags, a default route to a NAT gateway), or remove its ${f.managedTag.key} tag`));
      continue;
    }
    const home = v.homeNat === undefined ? undefined : nats.get(v.homeNat);
    if (home === undefined) {
      out.push(line('table', 'FAIL', v.routeTableId, `home AZ ${v.homeAz ?? '?'} resolved, but no home gateway${v.homeNat ? ` (${v.homeNat} is gone)` : ''}`, `create a NAT gateway in ${v.homeAz ?? 'the home AZ'}, or set nat-failover:home-nat to an existing one`));
      continue;
    }
    out.push(line('table', 'PASS', v.routeTableId, `${v.vpcId}: home AZ ${v.homeAz ?? '?'}, home gateway ${home.id}${v.currentTarget !== home.id ? `, now on ${v.currentTarget ?? '?'} (${v.mode})` : ''}`));
  }

  // Per VPC and home AZ: a zonal gateway of its own, and somewhere to go when it fails.
  const groups = new Map<string, { vpcId: string; az: string; tables: string[]; homes: Set<string> }>();
  for (const v of sorted) {
    if (v.mode === 'unmanaged' || v.homeAz === undefined) continue;
    const key = `${v.vpcId} ${v.homeAz}`;
    const g = groups.get(key) ?? { vpcId: v.vpcId, az: v.homeAz, tables: [], homes: new Set<string>() };
    g.tables.push(v.routeTableId);
    if (v.homeNat) g.homes.add(v.homeNat);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const subject = `${g.vpcId} ${g.az}`;
    const homes = [...g.homes].map((id) => nats.get(id)).filter((n): n is NatGateway => n !== undefined);
    const connectivity = new Set(homes.map((n) => n.connectivityType));
    const peers = w.obs.inventory.natGateways.filter((n) => n.vpcId === g.vpcId && n.availabilityMode === 'zonal' && (connectivity.size === 0 || connectivity.has(n.connectivityType)));
    const own = peers.filter((n) => n.az === g.az && n.state === 'available');
    if (own.length === 0) {
      const riding = homes.filter((n) => n.az !== g.az).map((n) => `${n.id} (${n.az ?? '?'})`);
      out.push(
        line(
          'gateway-per-az',
          'FAIL',
          subject,
          `no available NAT gateway in ${g.az} for ${list(g.tables)}${riding.length > 0 ? `: they ride ${list(riding)}, so that AZ's outage takes them down too and there is no home to return to` : ''}`,
          `create a NAT gateway in a public subnet of ${g.az} and point the AZ's private tables at it`,
        ),
      );
    } else {
      out.push(line('gateway-per-az', 'PASS', subject, `${list(own.map((n) => n.id))} available in ${g.az}`));
    }
    const targets = peers.filter((n) => n.az !== g.az && isFailoverTarget(n, w.health.gateways.get(n.id)));
    if (targets.length === 0) {
      out.push(line('failover-target', 'FAIL', subject, `no healthy NAT gateway of the same connectivity in another AZ: a failure in ${g.az} has nowhere to go`, `create a NAT gateway in a second AZ of ${g.vpcId}`));
    } else {
      out.push(line('failover-target', 'PASS', subject, `can fail over to ${list(targets.map((n) => `${n.id} (${n.az})`))}`));
    }
  }
  return out;
}

/** Owner tags leave room for the controller's state and its evacuation memory (EC2: 50 per resource). */
function tagRoom(w: World): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  let most = 0;
  for (const t of w.obs.inventory.routeTables) {
    const owner = userTagCount(Object.fromEntries(Object.entries(t.tags).filter(([k]) => !k.startsWith(TAG_PREFIX))));
    const total = userTagCount(t.tags);
    most = Math.max(most, total);
    const room = TAGS_PER_RESOURCE_MAX - owner;
    if (room < STATE_ROOM) {
      out.push(line('tag-room', 'FAIL', t.id, `${owner} owner tags leave ${room} of EC2's ${TAGS_PER_RESOURCE_MAX}: the controller needs ${STATE_ROOM} (${Object.keys(TAGS).length} state keys + ${MEMORY_SLOTS_MIN} evacuation memory); state that does not fit goes unrecorded (routes still move; the planner reports tag-budget)`, `remove at least ${STATE_ROOM - room} tag(s) from ${t.id}`));
    } else if (room < STATE_ROOM + TAG_ROOM_MARGIN) {
      out.push(line('tag-room', 'WARN', t.id, `${owner} owner tags leave ${room} of EC2's ${TAGS_PER_RESOURCE_MAX}, just above the ${STATE_ROOM} the controller needs; one more tag or a second evacuated AZ and state goes unrecorded`, `remove ${STATE_ROOM + TAG_ROOM_MARGIN - room} tag(s) from ${t.id}`));
    }
  }
  if (out.length === 0 && w.obs.inventory.routeTables.length > 0) {
    out.push(line('tag-room', 'PASS', null, `every managed table has room for the controller's ${STATE_ROOM} state and memory keys (most tags on one table: ${most} of ${TAGS_PER_RESOURCE_MAX})`));
  }
  return out;
}

const vpcsOf = (w: World): string[] => [...new Set(w.obs.inventory.routeTables.map((t) => t.vpcId))].sort();

/** VPCs already on a regional NAT gateway, as the controller detects them (ec2.ts toNat). */
function regionalNat(w: World): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const vpcs = vpcsOf(w);
  for (const vpc of vpcs) {
    const regional = w.obs.inventory.natGateways.filter((n) => n.vpcId === vpc && n.availabilityMode === 'regional').map((n) => n.id).sort();
    if (regional.length === 0) continue;
    const onIt = w.plan.findings.filter((x) => x.kind === 'regional-nat' && x.vpcId === vpc).map((x) => x.routeTableId ?? '?');
    if (onIt.length > 0) {
      out.push(line('regional-nat', 'WARN', vpc, `${list(onIt)} use regional NAT gateway ${list(regional)}: AWS spans AZs itself, the controller leaves them alone`, `nothing to fail over: remove the nat-failover tag from ${list(onIt)}`));
    } else {
      out.push(line('regional-nat', 'PASS', vpc, `regional NAT gateway ${list(regional)} present; no managed table uses it`));
    }
  }
  if (out.length === 0 && vpcs.length > 0) out.push(line('regional-nat', 'PASS', null, 'no regional NAT gateway in the managed VPCs'));
  return out;
}

/**
 * Per VPC, whether AWS's regional NAT gateway would serve it instead of zonal gateways and this
 * controller: it does public connectivity only, in the commercial partition (Amazon VPC User Guide,
 * "Regional NAT gateways for automatic multi-AZ expansion"). Said plainly, with what migrating costs.
 */
function regionalFit(f: DoctorFacts, w: World): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const partition = partitionOf(f.region);
  const nats = new Map(w.obs.inventory.natGateways.map((n) => [n.id, n]));
  for (const vpc of vpcsOf(w)) {
    const used = new Set<NatGateway>();
    for (const t of w.obs.inventory.routeTables.filter((x) => x.vpcId === vpc)) {
      for (const d of MANAGED_DESTINATIONS) {
        const r = t.routes.find((x) => x.destination === d && x.target.kind === 'nat');
        const n = r ? nats.get(r.target.id) : undefined;
        if (n && n.availabilityMode === 'zonal') used.add(n);
      }
    }
    if (used.size === 0) continue;
    const types = new Set([...used].map((n) => n.connectivityType));
    if (partition === 'aws-us-gov' || partition === 'aws-cn') {
      out.push(line('regional-nat-fit', 'PASS', vpc, `AWS's regional NAT gateway is not offered in ${f.region} (${partition}): zonal gateways with failover remain the way`));
    } else if (partition === 'other') {
      out.push(line('regional-nat-fit', 'PASS', vpc, `doctor does not know whether AWS's regional NAT gateway is offered in ${f.region}: check the Amazon VPC User Guide before planning a move`));
    } else if (types.has('private')) {
      out.push(line('regional-nat-fit', 'PASS', vpc, "private NAT gateways: AWS's regional NAT gateway supports public connectivity only, so zonal gateways with failover remain the way"));
    } else {
      out.push(
        line(
          'regional-nat-fit',
          'WARN',
          vpc,
          `AWS's regional NAT gateway would serve this VPC instead (public connectivity, commercial region): it spans AZs by itself and needs no failover controller. Migrating changes the egress IP addresses (allow-lists must learn the new ones) and resets established connections`,
          'if egress IPs and a one-time reset are acceptable, plan a migration to a regional NAT gateway (Amazon VPC User Guide, "Regional NAT gateways"); until then keep nat-failover',
        ),
      );
    }
  }
  return out;
}

/** S3 and DynamoDB gateway endpoints, per VPC, on every managed table. */
function endpoints(f: DoctorFacts, w: World): DoctorCheck[] {
  if (!f.endpoints) return [];
  if (!f.endpoints.ok) return [line('gateway-endpoints', 'WARN', null, `not checked: DescribeVpcEndpoints failed: ${f.endpoints.error}`, 'allow ec2:DescribeVpcEndpoints to run this check')];
  const audits = auditEndpoints(w.plan.tables, f.endpoints.value);
  const out: DoctorCheck[] = [];
  for (const vpc of [...new Set(audits.map((a) => a.vpcId))].sort()) {
    const mine = audits.filter((a) => a.vpcId === vpc);
    for (const s of AUDITED_SERVICES) {
      const missing = mine.filter((a) => a.missing.includes(s)).map((a) => a.routeTableId).sort();
      if (missing.length === 0) {
        out.push(line('gateway-endpoints', 'PASS', vpc, `${s} gateway endpoint route on all ${mine.length} managed table(s)`));
      } else {
        out.push(
          line(
            'gateway-endpoints',
            'WARN',
            vpc,
            `no ${s} gateway endpoint route on ${list(missing)}: ${s} traffic crosses the NAT gateway (per-GB processing charge) and its connections break on every failover`,
            `aws ec2 create-vpc-endpoint --vpc-id ${vpc} --vpc-endpoint-type Gateway --service-name com.amazonaws.${f.region}.${s} --route-table-ids ${missing.slice(0, 5).join(' ')}${missing.length > 5 ? ' …' : ''} (or add the tables to the existing endpoint)`,
          ),
        );
      }
    }
  }
  return out;
}

/** The deployed stack: functions active, reconcile's single slot, its rules enabled, its alarms armed. */
function stack(f: DoctorFacts): DoctorCheck[] {
  if (!f.stack) return [];
  if (!f.stack.ok) return [line('stack', 'WARN', null, `not checked: ${f.stack.error}`, 'allow lambda:GetFunction, events:ListRuleNamesByTarget, events:DescribeRule and cloudwatch:DescribeAlarms to run this check')];
  const s = f.stack.value;
  const name = `nat-failover-${f.stage}`;
  if (s.functions.every((x) => !x.found)) {
    return [line('stack', 'WARN', name, `not deployed in ${f.region} (no function ${list(s.functions.map((x) => x.name))}): functions, rules and alarms not checked`, `deploy it (docs/deploy.md), or pass --stage if it was deployed under another stage`)];
  }
  const out: DoctorCheck[] = [];
  for (const fn of s.functions) {
    if (!fn.found) {
      out.push(line('function', 'FAIL', fn.name, 'missing while the rest of the stack is deployed', 'redeploy the stack (npx serverless deploy)'));
    } else if (fn.state !== undefined && fn.state !== 'Active') {
      out.push(line('function', 'FAIL', fn.name, `state ${fn.state}: it cannot run`, 'check the function in the Lambda console (StateReasonCode) and redeploy'));
    } else if (fn.name.endsWith('-reconcile') && fn.reservedConcurrency !== RECONCILE_RESERVED) {
      out.push(line('function', 'FAIL', fn.name, `reserved concurrency is ${fn.reservedConcurrency ?? 'unset'}, not ${RECONCILE_RESERVED}: two runs could race on the same routes`, `aws lambda put-function-concurrency --function-name ${fn.name} --reserved-concurrent-executions ${RECONCILE_RESERVED}`));
    } else {
      out.push(line('function', 'PASS', fn.name, `active${fn.reservedConcurrency !== undefined ? `, reserved concurrency ${fn.reservedConcurrency}` : ''}`));
    }
  }
  if (!s.rules.ok) {
    out.push(line('rules', 'WARN', null, `not checked: ${s.rules.error}`, 'allow events:ListRuleNamesByTarget and events:DescribeRule'));
  } else {
    const disabled = s.rules.value.filter((r) => r.state !== 'ENABLED');
    const schedule = s.rules.value.filter((r) => r.scheduleExpression !== undefined && r.state === 'ENABLED');
    for (const r of disabled) out.push(line('rules', 'FAIL', r.name, `EventBridge rule is ${r.state}: reconcile misses its ${r.scheduleExpression ? 'schedule' : 'events'}`, `aws events enable-rule --name ${r.name}`));
    if (schedule.length === 0) {
      out.push(line('rules', 'FAIL', `${name}-reconcile`, 'no enabled schedule rule targets reconcile: nothing runs it every minute', 'redeploy the stack (npx serverless deploy)'));
    } else if (disabled.length === 0) {
      out.push(line('rules', 'PASS', `${name}-reconcile`, `${s.rules.value.length} EventBridge rule(s) target reconcile, all enabled (schedule ${schedule[0]?.scheduleExpression})`));
    }
  }
  if (!s.alarms.ok) {
    out.push(line('alarms', 'WARN', null, `not checked: ${s.alarms.error}`, 'allow cloudwatch:DescribeAlarms'));
  } else {
    for (const a of s.alarms.value) {
      if (!a.found) out.push(line('alarms', 'FAIL', a.name, 'missing: a failing or stopped controller would page nobody', 'redeploy the stack (npx serverless deploy)'));
      else if (a.actionsEnabled === false) out.push(line('alarms', 'WARN', a.name, 'actions disabled: it changes state but notifies nobody', `aws cloudwatch enable-alarm-actions --alarm-names ${a.name}`));
      else out.push(line('alarms', 'PASS', a.name, 'present, actions enabled'));
    }
  }
  return out;
}

/** Room in the account for reconcile's reservedConcurrency: 1 (see UNRESERVED_MINIMUM). */
function concurrency(f: DoctorFacts): DoctorCheck[] {
  const u = f.unreservedConcurrency;
  if (!u) return [];
  const reconcile = f.stack?.ok ? f.stack.value.functions.find((x) => x.name.endsWith('-reconcile')) : undefined;
  // Already reserved: the account had the room when it was deployed, whatever it reads now.
  if (reconcile?.found && reconcile.reservedConcurrency === RECONCILE_RESERVED) {
    return [line('concurrency', 'PASS', null, `reconcile holds its reserved slot${u.ok ? `; ${u.value} unreserved left to the account` : ''}`)];
  }
  if (!u.ok) return [line('concurrency', 'WARN', null, `not checked: GetAccountSettings failed: ${u.error}`, `allow lambda:GetAccountSettings (an emulator may not implement it); the deploy needs ${UNRESERVED_MINIMUM + RECONCILE_RESERVED} unreserved`)];
  const after = u.value - RECONCILE_RESERVED;
  if (after < UNRESERVED_MINIMUM) {
    return [
      line(
        'concurrency',
        'FAIL',
        null,
        `${u.value} unreserved concurrent executions: reserving ${RECONCILE_RESERVED} for reconcile would leave ${after}, below Lambda's minimum of ${UNRESERVED_MINIMUM}; the deploy fails`,
        'raise the Lambda "Concurrent executions" quota (Service Quotas, L-B99A9384)',
      ),
    ];
  }
  return [line('concurrency', 'PASS', null, `${u.value} unreserved concurrent executions: room for reconcile's reserved ${RECONCILE_RESERVED} above Lambda's minimum of ${UNRESERVED_MINIMUM}`)];
}

/** Every check, in a fixed order. Without working credentials only that line: nothing else can be read. */
export function doctorChecks(f: DoctorFacts): DoctorCheck[] {
  const first = credentials(f);
  if (first.verdict === 'FAIL') return [first];
  const out: DoctorCheck[] = [first];
  if (f.world && !f.world.ok) {
    out.push(line('managed-tables', 'FAIL', f.region, `the managed tables could not be read: ${f.world.error}`, 'fix the error above (permissions: ec2:DescribeRouteTables, DescribeNatGateways, DescribeSubnets)'));
  } else if (f.world) {
    const w = f.world.value;
    out.push(...tables(f, w), ...tagRoom(w), ...regionalNat(w), ...endpoints(f, w), ...regionalFit(f, w));
  }
  out.push(...stack(f), ...concurrency(f));
  return out;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly region: string;
  readonly stage: string;
  readonly counts: Readonly<Record<Verdict, number>>;
  readonly checks: readonly DoctorCheck[];
}

export function doctorReport(f: DoctorFacts): DoctorReport {
  const checks = doctorChecks(f);
  const counts = { PASS: 0, WARN: 0, FAIL: 0 };
  for (const c of checks) counts[c.verdict] += 1;
  return { ok: counts.FAIL === 0, region: f.region, stage: f.stage, counts, checks };
}

/** One line per check: `VERDICT check subject: message — fix: …`, then the counts. */
export function renderDoctor(r: DoctorReport): string {
  const lines = r.checks.map((c) =>
    `${c.verdict}  ${c.check.padEnd(17)} ${c.subject ? `${c.subject}: ` : ''}${c.message}${c.fix ? ` — fix: ${c.fix}` : ''}`.replace(/[\r\n]+/g, ' '),
  );
  lines.push(`doctor: ${r.counts.PASS} PASS, ${r.counts.WARN} WARN, ${r.counts.FAIL} FAIL (${r.region}, stage ${r.stage})`);
  return lines.join('\n');
}
