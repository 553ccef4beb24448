import { ConfigError, quoted } from '../errors';

/**
 * What the probe checks, parsed from PROBE_TARGETS: comma-separated `tcp://host:port`,
 * `tls://host[:port]` (TCP connect + TLS handshake, port 443 by default) or
 * `https://host[:port][/path]` (the same, then one GET whose status must be below 500).
 * Bounded and validated so a bad list stops the cold start with one line, never a probe of
 * something nobody meant.
 */
export type ProbeKind = 'tcp' | 'tls' | 'https';

export interface ProbeTarget {
  readonly kind: ProbeKind;
  readonly host: string;
  readonly port: number;
  /** https only: the request path (with query), `/` by default. */
  readonly path?: string;
  /** The target as the operator wrote it, trimmed: what results and logs name. */
  readonly raw: string;
}

/** The contract carries at most 20 results a round; ten targets keep a round short and cheap. */
export const MAX_TARGETS = 10;
export const MAX_TARGET_CHARS = 200;

const VARIABLE = 'PROBE_TARGETS';
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Printable ASCII without spaces, quotes, angle brackets or backslash: nothing that could break the
// request line or smuggle a header.
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;

function isHostname(h: string): boolean {
  return h.length <= 253 && h.split('.').every((l) => LABEL.test(l)) && !/^\d+(\.\d+)*$/.test(h);
}

function isIpv6(h: string): boolean {
  // Loose on purpose: node:net decides; this only keeps the shape (hex groups and colons, optionally
  // an embedded IPv4 tail) so nothing else gets through.
  return /^[0-9A-Fa-f:.]{2,45}$/.test(h) && h.includes(':');
}

function parseOne(entry: string, index: number): ProbeTarget {
  const where = `entry ${index + 1} ${quoted(entry)}`;
  const fail = (why: string): never => {
    throw new ConfigError(VARIABLE, `${where}: ${why} (expected tcp://host:port, tls://host[:port] or https://host[:port][/path])`);
  };
  if (entry.length > MAX_TARGET_CHARS) fail(`longer than ${MAX_TARGET_CHARS} characters`);
  const m = /^([a-z]+):\/\/(\[[^\]]*\]|[^/:[\]]*)(?::(\d{1,5}))?(\/.*)?$/i.exec(entry);
  if (!m) return fail('not a target');
  const scheme = (m[1] ?? '').toLowerCase();
  if (scheme !== 'tcp' && scheme !== 'tls' && scheme !== 'https') return fail(`unknown scheme ${quoted(scheme, 10)}`);
  const kind: ProbeKind = scheme;
  const bracketed = (m[2] ?? '').startsWith('[');
  const host = bracketed ? (m[2] ?? '').slice(1, -1) : (m[2] ?? '');
  if (host === '') fail('no host');
  if (bracketed ? !isIpv6(host) : !(IPV4.test(host) || isHostname(host))) fail('not a host name or IP address');
  if (m[3] === undefined && kind === 'tcp') fail('tcp:// needs a port');
  const port = m[3] === undefined ? 443 : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) fail('port must be 1..65535');
  const path = m[4];
  if (path !== undefined && kind !== 'https') fail(`a path is only meaningful for https://`);
  if (path !== undefined && !PATH.test(path)) fail('the path has characters a request line cannot carry');
  return { kind, host, port, ...(kind === 'https' ? { path: path ?? '/' } : {}), raw: entry };
}

/** Parses PROBE_TARGETS. Throws ConfigError (one line, the entry quoted and capped) on any bad entry. */
export function parseTargets(raw: string | undefined): ProbeTarget[] {
  const entries = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new ConfigError(VARIABLE, 'is empty: give at least one target, e.g. tls://example.com:443');
  if (entries.length > MAX_TARGETS) throw new ConfigError(VARIABLE, `lists ${entries.length} targets; at most ${MAX_TARGETS}`);
  const targets = entries.map(parseOne);
  const seen = new Set<string>();
  for (const t of targets) {
    const key = `${t.kind}://${t.host.toLowerCase()}:${t.port}${t.path ?? ''}`;
    if (seen.has(key)) throw new ConfigError(VARIABLE, `lists ${quoted(t.raw)} twice`);
    seen.add(key);
  }
  return targets;
}
