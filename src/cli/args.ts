import { parseArgs } from 'node:util';
import { oneLine, quoted } from '../errors';
import { ACTIONS, type ActionName } from '../manual/request';

/** A command line the CLI cannot act on: one line for the operator, then the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    // Arguments are operator input of any length: one bounded line, whatever was typed.
    super(oneLine(message, 300));
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: nat-failover <status|plan|failover|restore|release|doctor|seed> [options]

  status                                 where every managed table points, and why
  plan                                   what a reconcile run would do now (dry run)
  failover (--az AZ | --gateway NAT) --reason TEXT [--target NAT] [--expires 2h|90m|1d|ISO]
  restore  --az AZ [--force --reason TEXT]
  release  (--az AZ | --gateway NAT)
  doctor   [--vpc VPC]... [--stage S]         preflight: PASS / WARN / FAIL per check, and the fix
  seed     --endpoint URL                     a demonstration VPC in an emulator (moto, LocalStack)

  --vpc VPC            only this VPC (status, plan, failover, release)
  --dry-run            show the change, write nothing (failover, restore, release)
  --json               machine-readable output
  --region R  --profile P  --endpoint URL     the standard AWS SDK settings
  --direct             break-glass: run the change in this process with your own
                       credentials instead of invoking the deployed manual function
  --function-name F    the manual function (default nat-failover-<stage>-manual)
  --stage S            deployment stage (default prod)`;

const OPTIONS = {
  az: { type: 'string' },
  gateway: { type: 'string' },
  target: { type: 'string' },
  reason: { type: 'string' },
  expires: { type: 'string' },
  force: { type: 'boolean' },
  vpc: { type: 'string' },
  'dry-run': { type: 'boolean' },
  region: { type: 'string' },
  profile: { type: 'string' },
  endpoint: { type: 'string' },
  json: { type: 'boolean' },
  direct: { type: 'boolean' },
  'function-name': { type: 'string' },
  stage: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flag = keyof typeof OPTIONS;
const GLOBAL: readonly Flag[] = ['region', 'profile', 'endpoint', 'json', 'direct', 'function-name', 'stage', 'help'];
const PER_COMMAND: Record<ActionName, readonly Flag[]> = {
  status: ['vpc'],
  plan: ['vpc'],
  failover: ['az', 'gateway', 'target', 'reason', 'expires', 'vpc', 'dry-run'],
  restore: ['az', 'force', 'reason', 'dry-run'],
  release: ['az', 'gateway', 'vpc', 'dry-run'],
};

export interface Cli {
  readonly command: ActionName | 'help';
  readonly request: Record<string, unknown>;
  readonly json: boolean;
  readonly direct: boolean;
  readonly functionName: string;
  /** The deployment stage: names the manual function and, as the stack does, the alarm prefix. */
  readonly stage: string;
  readonly aws: { readonly region?: string; readonly profile?: string; readonly endpoint?: string };
}

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90m`, `2h`, `1d` from now, or an ISO time passed through for the function to judge. */
export function expiresAt(raw: string, now: Date): string {
  const m = DURATION.exec(raw.trim());
  if (!m) return raw.trim();
  const n = Number(m[1]);
  if (n === 0) throw new UsageError(`--expires ${quoted(raw)}: a duration must be positive`);
  return new Date(now.getTime() + n * UNIT_MS[m[2] as keyof typeof UNIT_MS]).toISOString();
}

export function parseCli(argv: readonly string[], now: Date, by: string): Cli {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { command: 'help', request: {}, json: false, direct: false, functionName: '', stage: '', aws: {} };
  if (positionals.length === 0) throw new UsageError('missing command');
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${quoted(positionals[1])}`);
  const command = positionals[0] as string;
  if (!(ACTIONS as readonly string[]).includes(command)) throw new UsageError(`unknown command ${quoted(command)}`);
  const action = command as ActionName;
  const allowed = new Set<string>([...GLOBAL, ...PER_COMMAND[action]]);
  for (const k of Object.keys(values)) {
    if (!allowed.has(k)) throw new UsageError(`--${k} does not apply to ${action}`);
  }
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' && v.trim() === '') throw new UsageError(`--${k} needs a value`);
  }
  const stage = values.stage ?? 'prod';
  if (!/^[a-zA-Z0-9-]{1,32}$/.test(stage)) throw new UsageError(`--stage ${quoted(stage)}: letters, digits and dashes only`);

  const request: Record<string, unknown> = { action };
  const put = (field: string, v: unknown) => {
    if (v !== undefined) request[field] = v;
  };
  put('az', values.az);
  put('gateway', values.gateway);
  put('target', values.target);
  put('reason', values.reason);
  put('vpcId', values.vpc);
  if (values.expires !== undefined) put('expiresAt', expiresAt(values.expires, now));
  if (values.force) put('force', true);
  if (values['dry-run']) put('dryRun', true);
  if (action === 'failover' || action === 'restore' || action === 'release') put('by', by);

  return {
    command: action,
    request,
    json: values.json ?? false,
    direct: values.direct ?? false,
    functionName: values['function-name'] ?? `nat-failover-${stage}-manual`,
    stage,
    aws: { region: values.region, profile: values.profile, endpoint: values.endpoint },
  };
}
