/**
 * An in-process EC2 and CloudWatch for the real-SDK benchmark (bench/realSdk.ts): a `requestHandler`
 * for the SDK v3 clients (the client option takes any object with `handle()`), so a run goes through
 * the real adapters (src/aws/), the real SDK middleware, signing and protocol parsers, and only the
 * network is replaced. It serves a simulated World (src/sim/world.ts) and applies CreateTags,
 * DeleteTags, ReplaceRoute and PutMetricAlarm to it.
 *
 * Responses follow EC2's Query-protocol XML as the EC2 API reference prints it (for instance
 * DescribeRouteTables, DescribeSubnets, DescribeNatGateways "Example" sections): the fields real
 * responses carry (owner ids, route origins, association ids and states, subnet CIDRs and options,
 * NAT gateway addresses), with each element on its own indented line. CloudWatch answers in the AWS
 * JSON 1.0 protocol its SDK client speaks (@aws-sdk/client-cloudwatch 3.11xx).
 *
 * Every response byte is counted (`bytes`), and the CPU time spent generating responses
 * (`serverCpuMicros`) is counted so the benchmark can subtract it from the run's CPU.
 */
import { Readable } from 'node:stream';
import type { SimNat, SimSubnet, SimTable, World } from '../src/sim/world';

/** The request fields the handler reads (a subset of @smithy/protocol-http HttpRequest). */
interface Request {
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

interface Alarm {
  name: string;
  description: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  since: Date;
  metrics: unknown;
}

const OWNER = '111122223333';
const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A tiny indenting XML writer: EC2's responses put each element on its own line. */
class Xml {
  private readonly parts: string[] = [];
  private depth = 0;
  open(tag: string): this {
    this.parts.push(`${'    '.repeat(this.depth++)}<${tag}>\n`);
    return this;
  }
  close(tag: string): this {
    this.parts.push(`${'    '.repeat(--this.depth)}</${tag}>\n`);
    return this;
  }
  leaf(tag: string, value: string | number | boolean): this {
    this.parts.push(`${'    '.repeat(this.depth)}<${tag}>${esc(String(value))}</${tag}>\n`);
    return this;
  }
  empty(tag: string): this {
    this.parts.push(`${'    '.repeat(this.depth)}<${tag}/>\n`);
    return this;
  }
  toString(): string {
    return this.parts.join('');
  }
}

/** Deterministic 17-hex-digit suffixes, as real resource ids have (`rtb-0123456789abcdef0`). */
function realId(prefix: string, n: number): string {
  return `${prefix}-0${(n * 2654435761 % 0xffffffff).toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}`;
}

/**
 * The world with real-length ids (the simulator's are short: `rtb-2a1`), a Name tag on every table
 * and subnet as most accounts have, and the rest unchanged. Response size scales with id length.
 */
export function realisticWorld(w: World): World {
  const map = new Map<string, string>();
  let n = 0;
  const id = (old: string): string => {
    if (old === 'local' || old.startsWith('pl-')) return old;
    let v = map.get(old);
    if (!v) {
      v = realId(old.slice(0, old.indexOf('-')), ++n);
      map.set(old, v);
    }
    return v;
  };
  return {
    region: w.region,
    zones: w.zones.map((z) => ({ ...z })),
    vpcs: w.vpcs.map(id),
    subnets: w.subnets.map((s) => ({ ...s, id: id(s.id), vpcId: id(s.vpcId) })),
    nats: w.nats.map((x) => ({ ...x, id: id(x.id), vpcId: id(x.vpcId), subnetId: x.subnetId && id(x.subnetId) })),
    tables: w.tables.map((t) => ({
      id: id(t.id),
      vpcId: id(t.vpcId),
      tags: { ...t.tags, Name: `${t.tags.Name ?? 'private'}-${t.id.slice(4)}` },
      subnetIds: t.subnetIds.map(id),
      routes: t.routes.map((r) => ({ destination: r.destination, target: { kind: r.target.kind, id: id(r.target.id) } })),
    })),
  };
}

/** `Filter.1.Name=x&Filter.1.Value.1=y` (or `<prefix>.N...`) → [{ name, values }]. */
function filters(q: URLSearchParams, prefix = 'Filter'): { name: string; values: string[] }[] {
  const out: { name: string; values: string[] }[] = [];
  for (let i = 1; q.has(`${prefix}.${i}.Name`); i++) {
    const values: string[] = [];
    for (let j = 1; q.has(`${prefix}.${i}.Value.${j}`); j++) values.push(q.get(`${prefix}.${i}.Value.${j}`)!);
    out.push({ name: q.get(`${prefix}.${i}.Name`)!, values });
  }
  return out;
}

/**
 * One EC2 filter value as a matcher. EC2 filter values take wildcards: `*` matches zero or more
 * characters, `?` exactly one, and a backslash makes the next character literal (`\*amazon\?\\`
 * is the literal `*amazon?\`): the EC2 `Filter` documentation of the AWS SDKs and the EC2 API
 * reference's describe pages ("You can use wildcards with the filter values..."). A trailing lone
 * backslash, which those pages leave undefined, is read as a literal backslash.
 *
 * Matched without a regular expression (a value is tokens, `*` backtracks to the last star), so
 * no filter value can make the fake's matching exponential; bench/fakeAws.test.ts checks it
 * against a regular-expression translation of the same rules.
 */
export function filterValueMatcher(pattern: string): (value: string) => boolean {
  type Token = { readonly star: true } | { readonly any: true } | { readonly char: string };
  const tokens: Token[] = [];
  // Code points, not UTF-16 units: `?` is one character.
  const cs = [...pattern];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === '\\' && i + 1 < cs.length) tokens.push({ char: cs[++i]! });
    else if (c === '*') tokens.push({ star: true });
    else if (c === '?') tokens.push({ any: true });
    else tokens.push({ char: c });
  }
  if (tokens.every((t) => 'char' in t)) {
    const literal = tokens.map((t) => (t as { char: string }).char).join('');
    return (value) => value === literal;
  }
  return (v) => {
    const value = [...v];
    let p = 0;
    let s = 0;
    let starAt = -1;
    let starS = 0;
    while (s < value.length) {
      const t = tokens[p];
      if (t && 'star' in t) {
        starAt = p++;
        starS = s;
      } else if (t && ('any' in t || t.char === value[s])) {
        p++;
        s++;
      } else if (starAt >= 0) {
        p = starAt + 1;
        s = ++starS;
      } else return false;
    }
    while (p < tokens.length && 'star' in tokens[p]!) p++;
    return p === tokens.length;
  };
}

