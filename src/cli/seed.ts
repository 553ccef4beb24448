import { parseArgs } from 'node:util';
import { DEMO_VPC_NAME, seedDemoOnce, type SeededVpc } from '../aws/seed';
import { quoted } from '../errors';
import { UsageError } from './args';
import { refused, toCliError } from './failure';

/** Minimal I/O, as main.ts's Io. */
interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const SEED_USAGE = `usage: nat-failover seed --endpoint URL [--region R] [--json] [--yes-real-aws]

  Creates a demonstration VPC in an emulator (moto, LocalStack): 3 AZs, each with a public
  subnet + NAT gateway and a private subnet whose managed route table (nat-failover=enabled)
  sends 0.0.0.0/0 and 64:ff9b::/96 to it; an S3 gateway endpoint route; one unmanaged table.
  Prints one line per resource. Refuses a second run on the same emulator and region, and any
  real AWS endpoint (none given, or an AWS hostname) unless --yes-real-aws.`;

/**
 * Hostname suffixes of AWS's own service endpoints: `*.amazonaws.com` (commercial and GovCloud),
 * `*.amazonaws.com.cn` (China) and `*.api.aws` (dual-stack endpoints). AWS General Reference,
 * "AWS service endpoints": "service-code.region-code.amazonaws.com", "…api.aws" for dual-stack,
 * and ".amazonaws.com.cn" for the China Regions.
 */
const AWS_SUFFIXES = ['amazonaws.com', 'amazonaws.com.cn', 'api.aws'] as const;

/** True when the URL's host is an AWS endpoint (any case, with or without the root dot). */
export function isAwsHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.+$/, '');
  return AWS_SUFFIXES.some((s) => h === s || h.endsWith(`.${s}`));
}

/** The emulator endpoint seed may write to; a UsageError for anything else. */
export function emulatorEndpoint(raw: string | undefined, yesRealAws: boolean): string | undefined {
  if (raw === undefined) {
    if (yesRealAws) return undefined;
    throw new UsageError('the URL of an emulator is required (seed never writes to AWS unless told --yes-real-aws)', '--endpoint');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${quoted(raw)} is not a URL (e.g. http://127.0.0.1:5000)`, '--endpoint');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${quoted(raw)} must be an http:// or https:// URL`, '--endpoint');
  }
  if (isAwsHostname(url.hostname) && !yesRealAws) {
    throw new UsageError(`${quoted(url.hostname)} is an AWS endpoint; seed creates billable NAT gateways there only with --yes-real-aws`, '--endpoint');
  }
  return raw;
}

/** One line per resource made, `kind id detail`: greppable (`awk '$1 == "nat-gateway"'`). */
export function seedLines(v: SeededVpc, region: string): string[] {
  const out = [`vpc ${v.vpcId} ${region} Name=${DEMO_VPC_NAME}`];
  for (const a of v.azs) {
    out.push(
      `subnet ${a.publicSubnetId} ${a.az} public`,
      `nat-gateway ${a.natId} ${a.az} public, in ${a.publicSubnetId}`,
      `subnet ${a.privateSubnetId} ${a.az} private`,
      `route-table ${a.routeTableId} ${a.az} managed (nat-failover=enabled): 0.0.0.0/0 and 64:ff9b::/96 -> ${a.natId}, subnet ${a.privateSubnetId}`,
    );
  }
  out.push(
    `vpc-endpoint ${v.s3EndpointId} s3 gateway endpoint, route on the ${v.azs.length} managed tables (never touched)`,
    `route-table ${v.unmanagedRouteTableId} - unmanaged: 0.0.0.0/0 -> ${v.azs[0]?.natId ?? '?'} (never moved)`,
  );
  return out;
}

const OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  'yes-real-aws': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `nat-failover seed …` (argv without the command). Exit 0 made, 1 failed, 2 refused. */
export async function seedMain(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  // Refusals (UsageError, CliError) go up to main.ts, which prints them in the CLI's one style.
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  if (values.help) {
    io.out(SEED_USAGE);
    return 0;
  }
  const endpoint = emulatorEndpoint(values.endpoint, values['yes-real-aws'] ?? false);
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('is required (or AWS_REGION)', '--region');
  if (!/^[a-z]{2}(-[a-z0-9]+){2,3}$/.test(region)) throw new UsageError(`${quoted(region)} is not a region name (e.g. us-east-1)`, '--region');
  const json = values.json ?? false;

  try {
    const r = await seedDemoOnce(region, endpoint);
    if ('existing' in r) {
      // Refuse rather than seed a second copy: the walk-through's ids would then be ambiguous.
      throw refused('seed', `${r.existing} (Name=${DEMO_VPC_NAME}) already exists in ${region} on this endpoint; nothing created (restart or reset the emulator to seed again)`);
    }
    if (json) io.out(JSON.stringify({ ok: true, region, endpoint: endpoint ?? null, ...r.vpc }, null, 2));
    else io.out(seedLines(r.vpc, region).join('\n'));
    return 0;
  } catch (e) {
    // SDK errors may quote a parameter: toCliError bounds them to one line and names what to fix
    // (an unreachable --endpoint, missing credentials: an emulator takes any, e.g.
    // AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing).
    throw toCliError(e, { region, ...(endpoint ? { endpoint } : {}) });
  }
}
