import { triggerOf } from '../events/triggers';
import { isInternalPayload, parseInternalPayload } from '../manual/internal';
import type { RunOptions } from '../reconcile/controller';
import { chainOf, isContinuation, originOf } from '../reconcile/continuation';

/** What one reconcile invocation was asked to do, read from its event. */
export interface ReconcileInvocation {
  readonly options: RunOptions;
  /** Continuations so far in this chain (0: not a continuation). */
  readonly chain: number;
  /**
   * The event that started the chain, handed to a continuation so that it keeps what only that
   * event said (a probe's verdict, an evacuation, an operator's restore): the deferred changes were
   * decided on it, and the record promises the continuation does them.
   */
  readonly origin: unknown;
  /** An event that said nothing usable: logged, then a plain level-triggered run. */
  readonly ignored?: { readonly trigger: string; readonly reason: string };
}

function fromEvent(event: unknown): Omit<ReconcileInvocation, 'chain' | 'origin'> {
  // The manual function's request: it recorded its intent (pins) and asks for one run now.
  if (isInternalPayload(event)) {
    const run = parseInternalPayload(event);
    return { options: { trigger: `manual:${run.action}`, forceMetrics: true, dryRun: run.dryRun, overrides: run.overrides } };
  }
  const t = triggerOf(event);
  return {
    options: { trigger: t.name, forceMetrics: t.forceMetrics, signalUpdates: t.updates, ...(t.probe ? { probeVerdict: t.probe } : {}) },
    ...(t.ignored ? { ignored: { trigger: t.name, reason: t.ignored } } : {}),
  };
}

export function readInvocation(event: unknown): ReconcileInvocation {
  if (isContinuation(event)) {
    const origin = originOf(event);
    // Re-reading the origin is idempotent: memory updates re-applied change nothing, a verdict is
    // evidence for its own minute only, overrides are one-run instructions.
    const carried = origin === undefined ? {} : fromEvent(origin).options;
    return { options: { ...carried, trigger: 'continuation' }, chain: chainOf(event), origin };
  }
  return { ...fromEvent(event), chain: 0, origin: event };
}
