import { parseArgs } from 'node:util';
import { awsCloud } from '../aws';
import { EndpointsAdapter } from '../aws/endpoints';
import { StackReader } from '../aws/stack';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { oneLine, quoted } from '../errors';
import { type DoctorFacts, doctorReport, type Read, renderDoctor } from '../manual/doctor';
import type { World } from '../manual/resolve';
import { controllerDeps } from '../lambda/wiring';
import { decide, observe } from '../reconcile/controller';
import { silentRecorder } from '../reconcile/ports';
import { type Cli, UsageError } from './args';

interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const DOCTOR_USAGE = `usage: nat-failover doctor [--vpc VPC]... [--stage S] [--json] [--region R] [--profile P] [--endpoint URL]

  A read-only preflight: one line per check, PASS / WARN / FAIL and the fix. Exit 0 without a
  FAIL, 1 with one, 2 for a bad command line.`;

const OPTIONS = {
  vpc: { type: 'string', multiple: true },
  stage: { type: 'string' },
  json: { type: 'boolean' },
  region: { type: 'string' },
  profile: { type: 'string' },
  endpoint: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const errorText = (e: unknown): string => oneLine((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '', 300);

async function read<T>(fn: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}

interface DoctorArgs {
  readonly vpcIds: readonly string[];
  readonly stage: string;
  readonly json: boolean;
  readonly region?: string;
  readonly profile?: string;
  readonly endpoint?: string;
  readonly help: boolean;
}

export function parseDoctorArgs(argv: readonly string[]): DoctorArgs {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const vpcIds = (values.vpc ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const v of vpcIds) if (!/^vpc-[0-9a-f]{8,17}$/.test(v)) throw new UsageError(`${quoted(v)} is not a VPC id (vpc-…)`, '--vpc');
  const stage = values.stage ?? 'prod';
  if (!/^[a-zA-Z0-9-]{1,32}$/.test(stage)) throw new UsageError(`${quoted(stage)}: letters, digits and dashes only`, '--stage');
  for (const k of ['region', 'profile', 'endpoint'] as const) {
    if (values[k] !== undefined && values[k].trim() === '') throw new UsageError('needs a value', `--${k}`);
  }
  return { vpcIds: [...new Set(vpcIds)], stage, json: values.json ?? false, region: values.region, profile: values.profile, endpoint: values.endpoint, help: values.help ?? false };
}

/** Reads every fact the checks need; each read that fails becomes a fact of its own. */
async function gather(args: DoctorArgs, env: NodeJS.ProcessEnv): Promise<DoctorFacts> {
  // The same configuration as status: the stack's alarm prefix, the operator's scope.
  const config = loadConfig({ ALARM_PREFIX: `nat-failover-${args.stage}`, ...env, ...(args.vpcIds.length > 0 ? { VPC_IDS: args.vpcIds.join(',') } : {}) });
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '(no region)';
  const base = { region, stage: args.stage, managedTag: { key: config.managedTagKey, value: config.managedTagValue }, vpcIds: args.vpcIds };
  // One attempt each: a preflight reports a failure, it does not wait it out.
  const cloud = awsCloud(systemClock, { deadline: () => Date.now() });
  const zones = await read(() => cloud.ec2.describeZones());
  if (!zones.ok) return { ...base, zones };
  const deps = controllerDeps(config, { cloud, recorder: silentRecorder });
  const world = await read(async (): Promise<World> => {
    // Read-only, as status: a dry run writes no evacuation memory and manages no alarm.
    const obs = await observe(deps, config, { forceMetrics: true, dryRun: true });
    return { obs, ...decide(obs, config) };
  });
  const vpcs = world.ok ? [...new Set(world.value.obs.inventory.routeTables.map((t) => t.vpcId))] : [];
  const endpoints = world.ok ? await read(async () => (vpcs.length > 0 ? EndpointsAdapter.fromEnvironment(cloud.retry).gatewayEndpoints(vpcs) : [])) : undefined;
  const reader = StackReader.fromEnvironment();
  try {
    const stack = await reader.stack(args.stage);
    const unreservedConcurrency = await reader.unreservedConcurrency();
    return { ...base, zones, world, ...(endpoints ? { endpoints } : {}), stack, unreservedConcurrency };
  } finally {
    reader.destroy();
  }
}

/** `nat-failover doctor …` (argv without the command). */
export async function doctorMain(
  argv: readonly string[],
  io: Io,
  env: NodeJS.ProcessEnv,
  /** main.ts's applyAwsEnv, passed in: importing main from here would make a cycle. */
  applyAwsEnv: (aws: Cli['aws'], env: NodeJS.ProcessEnv) => void,
): Promise<number> {
  // Refusals (UsageError, ConfigError) go up to main.ts, which prints them in the CLI's one style.
  const args = parseDoctorArgs(argv);
  if (args.help) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  // Flags become the standard SDK environment, as for the other commands.
  applyAwsEnv({ region: args.region, profile: args.profile, endpoint: args.endpoint }, env);
  const facts: DoctorFacts = await gather(args, env);
  const report = doctorReport(facts);
  io.out(args.json ? JSON.stringify(report, null, 2) : renderDoctor(report));
  return report.ok ? 0 : 1;
}
