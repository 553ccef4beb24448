/**
 * A bad configuration at cold start: one line naming the variable, then either the thrown
 * ConfigError (deployed: Lambda fails the init) or exit 1 (`serverless invoke local`, IS_LOCAL=true,
 * where the CLI would otherwise print the error twice more around it).
 */
import fc from 'fast-check';
import { ConfigError } from '../../src/errors';
import { configFromEnv } from '../../src/lambda/wiring';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** The family of bad inputs: whole-number variables given non-numbers or negatives, flags given words. */
const WHOLE = ['RESTORE_HOLD_DOWN_SECONDS', 'MAX_CHANGES_PER_RUN', 'METRIC_LAG_SECONDS', 'METRIC_POLL_MINUTES', 'WRITE_CONCURRENCY', 'EVACUATION_MAX_AGE_SECONDS'];
const badWhole = fc.oneof(fc.integer({ min: -1_000_000, max: -1 }).map(String), fc.stringMatching(/^[a-z]{1,8}$/), fc.constantFrom('1.5', '-5', '1e3', '0x10'));
const badFlag = fc.stringMatching(/^[a-z]{2,10}$/).filter((s) => !['true', 'false', 'yes', 'no'].includes(s));
const badEnv = fc.oneof(
  fc.tuple(fc.constantFrom(...WHOLE), badWhole),
  fc.tuple(fc.constant('DRY_RUN'), badFlag),
);

function capture(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    lines.push(a.map(String).join(' '));
  });
  const exits: number[] = [];
  const exit = ((code: number) => {
    exits.push(code);
    throw new Exited(code);
  }) as (code: number) => never;
  let thrown: unknown;
  try {
    configFromEnv(env, exit);
  } catch (e) {
    thrown = e;
  } finally {
    spy.mockRestore();
  }
  return { lines, exits, thrown };
}

describe('configFromEnv with a bad variable', () => {
  it('under invoke local (IS_LOCAL=true): prints one line naming the variable and exits 1, for the whole family', () => {
    fc.assert(
      fc.property(badEnv, ([name, value]) => {
        const { lines, exits, thrown } = capture({ IS_LOCAL: 'true', [name]: value });
        expect(exits).toStrictEqual([1]);
        expect(thrown).toBeInstanceOf(Exited);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^nat-failover configuration error: ${name}: `));
        expect(lines[0]).not.toContain('\n');
      }),
      { numRuns: 200 },
    );
  });

  it('deployed (no IS_LOCAL): prints the same line and throws the ConfigError without exiting', () => {
    fc.assert(
      fc.property(badEnv, ([name, value]) => {
        const { lines, exits, thrown } = capture({ [name]: value });
        expect(exits).toStrictEqual([]);
        expect(thrown).toBeInstanceOf(ConfigError);
        expect((thrown as ConfigError).variable).toBe(name);
        expect((thrown as Error).stack).toBe(`ConfigError: ${(thrown as Error).message}`);
        expect(lines).toStrictEqual([`nat-failover configuration error: ${(thrown as Error).message}`]);
      }),
      { numRuns: 200 },
    );
  });

  it('does not exit for a good configuration under invoke local', () => {
    const { lines, exits, thrown } = capture({ IS_LOCAL: 'true', DRY_RUN: 'true' });
    expect({ lines, exits, thrown }).toStrictEqual({ lines: [], exits: [], thrown: undefined });
  });
});
