import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { AwsProbeCloud } from '../aws/probe';
import { ConfigError, oneLine } from '../errors';
import { checkTarget } from '../probe/check';
import { loadProbeConfig, type ProbeConfig } from '../probe/config';
import type { ProbeCloud, ProbePlacement } from '../probe/ports';
import { placementWarnings, probeOnce, type ProbeSummary } from '../probe/probe';

/** Cold start: a bad configuration stops it with one line naming the variable (as wiring.ts does). */
export function probeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProbeConfig {
  try {
    return loadProbeConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      e.stack = `${e.name}: ${e.message}`;
      console.error(`nat-failover probe configuration error: ${e.message}`);
    }
    throw e;
  }
}

/** Node's bundled roots plus the operator's PEM file: an extra CA adds trust, never replaces it. */
export function trustedCas(caFile: string | undefined, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): readonly string[] | undefined {
  if (caFile === undefined) return undefined;
  let pem: string;
  try {
    pem = read(caFile);
  } catch (e) {
    throw new ConfigError('PROBE_CA_FILE', `cannot read ${oneLine(caFile, 100)}: ${(e as { code?: string }).code ?? 'error'}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('PROBE_CA_FILE', `${oneLine(caFile, 100)} holds no PEM certificate`);
  return [...rootCertificates, pem];
}

export interface ProbeParts {
  readonly cloud: ProbeCloud;
  /** Trusted CAs; undefined: Node's bundled roots. */
  readonly ca?: readonly string[];
  readonly emit?: (line: string) => void;
  readonly warn?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

// Raw stdout, not console.log: Lambda's Node runtime prefixes console lines with a timestamp and the
// request id, and an EMF document must be the whole log event (Powertools Metrics writes through
// its own Console on process.stdout for the same reason).
const stdoutLine = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const warnLine = (message: string): void => {
  process.stdout.write(`${JSON.stringify({ level: 'WARN', message: oneLine(message, 400) })}\n`);
};

/**
 * The probe's per-container state: the placement is read once (its describes are the only calls a
 * healthy invocation would otherwise repeat) and kept only when the read succeeded; its warnings
 * are logged once per container.
 */
export function probeRunner(config: ProbeConfig, parts: ProbeParts): () => Promise<ProbeSummary> {
  const warn = parts.warn ?? warnLine;
  // The read in flight or done (one per container, even if invocations overlapped); dropped on failure.
  let placement: Promise<ProbePlacement> | undefined;
  const options = { timeoutMs: config.timeoutMs, ...(parts.ca !== undefined ? { ca: parts.ca } : {}) };
  return async () => {
    placement ??= parts.cloud.placement(config.subnetId).then(
      (p) => {
        for (const w of placementWarnings(p, config.managedTagKey)) warn(w);
        return p;
      },
      (e: unknown) => {
        placement = undefined;
        throw e;
      },
    );
    const where = await placement;
    return probeOnce(
      {
        cloud: parts.cloud,
        round: () => Promise.all(config.targets.map((t) => checkTarget(t, options))),
        sleep: parts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
        now: parts.now ?? (() => new Date()),
        emit: parts.emit ?? stdoutLine,
        warn,
      },
      config,
      where,
    );
  };
}

/** The deployed wiring: the SDK adapters and the operator's CA file, once per container. */
export function lambdaProbeRunner(config: ProbeConfig): () => Promise<ProbeSummary> {
  const ca = trustedCas(config.caFile);
  return probeRunner(config, { cloud: AwsProbeCloud.fromEnvironment(), ...(ca !== undefined ? { ca } : {}) });
}
