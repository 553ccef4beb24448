import { int, present } from '../config';
import { ConfigError, quoted } from '../errors';
import { parseTargets, type ProbeTarget } from './targets';

/** The probe function's configuration (its own variables; it does not read the controller's). */
export interface ProbeConfig {
  readonly targets: readonly ProbeTarget[];
  /** The probe subnet this function is attached to (one function per subnet, one subnet per AZ). */
  readonly subnetId: string;
  /** Budget of one check (DNS + TCP + TLS + HTTP), milliseconds. */
  readonly timeoutMs: number;
  /** N: at most this many rounds in one invocation (the first one included). */
  readonly rounds: number;
  /** M: the verdict is `failed` once this many rounds failed. */
  readonly failedRounds: number;
  /** Pause between confirmation rounds (never before the first, never after a healthy one). */
  readonly roundGapMs: number;
  /** reconcile's function name, invoked asynchronously with a failed verdict. */
  readonly reconcileFunction: string;
  /** Tag key of managed route tables: the probe subnet's own table must not carry it. */
  readonly managedTagKey: string;
  /** Extra CA certificates (PEM) trusted besides Node's bundled roots, for partners' private CAs. */
  readonly caFile?: string;
}

export const PROBE_DEFAULTS = { timeoutMs: 2_000, rounds: 3, failedRounds: 2, roundGapMs: 1_000 } as const;

/**
 * The worst invocation (every round failing by timeout, with its gaps) must end well inside the
 * function's timeout (serverless: 30 s), leaving room for the cold-start describes, the log line and
 * the Invoke of reconcile (each with its own SDK timeout).
 */
export const PROBE_ROUNDS_BUDGET_MS = 20_000;

export const RECONCILE_FUNCTION_ENV = 'RECONCILE_FUNCTION_NAME';

type Env = Readonly<Record<string, string | undefined>>;

export function loadProbeConfig(env: Env): ProbeConfig {
  const targets = parseTargets(present(env, 'PROBE_TARGETS'));
  const subnetId = present(env, 'PROBE_SUBNET_ID');
  if (subnetId === undefined) throw new ConfigError('PROBE_SUBNET_ID', 'is not set: the probe needs the subnet it is attached to');
  if (!/^subnet-[0-9a-f]{8,17}$/.test(subnetId)) throw new ConfigError('PROBE_SUBNET_ID', `expected a subnet id (subnet-…), got ${quoted(subnetId)}`);
  const timeoutMs = int(env, 'PROBE_TIMEOUT_MS', PROBE_DEFAULTS.timeoutMs, 100, 10_000);
  const rounds = int(env, 'PROBE_ROUNDS', PROBE_DEFAULTS.rounds, 1, 10);
  const failedRounds = int(env, 'PROBE_FAILED_ROUNDS', Math.min(PROBE_DEFAULTS.failedRounds, rounds), 1, 10);
  if (failedRounds > rounds) throw new ConfigError('PROBE_FAILED_ROUNDS', `${failedRounds} exceeds PROBE_ROUNDS (${rounds}): the verdict could never be failed`);
  const roundGapMs = int(env, 'PROBE_ROUND_GAP_MS', PROBE_DEFAULTS.roundGapMs, 0, 10_000);
  const worst = rounds * timeoutMs + (rounds - 1) * roundGapMs;
  if (worst > PROBE_ROUNDS_BUDGET_MS) {
    throw new ConfigError('PROBE_ROUNDS', `${rounds} rounds of up to ${timeoutMs} ms with ${roundGapMs} ms gaps take up to ${worst} ms; keep it within ${PROBE_ROUNDS_BUDGET_MS} ms`);
  }
  const reconcileFunction = present(env, RECONCILE_FUNCTION_ENV);
  if (reconcileFunction === undefined) throw new ConfigError(RECONCILE_FUNCTION_ENV, 'is not set: the probe reports a failed verdict to the reconcile function');
  const caFile = present(env, 'PROBE_CA_FILE');
  return {
    targets,
    subnetId,
    timeoutMs,
    rounds,
    failedRounds,
    roundGapMs,
    reconcileFunction,
    managedTagKey: present(env, 'MANAGED_TAG_KEY') ?? 'nat-failover',
    ...(caFile !== undefined ? { caFile } : {}),
  };
}
