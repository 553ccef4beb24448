import { CloudApiError, ConfigError, NatFailoverError, oneLine, ThrottledError, TransientError, unreachableCode } from '../errors';
import { withIsoSeconds } from '../core/time';
import { RequestError } from '../manual/requestError';

/**
 * One style for everything the CLI reports as gone wrong, one line on stderr:
 *
 *   nat-failover: <kind> (<subject>): <why>[. <fix>]
 *
 * kind     `refused` (exit 2: the command line, a request field, the configuration or the
 *          credentials; nothing was sent or changed), `failed` (exit 1: the action was tried and
 *          did not happen) or `unknown outcome` (exit 3: a change was sent and its answer lost;
 *          the state read back follows on the next lines).
 * subject  what to fix, as the operator types it: a flag (`--target`), `command`, `arguments`,
 *          `credentials`, a variable (`AWS_REGION`), or the AWS operation that failed (`Invoke`).
 * why/fix  bounded and one line (errors.ts oneLine): input is never echoed unbounded.
 *
 * docs/operating.md ("Errors and exit codes") documents it; test/cli/errorStyle.test.ts holds
 * every refusal path to STYLE.
 */
export type FailureKind = 'refused' | 'failed' | 'unknown outcome';

/** Exit codes: 0 done, 1 failed, 2 refused (nothing sent or changed), 3 outcome unknown. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unknown: 3 } as const;
const EXIT_OF: Readonly<Record<FailureKind, number>> = { refused: EXIT.usage, failed: EXIT.failed, 'unknown outcome': EXIT.unknown };

/** The one shape of an error line (subject without parentheses, why on the same line). */
export const STYLE = /^nat-failover: (refused|failed|unknown outcome) \(([^()\n]{1,60})\): ([^\n]{1,600})$/;

const SUBJECT_MAX = 60;
const DETAIL_MAX = 500;

/** An error the CLI reports in its one style: what kind, about what, why (and the fix). */
export class CliError extends Error {
  readonly subject: string;
  readonly detail: string;
  readonly exitCode: number;
  constructor(
    readonly kind: FailureKind,
    subject: string,
    detail: string,
  ) {
    const s = oneLine(subject, SUBJECT_MAX).replace(/[()]/g, '') || 'request';
    // Instants in the one format the CLI shows (ISO 8601 UTC, whole seconds), whoever wrote the text.
    const d = oneLine(withIsoSeconds(detail), DETAIL_MAX);
    super(`${s}: ${d}`);
    this.subject = s;
    this.detail = d;
    this.exitCode = EXIT_OF[kind];
    this.name = 'CliError';
  }

  get line(): string {
    return `nat-failover: ${this.kind} (${this.subject}): ${this.detail}`;
  }
}

export const refused = (subject: string, detail: string): CliError => new CliError('refused', subject, detail);
export const failed = (subject: string, detail: string): CliError => new CliError('failed', subject, detail);

const FLAG_OF: Readonly<Record<string, string>> = { vpcId: '--vpc', expiresAt: '--expires', dryRun: '--dry-run' };
/** A request field as the operator typed it: `vpcId` is `--vpc`, `target` is `--target`. */
export const flagOf = (field: string): string => FLAG_OF[field] ?? (/^[a-z]+$/.test(field) ? `--${field}` : field);

/**
 * The manual function words its refusals for JSON callers (`force`, `vpcId`); at a terminal the
 * same facts name the flags. Only these known phrases are rewritten, never free text.
 */
const WORDING: readonly (readonly [RegExp, string])[] = [
  [/\bset force with a reason\b/g, 'pass --force with --reason'],
  [/\bwhen force is true\b/g, 'with --force'],
  [/\bone of az or gateway\b/g, 'one of --az or --gateway'],
  [/; add vpcId$/, '; add --vpc'],
];
export const cliWording = (detail: string): string => WORDING.reduce((d, [re, to]) => d.replace(re, to), detail);

/** A refused request field, as the CLI says it. */
export const refusedField = (field: string | null, detail: string): CliError => refused(field ? flagOf(field) : 'request', cliWording(detail));

/** Where the SDK was pointed, for the error that says it could not get there. */
export interface Target {
  readonly region?: string;
  readonly endpoint?: string;
}

const chain = (e: unknown): unknown[] => {
  const out: unknown[] = [];
  for (let c = e, i = 0; c !== null && c !== undefined && i < 5; c = (c as { cause?: unknown }).cause, i++) out.push(c);
  return out;
};
const nameOf = (e: unknown): string => {
  const name = e !== null && typeof e === 'object' ? (e as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : '';
};
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The credentials message: the SDK's own ("Could not load credentials from any providers") says
 * nothing of what to do. For an emulator any values work: setting them is the user's business.
 */
export const NO_CREDENTIALS =
  'no AWS credentials found (environment, AWS_PROFILE, SSO or instance role). Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; an emulator (moto, LocalStack) accepts any values, e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test';

/** Any error the CLI meets, in its one style. */
export function toCliError(e: unknown, target: Target = {}): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof RequestError) return refusedField(e.field, e.detail);
  if (e instanceof ConfigError) return refused(e.variable, e.message.startsWith(`${e.variable}: `) ? e.message.slice(e.variable.length + 2) : e.message);
  const causes = chain(e);
  if (causes.some((c) => nameOf(c) === 'CredentialsProviderError' || /could not load credentials/i.test(messageOf(c)))) return refused('credentials', NO_CREDENTIALS);
  if (causes.some((c) => /region is missing/i.test(messageOf(c)))) return refused('--region', 'no region: pass --region or set AWS_REGION');
  if (causes.some((c) => /invalid region in client config/i.test(messageOf(c)))) return refused('--region', `${JSON.stringify(oneLine(target.region ?? '?', 40))} is not a region name`);
  const code = unreachableCode(e);
  if (code !== undefined) return unreachable(code, causes, target);
  if (e instanceof ThrottledError) return failed(e.operation, `${e.message}; nothing was changed, try again in a minute`);
  if (e instanceof CloudApiError || e instanceof TransientError) return failed(e.operation, e.message);
  if (e instanceof NatFailoverError) return failed(e.name === 'ReconcileBusyError' ? 'reconcile' : 'request', e.message);
  // A bug, or a library's surprise: still one line, never a stack trace.
  return failed('internal', messageOf(e));
}

function unreachable(code: string, causes: readonly unknown[], target: Target): CliError {
  const host = causes.map((c) => (c as { hostname?: unknown }).hostname).find((h): h is string => typeof h === 'string');
  if (target.endpoint) {
    const why = code === 'ECONNREFUSED' ? 'nothing listens there' : 'no such host';
    return failed('--endpoint', `cannot reach ${target.endpoint} (${code}: ${why}); nothing was sent. Is the emulator running, and is --endpoint (or AWS_ENDPOINT_URL) right?`);
  }
  const region = target.region ? `; is ${JSON.stringify(oneLine(target.region, 40))} a region this account uses?` : '';
  return failed('--region', `cannot reach ${host ?? 'the AWS endpoint'} (${code})${region} Nothing was sent; check --region (or AWS_REGION) and your network`);
}
