import fc from 'fast-check';
import { DEFAULTS } from '../../src/config';
import { evaluate, numberText, renderExpression, softRuleDefs } from '../../src/core/softRules';

describe('soft rules, defined once', () => {
  const [drops, conns] = softRuleDefs(DEFAULTS);

  it('judges a minute only when both metrics are present and the volume guard is met', () => {
    const judged = (values: Record<string, number | undefined>) => evaluate(drops!.judged, (id) => values[id]);
    expect(judged({ drops: 10, out: 10_000 })).toBe(1);
    expect(judged({ drops: 0, out: 999 })).toBe(0); // below 1000 packets
    expect(judged({ drops: 5000 })).toBe(0); // no traffic count: not judged, whatever the drops
    expect(judged({ out: 100_000 })).toBe(0); // no drop count: not judged either
    expect(evaluate(drops!.value, () => undefined)).toBe(DEFAULTS.packetDropRatio); // unjudged: the threshold, never a breach
  });

  it('renders the ratio for a connection collapse with every operation parenthesised', () => {
    expect(renderExpression(conns!.value)).toBe(
      'IF(((((FILL(established, 0) == FILL(established, 1)) * (FILL(attempts, 0) == FILL(attempts, 1))) * (FILL(attempts, 0) >= 100)) > 0), (FILL(established, 0) / IF((FILL(attempts, 0) > 0), FILL(attempts, 0), 1)), 0.5)',
    );
  });

  it('writes numbers as plain decimals that parse back to the same double (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: 1e-12, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1_000_000_000 })), (n) => {
        const s = numberText(n);
        expect(s).toMatch(/^\d+(\.\d+)?$/);
        expect(Number(s)).toBe(n);
      }),
    );
  });
});
