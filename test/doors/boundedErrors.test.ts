/**
 * Issue 10 item 13: no error echoes unbounded input. Every path that can quote a request (the
 * manual request, the internal payload, the CLI's arguments, the environment, EventBridge events)
 * is fed generated hostile strings (long, newlines, control, bidi and zero-width characters, lone
 * surrogates, astral characters) and must answer with one line of bounded length.
 */
import * as fc from 'fast-check';
import { main } from '../../src/cli/main';
import { parseCli, UsageError } from '../../src/cli/args';
import { ENV_VARS, loadConfig } from '../../src/config';
import { ConfigError, MAX_ERROR_CHARS, oneLine } from '../../src/errors';
import { triggerOf } from '../../src/events/triggers';
import { handleManual } from '../../src/manual/actions';
import { parseInternalPayload } from '../../src/manual/internal';
import { parseRequest, RequestError } from '../../src/manual/request';
import { CONFIG, deps, region } from '../manual/world';

// Never more than this reaches an operator or a log line from one error.
const CAP = MAX_ERROR_CHARS;
const LINE_BREAKING = /[\p{Cc}\p{Zl}\p{Zp}]/u;

const nasty = fc.constantFrom('\n', '\r\n', '\u0000', '\u001b[31m', '\u2028', '\u2029', '\u202e', '\u200b', '\ud800', '\udfff', '😀', 'é', '"', '\\', ' ');
/** Short strings, and the same repeated up to ~120,000 characters. */
const hostile = fc
  .tuple(fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), nasty), { minLength: 1, maxLength: 6 }), fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 20_000 })))
  .map(([parts, n]) => parts.join('').repeat(n).slice(0, 120_000))
  .filter((s) => s.length > 0);

function bounded(message: string): void {
  expect(message.length).toBeLessThanOrEqual(CAP);
  expect(message).not.toMatch(LINE_BREAKING);
  // No lone surrogate: a half character breaks JSON consumers and terminals alike.
  expect(message).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
}

const thrown = (fn: () => unknown): Error => {
  const e = refusal(fn);
  if (!e) throw new Error('expected a refusal');
  return e;
};
/** The error `fn` throws, if any (a generated value may happen to be valid). */
const refusal = (fn: () => unknown): Error | undefined => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return undefined;
};

const RUNS = { numRuns: 60 };

describe('errors never echo unbounded input', () => {
  it('oneLine: bounded, one line, well-formed, and the text itself when short and clean', () => {
    fc.assert(fc.property(hostile, (s) => bounded(oneLine(s))), RUNS);
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 100 }).filter((s) => !/[\p{Cc}]/u.test(s)), (s) => expect(oneLine(s)).toBe(s)));
  });

  it('manual request: an unknown field name, a bad value or a bad action of any size', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        for (const raw of [{ action: 'failover', az: 'us-east-1a', reason: 'x', [s]: 1 }, { action: 'status', [s]: 1, [`${s}2`]: 2 }, { action: s }]) {
          const e = thrown(() => parseRequest(raw));
          expect(e).toBeInstanceOf(RequestError);
          bounded(e.message);
        }
        for (const raw of [
          { action: 'failover', az: s, reason: 'x' },
          { action: 'failover', az: 'us-east-1a', reason: s },
          { action: 'failover', az: 'us-east-1a', reason: 'x', expiresAt: s },
          { action: 'restore', az: 'us-east-1a', by: s },
        ]) {
          const e = refusal(() => parseRequest(raw));
          if (e) bounded(e.message);
        }
      }),
      RUNS,
    );
  });

  it('the manual function answers a 100,000-character unknown field with a short structured error', async () => {
    const key = 'k'.repeat(100_000);
    const res = await handleManual(deps(region()), CONFIG, { action: 'status', [key]: 1 });
    expect(res.ok).toBe(false);
    const body = JSON.stringify(res);
    expect(body.length).toBeLessThan(1_000);
    expect(res).toMatchObject({ error: { code: 'invalid-request', message: expect.stringContaining('unknown field') } });
  });

  it('internal payload (anyone allowed to invoke reconcile can send one)', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        for (const raw of [
          { 'nat-failover': 'manual', action: 'failover', by: 'x', dryRun: false, [s]: 1 },
          { 'nat-failover': 'manual', action: s, by: 'x', dryRun: false },
          { 'nat-failover': 'manual', action: 'restore', by: 'x', dryRun: false, overrides: { restoreNow: [{ az: s, force: 1, reason: s, by: s }] } },
        ]) bounded(thrown(() => parseInternalPayload(raw)).message);
      }),
      RUNS,
    );
  });

  it('CLI arguments: commands, flags, values and durations', async () => {
    const now = new Date('2026-11-23T12:00:00Z');
    fc.assert(
      fc.property(hostile, (s) => {
        for (const argv of [[s], ['status', s], ['status', `--${s}`], ['status', '--stage', s], ['failover', '--az', 'a', '--reason', 'r', '--expires', `0${s.length > 0 ? 'm' : ''}`]]) {
          let e: unknown;
          try {
            parseCli(argv, now, 'op');
          } catch (err) {
            e = err;
          }
          if (e !== undefined) {
            expect(e).toBeInstanceOf(UsageError);
            bounded((e as Error).message);
          }
        }
      }),
      RUNS,
    );
    // And what the operator sees: every line main() prints (the usage aside) is bounded.
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        // Only command lines refused before any AWS call (a valid one would reach for the network).
        for (const argv of [['reboot', s], ['status', s], ['status', `--${s}`], ['failover', '--az', `${s}!`, '--reason', 'x'], ['status', '--vpc', `${s}!`]]) {
          const err: string[] = [];
          const code = await main(argv, { out: () => undefined, err: (t) => void err.push(t) }, {});
          expect(code).toBe(2);
          bounded(err[0]!);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('environment: every variable', () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom(...Object.keys(ENV_VARS)), (s, key) => {
        let e: unknown;
        try {
          loadConfig({ [key]: s });
        } catch (err) {
          e = err;
        }
        if (e !== undefined) {
          expect(e).toBeInstanceOf(ConfigError);
          bounded((e as Error).message);
        }
      }),
      RUNS,
    );
  });

  it('EventBridge events: the trigger name and the reason an event is ignored', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        for (const event of [
          { source: s, 'detail-type': s, detail: {} },
          { source: 'aws.cloudwatch', 'detail-type': s, detail: {} },
          { source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: s, eventTypeCategory: 'issue', eventArn: s, eventDescription: [{ latestDescription: s }] } },
          { source: 'aws.arc-zonal-shift', 'detail-type': s, detail: { metadata: { awayFrom: s } } },
        ]) {
          const t = triggerOf(event);
          bounded(t.name);
          if (t.ignored !== undefined) bounded(t.ignored);
        }
      }),
      RUNS,
    );
  });
});