/**
 * The DescribeRouteTables filters the fake implements (besides `tag:<key>`): those the adapter
 * sends. EC2 documents `tag-key` as "the key of a tag assigned to the resource ... regardless of
 * the tag value" (DescribeRouteTables, EC2 API reference).
 */
const ROUTE_TABLE_FILTERS: readonly string[] = ['vpc-id', 'route-table-id', 'tag-key'];

/** A filter's values as one matcher: EC2 joins a filter's values with OR. */
const anyOf = (values: readonly string[]): ((value: string | undefined) => boolean) => {
  const ms = values.map(filterValueMatcher);
  return (value) => value !== undefined && ms.some((m) => m(value));
};

const list = (q: URLSearchParams, prefix: string): string[] => {
  const out: string[] = [];
  for (let i = 1; q.has(`${prefix}.${i}`); i++) out.push(q.get(`${prefix}.${i}`)!);
  return out;
};

/** EC2 pages only when MaxResults is sent (capped per API); otherwise every match at once. */
function page<T>(items: readonly T[], q: URLSearchParams, cap: number): { items: readonly T[]; next?: string } {
  if (!q.has('MaxResults') && !q.has('NextToken')) return { items };
  const size = Math.min(Number(q.get('MaxResults') ?? cap), cap);
  const from = Number(q.get('NextToken') ?? 0);
  return { items: items.slice(from, from + size), ...(from + size < items.length ? { next: String(from + size) } : {}) };
}

