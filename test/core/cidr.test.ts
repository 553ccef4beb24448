import fc from 'fast-check';
import { cidrContains, hostCidr, outsideAllowList, parseCidr, parseIp } from '../../src/core/cidr';

const ok = (s: string) => {
  const c = parseCidr(s);
  if ('error' in c) throw new Error(`${s}: ${c.error}`);
  return c;
};

/** An IPv4 address as four octets. */
const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const v4Text = (o: readonly number[]) => o.join('.');
const v4Value = (o: readonly number[]) => o.reduce((n, x) => (n << 8n) | BigInt(x), 0n);
/** Eight 16-bit groups, rendered in full (no `::`) or with the longest zero run compressed. */
const groups = fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 });
const v6Full = (g: readonly number[]) => g.map((x) => x.toString(16)).join(':');
function v6Compressed(g: readonly number[]): string {
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > (best[1] as number)) best = [i, j - i];
    i = j;
  }
  const [at, len] = best as [number, number];
  if (len < 2) return v6Full(g);
  const head = g.slice(0, at).map((x) => x.toString(16)).join(':');
  const tail = g.slice(at + len).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}
const v6Value = (g: readonly number[]) => g.reduce((n, x) => (n << 16n) | BigInt(x), 0n);
const network = (value: bigint, width: number, prefix: number) => (value >> BigInt(width - prefix)) << BigInt(width - prefix);

describe('parseCidr', () => {
  it.each([
    ['203.0.113.0/24', 4, 24],
    ['198.51.100.7/32', 4, 32],
    ['0.0.0.0/0', 4, 0],
    ['2001:db8::/32', 6, 32],
    ['2001:DB8::/32', 6, 32],
    ['::/0', 6, 0],
    ['::ffff:192.0.2.0/120', 6, 120],
    ['2001:db8:0:0:0:0:0:1/128', 6, 128],
  ])('accepts %s', (s, family, prefix) => {
    const c = ok(s);
    expect([c.family, c.prefix]).toEqual([family, prefix]);
  });

  it.each([
    ['203.0.113.7/24', /host bits set below \/24/],
    ['203.0.113.0', /no \/prefix/],
    ['203.0.113.0/33', /longer than 32 bits/],
    ['2001:db8::/129', /longer than 128 bits/],
    ['203.0.113.0/024', /not a whole number/],
    ['203.0.113.0/', /not a whole number/],
    ['203.0.113.0/-1', /not a whole number/],
    ['01.2.3.4/32', /not an IPv4 or IPv6 address/],
    ['256.0.0.0/8', /not an IPv4 or IPv6 address/],
    ['1.2.3/24', /not an IPv4 or IPv6 address/],
    ['1.2.3.4.5/32', /not an IPv4 or IPv6 address/],
    [' 1.2.3.4/32', /not an IPv4 or IPv6 address/],
    ['1:2:3:4:5:6:7:8:9/128', /not an IPv4 or IPv6 address/],
    ['1::2::3/128', /not an IPv4 or IPv6 address/],
    ['fe80::1%eth0/64', /not an IPv4 or IPv6 address/],
    ['12345::/16', /not an IPv4 or IPv6 address/],
    ['::ffff:300.0.0.1/128', /not an IPv4 or IPv6 address/],
    ['example.com/32', /not an IPv4 or IPv6 address/],
  ])('rejects %s with a reason', (s, why) => {
    const c = parseCidr(s);
    expect('error' in c && c.error).toMatch(why);
  });

  it('property: every generated IPv4 network/prefix parses to exactly that network', () => {
    fc.assert(
      fc.property(octets, fc.integer({ min: 0, max: 32 }), (o, prefix) => {
        const base = network(v4Value(o), 32, prefix);
        const text = [24, 16, 8, 0].map((s) => Number((base >> BigInt(s)) & 255n)).join('.');
        const c = ok(`${text}/${prefix}`);
        expect(c.base).toBe(base);
        expect(c.prefix).toBe(prefix);
      }),
    );
  });

  it('property: IPv6 in full or compressed form parses to the same value', () => {
    fc.assert(
      fc.property(groups, (g) => {
        expect(parseIp(v6Full(g))).toEqual({ family: 6, value: v6Value(g) });
        expect(parseIp(v6Compressed(g))).toEqual({ family: 6, value: v6Value(g) });
      }),
    );
  });

  it('property: host bits below the prefix are always an error, never a silent widening', () => {
    fc.assert(
      fc.property(octets, fc.integer({ min: 0, max: 31 }), (o, prefix) => {
        const v = v4Value(o);
        fc.pre(v !== network(v, 32, prefix));
        const c = parseCidr(`${v4Text(o)}/${prefix}`);
        expect('error' in c).toBe(true);
      }),
    );
  });

  it('property: arbitrary strings either parse to a block that re-parses identically, or give a bounded one-line error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[0-9a-f:.\/]{1,50}$/)), (s) => {
        const c = parseCidr(s);
        if ('error' in c) {
          expect(c.error).not.toMatch(/\n/);
          expect(c.error.length).toBeLessThan(120);
          // The error never echoes the input: the caller decides how to quote it.
          if (s.length > 8) expect(c.error).not.toContain(s);
        } else {
          const again = ok(c.text);
          expect([again.family, again.base, again.prefix]).toEqual([c.family, c.base, c.prefix]);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('cidrContains and outsideAllowList', () => {
  it('contains by prefix, never across families', () => {
    const net = ok('203.0.113.0/24');
    expect(cidrContains(net, '203.0.113.255')).toBe(true);
    expect(cidrContains(net, '203.0.114.0')).toBe(false);
    expect(cidrContains(ok('::/0'), '203.0.113.1')).toBe(false);
    expect(cidrContains(ok('0.0.0.0/0'), '2001:db8::1')).toBe(false);
    expect(cidrContains(ok('2001:db8::/32'), '2001:db8:ffff::1')).toBe(true);
    expect(cidrContains(net, 'not-an-ip')).toBe(false);
  });

  it('property: an address is inside a block exactly when it shares the prefix bits', () => {
    fc.assert(
      fc.property(octets, octets, fc.integer({ min: 0, max: 32 }), (a, b, prefix) => {
        const base = network(v4Value(a), 32, prefix);
        const text = [24, 16, 8, 0].map((s) => Number((base >> BigInt(s)) & 255n)).join('.');
        const inside = network(v4Value(b), 32, prefix) === base;
        expect(cidrContains(ok(`${text}/${prefix}`), v4Text(b))).toBe(inside);
      }),
    );
  });

  it('lists the addresses no block covers, and the /32 or /128 to add for each', () => {
    const list = [ok('203.0.113.0/24'), ok('2001:db8::/32')];
    expect(outsideAllowList(list, ['203.0.113.9', '198.51.100.7', '2001:db8::5', '2001:db9::5'])).toEqual(['198.51.100.7', '2001:db9::5']);
    expect(hostCidr('198.51.100.7')).toBe('198.51.100.7/32');
    expect(hostCidr('2001:db9::5')).toBe('2001:db9::5/128');
  });
});
