import type { Clock } from '../clock';
import type { Recorder } from './ports';
import type { RunReport } from './types';
import { settleBy } from './wrapUp';

/**
 * The payload a run sends its own function when the invocation's deadline left route changes
 * undone: recognised by the same marker key as the manual function's payload, with its own value,
 * so it is never mistaken for an EventBridge event or a manual request.
 */
export const CONTINUATION = 'continuation' as const;

export interface ContinuationPayload {
  readonly 'nat-failover': typeof CONTINUATION;
  /** Continuations so far in this chain (the first continuation is 1). */
  readonly chain: number;
  /** The event that started the chain (never a continuation), when small enough to carry. */
  readonly origin?: unknown;
}

/** Lambda takes 256 KB for an asynchronous payload; the events we carry are a few KB. */
export const ORIGIN_MAX_BYTES = 64 * 1024;

/** The chain's first event, if the continuation carries one (and it is not itself a continuation). */
export function originOf(event: unknown): unknown {
  const o = (event as Record<string, unknown>).origin;
  return o === undefined || o === null || isContinuation(o) ? undefined : o;
}

/**
 * Continuations one chain may take: 40 invocations of 45 s of writing at EC2's 5 writes a second
 * is ~9,000 writes beyond the burst, far above any one AZ. A chain that reaches it (a bug that
 * defers forever) stops self-invoking and leaves the rest to the schedule, which never stops.
 */
export const MAX_CHAIN = 40;

export const isContinuation = (event: unknown): boolean =>
  event !== null && typeof event === 'object' && (event as Record<string, unknown>)['nat-failover'] === CONTINUATION;

/** The chain count of a continuation event; anything odd reads as the chain's end. */
export function chainOf(event: unknown): number {
  const n = (event as Record<string, unknown>).chain;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_CHAIN ? n : MAX_CHAIN;
}

/**
 * Starts the next run at once when this one left route changes for lack of time: no idle gap
 * until the next schedule tick. The invoke is asynchronous (Lambda queues it); with reserved
 * concurrency 1 it waits for this invocation to end, as Lambda retries throttled asynchronous
 * invocations from its queue "for up to 6 hours by default" (here maximumEventAge, 900 s), the first
 * retry after 1 s ("How Lambda handles errors and retries with asynchronous invocation", Lambda
 * developer guide). A failed invoke only costs the gap: the schedule runs again within a minute.
 * Returns whether a continuation was asked for.
 */
export async function continueIfUnfinished(
  report: Pick<RunReport, 'continuation' | 'dryRun'>,
  chain: number,
  invoke: (payload: ContinuationPayload) => Promise<void>,
  recorder: Recorder,
  origin?: unknown,
  /**
   * The invoke must have answered by `at` (epoch ms; the handler passes the invocation's deadline
   * less FLUSH_RESERVE_MS): an invoke still hanging then is given up, logged, and the handler
   * returns, so middy still flushes the run's metrics before Lambda's timeout.
   */
  until?: { readonly clock: Clock; readonly at: number | undefined },
): Promise<boolean> {
  if (!report.continuation || report.dryRun) return false;
  if (chain >= MAX_CHAIN) {
    recorder.error('continuation chain too long; leaving the rest to the schedule', { chain });
    return false;
  }
  try {
    const carried = origin === undefined || isContinuation(origin) ? undefined : origin;
    const size = carried === undefined ? 0 : Buffer.byteLength(JSON.stringify(carried) ?? '');
    if (size > ORIGIN_MAX_BYTES) recorder.warn('continuation without its first event (too large to carry); it runs as a plain pass', { bytes: size });
    const payload: ContinuationPayload = { 'nat-failover': CONTINUATION, chain: chain + 1, ...(carried !== undefined && size <= ORIGIN_MAX_BYTES ? { origin: carried } : {}) };
    const done = until ? (await settleBy(until.clock, () => invoke(payload), until.at)).done : (await invoke(payload), true);
    if (!done) {
      recorder.error('continuation not confirmed before the invocation deadline; the next scheduled run continues', { chain: chain + 1 });
      return false;
    }
    recorder.info('continuation invoked', { chain: chain + 1 });
    return true;
  } catch (e) {
    recorder.error('continuation not invoked; the next scheduled run continues', { error: (e as Error).message, chain: chain + 1 });
    return false;
  }
}
