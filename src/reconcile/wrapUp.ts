/**
 * The end of an invocation (issue 16 item 2): what a run does after its last route write must fit
 * before the deadline, or Lambda stops it mid-record and the routes it moved go unrecorded (no
 * 'route changed' line, no metrics: middy's logMetrics flushes them after the handler returns, no
 * notification, no continuation). Lambda ends an invocation at its timeout whatever it is doing
 * ("Configure Lambda function timeout", Lambda developer guide).
 *
 * The budget after act() (the controller's WRAP_UP_MS, 15 s from the last write's start):
 *
 *   last write and state tags │ verify read (VERIFY_READ_MS) │ notification │ continuation + flush
 *                             ╰── VERIFY_MIN_MS before the deadline        ╰ CONTINUATION_RESERVE_MS
 *                                                            ╰ RECORD_RESERVE_MS
 */
import type { Clock } from '../clock';
import { DEADLINE_MARGIN_MS } from '../retry';

/**
 * Kept for record() and the continuation: the Retrier's own DEADLINE_MARGIN_MS, the time it keeps
 * free "after giving up on a call" so the run still reports, records metrics and notifies. A
 * verify read (a retried call) that has not answered by then is dropped, as the Retrier would drop it.
 */
export const RECORD_RESERVE_MS = DEADLINE_MARGIN_MS;

/**
 * A verify read's own time: one observe() (five DescribeRouteTables pages at 1,000 tables, the
 * other describes, GetMetricData, the signals; under a second on AWS), with room for the
 * Retrier's first backoffs (DEFAULT_RETRY: 0.2 + 0.4 + 0.8 + 1.6 s at most for four attempts).
 */
export const VERIFY_READ_MS = 5_000;

/**
 * A verify pass starts only with this much time left: its read and then the record. 10 s, so a
 * run whose writes ended on time (the last one started WRAP_UP_MS, 15 s, before the deadline)
 * still has 5 s for that write and the state tags, and verifies as before; only a run whose
 * last write or tags ran late skips it.
 */
export const VERIFY_MIN_MS = VERIFY_READ_MS + RECORD_RESERVE_MS;

/**
 * Left after the notification for the continuation self-invoke (one asynchronous Invoke, answered
 * at once with 202) and middy's metric flush (a stdout write): the notification is given up this
 * long before the deadline so the continuation always gets its chance.
 */
export const CONTINUATION_RESERVE_MS = 2_000;

/**
 * Kept after the continuation's invoke: middy's logMetrics writes the run's EMF line to stdout
 * after the handler returns, and the handler's answer goes back; milliseconds of work. An invoke
 * not answered by then is given up (continuation.ts) rather than let Lambda's timeout cut the flush.
 */
export const FLUSH_RESERVE_MS = 500;

/** Milliseconds left before the deadline; Infinity without one (the CLI, the scenarios without a timeout). */
export function timeLeft(clock: Clock, deadline: (() => number | undefined) | undefined): number {
  const at = deadline?.();
  return at === undefined ? Infinity : at - clock.now().getTime();
}

export type Settled<T> = { readonly done: true; readonly value: T } | { readonly done: false };

/**
 * `work`'s outcome if it settles by `at` (epoch ms); `{ done: false }` if not (or if `at` has
 * passed). A rejection before `at` rejects. Work given up on is told so through its signal (an
 * SDK call aborts its request); whatever it does not stop must be harmless to leave running (a
 * read), since what a handler leaves running resumes in the next invocation ("Background processes
 * or callbacks initiated by your Lambda function that did not complete when the function ended
 * resume if AWS Lambda chooses to reuse the execution context", Lambda developer guide).
 * Its late rejection is swallowed here, not left unhandled. The timer is dropped as soon as the
 * race is decided.
 */
export async function settleBy<T>(clock: Clock, work: (signal: AbortSignal) => Promise<T>, at: number | undefined): Promise<Settled<T>> {
  const giveUp = new AbortController();
  if (at === undefined) return { done: true, value: await work(giveUp.signal) };
  const left = at - clock.now().getTime();
  // Past the bound nothing starts: a write (the continuation's Invoke) that went out after it
  // would be done yet reported as not (found in review).
  if (left <= 0) return { done: false };
  const running = work(giveUp.signal);
  running.catch(() => undefined);
  const stop = new AbortController();
  try {
    const out = await Promise.race([
      running.then((value): Settled<T> => ({ done: true, value })),
      clock.sleep(left, stop.signal).then((): Settled<T> => ({ done: false })),
    ]);
    if (!out.done) giveUp.abort();
    return out;
  } finally {
    stop.abort();
  }
}