function ec2Error(code: string, message: string): { status: number; body: string } {
  return {
    status: 400,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>`,
  };
}

export class FakeAws {
  /** Response bytes served, per operation and in total. */
  bytes = 0;
  /**
   * The same responses without the whitespace between elements (the indentation and line breaks
   * EC2's documented examples show): what a server that sent compact XML would have sent.
   */
  compactBytes = 0;
  readonly bytesByOperation: Record<string, number> = {};
  readonly calls: Record<string, number> = {};
  serverCpuMicros = 0;
  readonly alarms = new Map<string, Alarm>();
  private requestNo = 0;
  private readonly subnetById: Map<string, SimSubnet>;
  private readonly tableById: Map<string, SimTable>;

  constructor(readonly world: World) {
    this.subnetById = new Map(world.subnets.map((s) => [s.id, s]));
    this.tableById = new Map(world.tables.map((t) => [t.id, t]));
  }

  /** Zeroes the counters (between the warm-up and the measured runs). */
  resetCounters(): void {
    this.bytes = 0;
    this.compactBytes = 0;
    this.serverCpuMicros = 0;
    for (const k of Object.keys(this.bytesByOperation)) delete this.bytesByOperation[k];
    for (const k of Object.keys(this.calls)) delete this.calls[k];
  }

  /** The `requestHandler` for an EC2Client or CloudWatchClient. */
  readonly handler = {
    handle: async (request: Request): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Readable } }> => {
      const cpu = process.cpuUsage();
      const target = request.headers['x-amz-target'];
      const text = request.body instanceof Uint8Array ? Buffer.from(request.body).toString('utf8') : String(request.body);
      const r = target ? this.cloudwatch(target.split('.').pop()!, JSON.parse(text) as Record<string, unknown>) : this.ec2(new URLSearchParams(text));
      const body = Buffer.from(r.body, 'utf8');
      this.bytes += body.length;
      this.compactBytes += target ? body.length : Buffer.byteLength(r.body.replace(/>\s+</g, '><'), 'utf8');
      this.bytesByOperation[r.operation] = (this.bytesByOperation[r.operation] ?? 0) + body.length;
      this.calls[r.operation] = (this.calls[r.operation] ?? 0) + 1;
      const used = process.cpuUsage(cpu);
      this.serverCpuMicros += used.user + used.system;
      const headers = { 'content-type': target ? 'application/x-amz-json-1.0' : 'text/xml;charset=UTF-8', 'content-length': String(body.length), 'x-amzn-requestid': this.requestId() };
      return { response: { statusCode: r.status, headers, body: Readable.from([body]) } };
    },
    updateHttpClientConfig: (): void => {},
    httpHandlerConfigs: (): Record<string, never> => ({}),
  };

  private requestId(): string {
    return `6f570b0b-9c18-4b07-bdec-${String(++this.requestNo).padStart(12, '0')}`;
  }

  private ec2(q: URLSearchParams): { operation: string; status: number; body: string } {
    const operation = q.get('Action') ?? '?';
    const ok = (inner: (x: Xml) => void): { operation: string; status: number; body: string } => {
      const x = new Xml();
      inner(x);
      return { operation, status: 200, body: `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${NS}">\n    <requestId>${this.requestId()}</requestId>\n${x.toString().replace(/^/gm, '    ').trimEnd()}\n</${operation}Response>` };
    };
    const fail = (code: string, message: string) => ({ operation, ...ec2Error(code, message) });
    switch (operation) {
      case 'DescribeRouteTables': {
        // Filters are ANDed, a filter's values ORed, each value with EC2's wildcards. A filter the
        // fake does not implement is refused as EC2 refuses an unknown one, never ignored (an
        // ignored filter would serve more tables than asked and measure another read).
        const f = filters(q).map((x) => ({ name: x.name, match: anyOf(x.values) }));
        const unknown = f.find((x) => !ROUTE_TABLE_FILTERS.includes(x.name) && !x.name.startsWith('tag:'));
        if (unknown) return fail('InvalidParameterValue', `The filter '${unknown.name}' is invalid`);
        const tables = this.world.tables.filter((t) =>
          f.every((x) =>
            x.name === 'vpc-id' ? x.match(t.vpcId)
            : x.name === 'route-table-id' ? x.match(t.id)
            : x.name === 'tag-key' ? Object.keys(t.tags).some((k) => x.match(k))
            : x.match(t.tags[x.name.slice(4)]),
          ),
        );
        const p = page(tables, q, 100);
        return ok((x) => {
          x.open('routeTableSet');
          for (const t of p.items) this.routeTable(x, t);
          x.close('routeTableSet');
          if (p.next) x.leaf('nextToken', p.next);
        });
      }
      case 'DescribeSubnets': {
        const f = filters(q).map((x) => ({ name: x.name, match: anyOf(x.values) }));
        const unknown = f.find((x) => x.name !== 'vpc-id' && x.name !== 'subnet-id');
        if (unknown) return fail('InvalidParameterValue', `The filter '${unknown.name}' is invalid`);
        const ids = list(q, 'SubnetId');
        const subnets = (ids.length > 0 ? ids.map((i) => this.subnetById.get(i)).filter((s): s is SimSubnet => !!s) : this.world.subnets).filter((s) =>
          f.every((x) => (x.name === 'vpc-id' ? x.match(s.vpcId) : x.name === 'subnet-id' ? x.match(s.id) : true)),
        );
        const p = page(subnets, q, 1000);
        return ok((x) => {
          x.open('subnetSet');
          for (const s of p.items) this.subnet(x, s);
          x.close('subnetSet');
          if (p.next) x.leaf('nextToken', p.next);
        });
      }
      case 'DescribeNatGateways': {
        const f = filters(q).map((x) => ({ name: x.name, match: anyOf(x.values) }));
        const unknown = f.find((x) => x.name !== 'vpc-id');
        if (unknown) return fail('InvalidParameterValue', `The filter '${unknown.name}' is invalid`);
        const nats = this.world.nats.filter((n) => f.every((x) => x.match(n.vpcId)));
        return ok((x) => {
          x.open('natGatewaySet');
          for (const n of nats) this.nat(x, n);
          x.close('natGatewaySet');
        });
      }
      case 'DescribeAvailabilityZones':
        return ok((x) => {
          x.open('availabilityZoneInfo');
          for (const z of this.world.zones) {
            x.open('item').leaf('zoneName', z.name).leaf('zoneState', z.state).leaf('regionName', this.world.region).leaf('zoneId', z.id);
            x.leaf('zoneType', 'availability-zone').leaf('optInStatus', 'opt-in-not-required').leaf('groupName', this.world.region).leaf('networkBorderGroup', this.world.region);
            x.empty('messageSet').close('item');
          }
          x.close('availabilityZoneInfo');
        });
      case 'CreateTags':
      case 'DeleteTags': {
        const ids = list(q, 'ResourceId');
        const tables = ids.map((i) => this.tableById.get(i));
        const missing = ids.find((_, i) => !tables[i]);
        if (missing) return fail('InvalidRouteTableID.NotFound', `The routeTable ID '${missing}' does not exist`);
        for (let i = 1; q.has(`Tag.${i}.Key`); i++) {
          const key = q.get(`Tag.${i}.Key`)!;
          for (const t of tables as SimTable[]) {
            if (operation === 'CreateTags') t.tags[key] = q.get(`Tag.${i}.Value`) ?? '';
            else delete t.tags[key];
          }
        }
        return ok((x) => x.leaf('return', true));
      }
      case 'ReplaceRoute': {
        const t = this.tableById.get(q.get('RouteTableId') ?? '');
        const dest = q.get('DestinationCidrBlock') ?? q.get('DestinationIpv6CidrBlock') ?? '';
        const r = t?.routes.find((x) => x.destination === dest);
        if (!t || !r) return fail('InvalidRoute.NotFound', `no route matching ${dest}`);
        r.target = { kind: 'nat', id: q.get('NatGatewayId') ?? '' };
        return ok((x) => x.leaf('return', true));
      }
      default:
        return fail('InvalidAction', `${operation} is not served by the benchmark`);
    }
  }

  private routeTable(x: Xml, t: SimTable): void {
    x.open('item').leaf('routeTableId', t.id).leaf('vpcId', t.vpcId).leaf('ownerId', OWNER);
    x.open('routeSet');
    for (const r of t.routes) {
      x.open('item');
      if (r.destination.startsWith('pl-')) x.leaf('destinationPrefixListId', r.destination);
      else if (r.destination.includes(':')) x.leaf('destinationIpv6CidrBlock', r.destination);
      else x.leaf('destinationCidrBlock', r.destination);
      if (r.target.kind === 'nat') x.leaf('natGatewayId', r.target.id);
      else x.leaf('gatewayId', r.target.id);
      x.leaf('state', 'active').leaf('origin', r.target.id === 'local' ? 'CreateRouteTable' : 'CreateRoute').close('item');
    }
    x.close('routeSet');
    x.open('associationSet');
    for (const s of t.subnetIds) {
      x.open('item').leaf('routeTableAssociationId', `rtbassoc-${s.slice(7)}`).leaf('routeTableId', t.id).leaf('subnetId', s).leaf('main', false);
      x.open('associationState').leaf('state', 'associated').close('associationState').close('item');
    }
    x.close('associationSet');
    x.empty('propagatingVgwSet');
    x.open('tagSet');
    for (const [k, v] of Object.entries(t.tags)) x.open('item').leaf('key', k).leaf('value', v).close('item');
    x.close('tagSet').close('item');
  }

  private subnet(x: Xml, s: SimSubnet): void {
    const zone = this.world.zones.find((z) => z.name === s.az);
    const n = Number.parseInt(s.id.slice(-8), 16) % 250;
    x.open('item').leaf('subnetId', s.id).leaf('subnetArn', `arn:aws:ec2:${this.world.region}:${OWNER}:subnet/${s.id}`).leaf('state', 'available');
    x.leaf('ownerId', OWNER).leaf('vpcId', s.vpcId).leaf('cidrBlock', `10.0.${n}.0/24`).empty('ipv6CidrBlockAssociationSet').leaf('availableIpAddressCount', 247);
    x.leaf('availabilityZone', s.az).leaf('availabilityZoneId', zone?.id ?? '').leaf('defaultForAz', false).leaf('mapPublicIpOnLaunch', s.public);
    x.leaf('mapCustomerOwnedIpOnLaunch', false).leaf('assignIpv6AddressOnCreation', false).leaf('enableDns64', false).leaf('ipv6Native', false);
    x.open('privateDnsNameOptionsOnLaunch').leaf('hostnameType', 'ip-name').leaf('enableResourceNameDnsARecord', false).leaf('enableResourceNameDnsAAAARecord', false).close('privateDnsNameOptionsOnLaunch');
    x.open('blockPublicAccessStates').leaf('internetGatewayBlockMode', 'off').close('blockPublicAccessStates');
    x.open('tagSet').open('item').leaf('key', 'Name').leaf('value', `${s.public ? 'public' : 'private'}-${s.az}-${s.id.slice(-6)}`).close('item').close('tagSet');
    x.close('item');
  }

  private nat(x: Xml, n: SimNat): void {
    x.open('item').leaf('createTime', '2026-01-05T10:00:00.000Z').open('natGatewayAddressSet');
    if (n.availabilityMode === 'zonal') {
      x.open('item').leaf('allocationId', `eipalloc-${n.id.slice(4)}`).leaf('networkInterfaceId', `eni-${n.id.slice(4)}`);
      x.leaf('privateIp', '10.0.0.10').leaf('publicIp', '198.51.100.10').leaf('associationId', `eipassoc-${n.id.slice(4)}`).leaf('isPrimary', true).leaf('status', 'succeeded').close('item');
    }
    x.close('natGatewayAddressSet').leaf('natGatewayId', n.id).leaf('state', n.state);
    if (n.subnetId) x.leaf('subnetId', n.subnetId);
    x.leaf('vpcId', n.vpcId).leaf('connectivityType', n.connectivityType).leaf('availabilityMode', n.availabilityMode);
    x.open('tagSet').open('item').leaf('key', 'Name').leaf('value', `nat-${n.az ?? 'regional'}`).close('item').close('tagSet');
    x.close('item');
  }

  private cloudwatch(operation: string, input: Record<string, unknown>): { operation: string; status: number; body: string } {
    switch (operation) {
      case 'DescribeAlarms': {
        const prefix = typeof input.AlarmNamePrefix === 'string' ? input.AlarmNamePrefix : '';
        const all = [...this.alarms.values()].filter((a) => a.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
        const max = Number(input.MaxRecords ?? 50);
        const from = input.NextToken ? Number(input.NextToken) : 0;
        const page = all.slice(from, from + max);
        const MetricAlarms = page.map((a) => ({
          AlarmName: a.name,
          AlarmArn: `arn:aws:cloudwatch:${this.world.region}:${OWNER}:alarm:${a.name}`,
          AlarmDescription: a.description,
          AlarmConfigurationUpdatedTimestamp: a.since.getTime() / 1000,
          ActionsEnabled: true,
          OKActions: [],
          AlarmActions: [],
          InsufficientDataActions: [],
          StateValue: a.state,
          StateReason: 'Threshold Crossed: no datapoints were received for 3 periods',
          StateUpdatedTimestamp: a.since.getTime() / 1000,
          StateTransitionedTimestamp: a.since.getTime() / 1000,
          Metrics: a.metrics,
          Dimensions: [],
          EvaluationPeriods: 7,
          DatapointsToAlarm: 3,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        }));
        const next = from + max < all.length ? { NextToken: String(from + max) } : {};
        return { operation, status: 200, body: JSON.stringify({ MetricAlarms, CompositeAlarms: [], ...next }) };
      }
      case 'PutMetricAlarm': {
        const name = String(input.AlarmName);
        this.alarms.set(name, { name, description: typeof input.AlarmDescription === 'string' ? input.AlarmDescription : '', state: 'OK', since: new Date('2026-11-29T00:00:00Z'), metrics: input.Metrics ?? [] });
        return { operation, status: 200, body: '{}' };
      }
      case 'DeleteAlarms':
        for (const n of (input.AlarmNames as string[] | undefined) ?? []) this.alarms.delete(n);
        return { operation, status: 200, body: '{}' };
      case 'GetMetricData':
        return { operation, status: 200, body: JSON.stringify({ MetricDataResults: [], Messages: [] }) };
      default:
        return { operation, status: 400, body: JSON.stringify({ __type: 'InvalidAction', message: `${operation} is not served by the benchmark` }) };
    }
  }
}
