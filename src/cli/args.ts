import { parseArgs } from 'node:util';
import { isoSeconds } from '../core/time';
import { quoted } from '../errors';
import { ACTIONS, type ActionName } from '../manual/actionNames';
import { CliError } from './failure';

/** A command line the CLI cannot act on: refused, one line naming the flag (failure.ts style). */
export class UsageError extends CliError {
  constructor(message: string, subject = 'arguments') {
    // Arguments are operator input of any length: CliError bounds both parts to one line.
    super('refused', subject, `${message}; see nat-failover --help`);
  }
}

export const USAGE = `usage: nat-failover <status|plan|failover|restore|release|doctor|seed> [options]
       nat-failover --version

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
  version: { type: 'boolean' },
} as const;

type Flag = keyof typeof OPTIONS;
const GLOBAL: readonly Flag[] = ['region', 'profile', 'endpoint', 'json', 'direct', 'function-name', 'stage', 'help', 'version'];
const PER_COMMAND: Record<ActionName, readonly Flag[]> = {
  status: ['vpc'],
  plan: ['vpc'],
  failover: ['az', 'gateway', 'target', 'reason', 'expires', 'vpc', 'dry-run'],
  restore: ['az', 'force', 'reason', 'dry-run'],
  release: ['az', 'gateway', 'vpc', 'dry-run'],
};

export interface Cli {
  readonly command: ActionName | 'help' | 'version';
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
  if (n === 0) throw new UsageError('a duration must be positive', '--expires');
  const at = new Date(now.getTime() + n * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
  if (Number.isNaN(at.getTime())) throw new UsageError('is too far in the future', '--expires');
  // Whole seconds: the one format instants are shown in (core/time.ts isoSeconds).
  return isoSeconds(at);
}

// Region names: us-east-1, us-gov-west-1, cn-north-1, eusc-de-east-1 (the European Sovereign Cloud).
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** A region name, or a refusal naming where it came from (a flag or a variable). */
export function checkRegion(value: string, subject: string): void {
  if (!REGION.test(value)) throw new CliError('refused', subject, `${quoted(value, 40)} is not a region name, e.g. us-east-1`);
}

/** An http(s) URL with a host, or a refusal naming where it came from. */
export function checkEndpoint(value: string, subject: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new CliError('refused', subject, `${quoted(value, 60)} is not an http(s) URL, e.g. http://127.0.0.1:5000`);
  }
}

/** node:util parseArgs's errors, reworded: the option it names becomes the subject. */
function parseArgsError(e: unknown): UsageError {
  // Read by shape, not instanceof: node:util's errors may come from another realm (jest's vm).
  const raw = (e as { message?: unknown }).message;
  const message = typeof raw === 'string' ? (raw.split('\n')[0] ?? '') : '';
  const code = (e as { code?: unknown }).code;
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? 'arguments';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError('unknown option', option);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(/does not take an argument/.test(message) ? 'is a switch and takes no value' : 'needs a value', option);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError('unexpected argument');
  return new UsageError(message || 'bad arguments');
}

export function parseCli(argv: readonly string[], now: Date, by: string): Cli {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw parseArgsError(e);
  }
  const { values, positionals } = parsed;
  const none = { request: {}, json: false, direct: false, functionName: '', stage: '', aws: {} };
  if (values.help || positionals[0] === 'help') return { command: 'help', ...none };
  if (values.version) return { command: 'version', ...none };
  if (positionals.length === 0) throw new UsageError('missing command', 'command');
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${quoted(positionals[1])}`);
  const command = positionals[0] as string;
  if (!(ACTIONS as readonly string[]).includes(command)) throw new UsageError(`unknown command ${quoted(command)}`, 'command');
  const action = command as ActionName;
  const allowed = new Set<string>([...GLOBAL, ...PER_COMMAND[action]]);
  for (const k of Object.keys(values)) {
    if (!allowed.has(k)) throw new UsageError(`does not apply to ${action}`, `--${k}`);
  }
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' && v.trim() === '') throw new UsageError('needs a value', `--${k}`);
  }
  const stage = values.stage ?? 'prod';
  if (!/^[a-zA-Z0-9-]{1,32}$/.test(stage)) throw new UsageError(`${quoted(stage)}: letters, digits and dashes only`, '--stage');
  if (values.region !== undefined) checkRegion(values.region, '--region');
  if (values.endpoint !== undefined) checkEndpoint(values.endpoint, '--endpoint');
  // The cross-field rules of the request, worded with the flags (the function words them for JSON).
  if ((action === 'failover' || action === 'release') && (values.az === undefined) === (values.gateway === undefined)) {
    throw new UsageError('give exactly one of --az or --gateway', values.az === undefined ? '--az' : '--gateway');
  }
  if (action === 'restore' && values.force && values.reason === undefined) throw new UsageError('is required with --force', '--reason');

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
