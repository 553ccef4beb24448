/**
 * IPv4 and IPv6 addresses and CIDR blocks, strictly: the egress allow-list decides where traffic
 * may never be sent, so a value that only looks like a CIDR is an error, never a guess. Pure.
 *
 * Accepted: dotted-quad IPv4 (four decimal octets 0-255, no leading zeros, which some parsers read
 * as octal) and RFC 4291 IPv6 text (hex groups, one `::`, an optional trailing dotted quad), each
 * with a `/prefix` (0-32, 0-128). Host bits set below the prefix are an error: `203.0.113.7/24`
 * is almost always a typo for `/32` or for `203.0.113.0/24`, and reading it either way would
 * silently allow-list the wrong addresses.
 */

export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
  /** Canonical text (lower-case, IPv6 compressed as given, prefix kept). */
  readonly text: string;
}

const bits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return undefined;
  let text = s;
  // A trailing dotted quad (`::ffff:192.0.2.1`) stands for the last two groups: rewrite it as hex.
  const lastColon = text.lastIndexOf(':');
  const quad = text.slice(lastColon + 1);
  if (quad.includes('.')) {
    const v4 = parseV4(quad);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const out: bigint[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const rest = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length;
  let all: bigint[];
  if (halves.length === 2) {
    // `::` stands for at least one group of zeros.
    if (given > 7) return undefined;
    all = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest];
  } else {
    if (given !== 8) return undefined;
    all = head;
  }
  return all.reduce((n, g) => (n << 16n) | g, 0n);
}

/** An address of either family, or undefined when `s` is not one. */
export function parseIp(s: string): { readonly family: 4 | 6; readonly value: bigint } | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (!s.includes(':')) return undefined;
  const v6 = parseV6(s);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** A CIDR block, or a one-line reason why `s` is not one (never echoing more than it was given). */
export function parseCidr(s: string): Cidr | { readonly error: string } {
  const slash = s.indexOf('/');
  if (slash < 0) return { error: 'has no /prefix (write a single address as /32 or /128)' };
  const addr = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  const ip = parseIp(addr);
  if (!ip) return { error: 'is not an IPv4 or IPv6 address with a /prefix' };
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) return { error: 'has a prefix length that is not a whole number' };
  const prefix = Number(prefixText);
  const width = bits(ip.family);
  if (prefix > width) return { error: `has a prefix longer than ${width} bits` };
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) return { error: `has host bits set below /${prefix} (did you mean /${width} or the network address?)` };
  return { family: ip.family, base: ip.value, prefix, text: `${addr.toLowerCase()}/${prefix}` };
}

/** True when `ip` (an address in text) lies inside `c`; an address of the other family never does. */
export function cidrContains(c: Cidr, ip: string): boolean {
  const a = parseIp(ip);
  if (!a || a.family !== c.family) return false;
  const shift = BigInt(bits(c.family) - c.prefix);
  return a.value >> shift === c.base >> shift;
}

/** The addresses of `ips` that no block of `list` contains (unparseable ones included). */
export function outsideAllowList(list: readonly Cidr[], ips: readonly string[]): string[] {
  return ips.filter((ip) => !list.some((c) => cidrContains(c, ip)));
}

/** The /32 or /128 block that allow-lists exactly one address. */
export function hostCidr(ip: string): string {
  return `${ip}/${parseIp(ip)?.family === 6 ? 128 : 32}`;
}
