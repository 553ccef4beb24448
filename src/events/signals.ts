import type { Config } from '../config';
import type { SoftRules } from '../core/health';
import { type AlarmSpec, alarmsInAlarm, desiredAlarms, diffAlarms, type ExistingAlarm, gatewayAlarmNamespace } from './alarmSpecs';
import { applyUpdates, memoryWrites, readMemory } from './memory';
import type { SignalUpdate } from './types';
import type { AlarmListing, CloudPort, PrefetchedSignals, PushedSignalsRead, Recorder, SignalContext, SignalSource } from '../reconcile/ports';
import { mapLimit } from '../retry';
import type { Evacuation, GatewayAlarm, UnreadSignalSource } from '../core/types';

/** Where the managed alarms live (CloudWatch in src/aws/alarms.ts; a map in tests and the simulator). */
export interface AlarmStore {
  /** Every alarm named under `<prefix>-`, with its state: one paginated read. Called with the gateway namespace (`<ALARM_PREFIX>-gw`). */
  list(prefix: string): Promise<ExistingAlarm[]>;
  put(spec: AlarmSpec): Promise<void>;
  remove(names: readonly string[]): Promise<void>;
}

export interface PushedSignalsDeps {
  /** Only the tag writes: the memory is read from the inventory the run already has. */
  readonly cloud: Pick<CloudPort, 'createTags' | 'deleteTags'>;
  /** Absent when ALARMS=off. */
  readonly alarms?: AlarmStore;
  readonly recorder: Recorder;
}

type SignalsConfig = SoftRules & Pick<Config, 'alarmPrefix' | 'evacuationMaxAgeSeconds' | 'writeConcurrency' | 'metricLagSeconds'>;

/** The newer of what DescribeAlarms said and what a state-change event said (covers read lag). */
function withEvents(existing: readonly ExistingAlarm[], updates: readonly SignalUpdate[]): ExistingAlarm[] {
  const byName = new Map(existing.map((a) => [a.name, a]));
  for (const u of updates) {
    if (u.kind !== 'alarm-state') continue;
    const seen = byName.get(u.alarmName);
    const newer = !seen || (u.at !== undefined && (seen.stateSince === undefined || u.at > seen.stateSince));
    if (newer) byName.set(u.alarmName, { name: u.alarmName, description: seen?.description ?? '', state: u.state, stateSince: u.at });
  }
  return [...byName.values()];
}

/**
 * Signals AWS pushes (alarms, Health, ARC) and their memory between runs. Costs one DescribeAlarms
 * a run when alarms are managed, and tag writes only when an evacuation opens, closes or expires.
 * A failure here is logged and read as "no signal" (unknown), so a CloudWatch outage never stops
 * failovers on hard signals.
 */
export class PushedSignals implements SignalSource {
  readonly watchesMetrics: boolean;
  /** Foreign alarms already logged by this container: a name is reported once, not every minute. */
  private readonly reportedForeign = new Set<string>();

  constructor(
    private readonly deps: PushedSignalsDeps,
    private readonly config: SignalsConfig,
  ) {
    this.watchesMetrics = deps.alarms !== undefined;
  }

  /** Starts DescribeAlarms at once: it needs no inventory, so observe() runs it beside the EC2 reads. */
  prefetch(): PrefetchedSignals {
    return this.deps.alarms ? { alarmListing: this.listAlarms(this.deps.alarms) } : {};
  }

  private listAlarms(store: AlarmStore): Promise<AlarmListing> {
    return store.list(gatewayAlarmNamespace(this.config.alarmPrefix)).then(
      (alarms) => ({ alarms }),
      (e: unknown) => ({ error: e instanceof Error ? e : new Error(String(e)) }),
    );
  }

  async read(now: Date, ctx?: SignalContext): Promise<PushedSignalsRead> {
    if (!ctx) return { evacuations: [], alarms: [] };
    const [evacuations, alarms] = await Promise.all([this.evacuations(now, ctx), this.gatewayAlarms(now, ctx)]);
    const pendingWrites = evacuations.pending + alarms.pending;
    return { evacuations: evacuations.evacuations, alarms: alarms.alarms, unread: alarms.unread, pendingWrites };
  }

  private async evacuations(now: Date, ctx: SignalContext): Promise<{ evacuations: readonly Evacuation[]; pending: number }> {
    const { recorder, cloud } = this.deps;
    const tables = ctx.inventory.routeTables;
    const outcome = applyUpdates(readMemory(tables), ctx.updates, ctx.inventory.zones, now, this.config.evacuationMaxAgeSeconds);
    const writes = memoryWrites(tables, outcome.memory);
    const pending = writes.set.length + writes.remove.length;
    // A quiet run's check: the remembered tables may lack what the fresh ones carry; any write
    // sends the run to a full read, which writes and logs as usual.
    if (ctx.check) return { evacuations: outcome.evacuations, pending };
    for (const note of outcome.notes) recorder.info('evacuation signal', { note });
    if (tables.length === 0 && outcome.memory.length > 0) {
      recorder.warn('no managed route table to remember the evacuation on; it applies to this run only', {});
    }
    // The memory is kept on every managed table and read from any of them: a key that fits on no
    // table at all is an evacuation this controller will forget after this run. That is an error
    // (the planner keeps a slot free on every table it writes, so only tables full of their
    // owners' tags get here), not a warning.
    const refused = new Map(writes.overBudget.map((o) => [o.id, new Set(o.keys)]));
    const lostKeys = [...new Set(writes.overBudget.flatMap((o) => o.keys))].filter((k) => tables.every((t) => refused.get(t.id)?.has(k) === true));
    if (tables.length > 0 && lostKeys.length > 0) {
      recorder.error('evacuation memory fits on no managed table: it applies to this run only; remove tags from a managed table', { keys: lostKeys });
    }
    if (writes.overBudget.length > 0) {
      // This run still acts on the signal; the table just cannot remember it (nor a late event's
      // place in order) until tags are removed from it.
      recorder.warn('evacuation memory does not fit EC2\'s 50 tags on these tables; not written there', {
        tables: writes.overBudget.slice(0, 20).map((o) => `${o.id}: ${o.keys.join(', ')}`),
        count: writes.overBudget.length,
      });
    }
    if (pending === 0) return { evacuations: outcome.evacuations, pending };
    if (ctx.dryRun) {
      recorder.info('dry run: evacuation memory not written', { set: writes.set, remove: writes.remove });
      return { evacuations: outcome.evacuations, pending };
    }
    const jobs = [
      ...writes.set.map((w) => () => cloud.createTags(w.ids, w.tags)),
      ...writes.remove.map((w) => () => cloud.deleteTags(w.ids, w.keys)),
    ];
    await mapLimit(jobs, this.config.writeConcurrency, async (job) => {
      try {
        await job();
      } catch (e) {
        // This run still acts on the signal; the next event or run writes the memory again.
        recorder.error('evacuation memory not written', { error: (e as Error).message });
      }
    });
    return { evacuations: outcome.evacuations, pending };
  }

  private async gatewayAlarms(now: Date, ctx: SignalContext): Promise<{ alarms: readonly GatewayAlarm[]; unread: readonly UnreadSignalSource[]; pending: number }> {
    const { alarms: store, recorder } = this.deps;
    if (!store) return { alarms: [], unread: [], pending: 0 };
    const listing = await (ctx.prefetched?.alarmListing ?? this.listAlarms(store));
    if ('error' in listing) {
      recorder.error('alarms not read; soft signals unknown this run', { error: listing.error.message });
      // "No alarm in ALARM" would read as a clean bill of health; say the source is blind instead,
      // so the planner holds restores rather than trusting the silence.
      return { alarms: [], unread: [{ source: 'alarms', error: listing.error.message }], pending: 0 };
    }
    const existing: readonly ExistingAlarm[] = listing.alarms;
    const desired = desiredAlarms(ctx.inventory.natGateways, this.config);
    const diff = diffAlarms(existing, desired, this.config.alarmPrefix);
    const unreported = diff.foreign.filter((n) => !this.reportedForeign.has(n));
    if (unreported.length > 0) {
      for (const n of unreported) this.reportedForeign.add(n);
      recorder.info('alarms under the prefix not written by this controller; left alone', { alarms: unreported });
    }
    const changes = diff.create.length + diff.update.length + diff.remove.length;
    if (ctx.check) return { alarms: alarmsInAlarm(withEvents(existing, ctx.updates), desired, now), unread: [], pending: changes };
    if (changes > 0) {
      const summary = {
        create: diff.create.map((a) => a.name),
        update: diff.update.map((a) => a.name),
        delete: diff.remove,
      };
      if (ctx.dryRun) recorder.info('dry run: alarms not changed', summary);
      else {
        const failures: string[] = [];
        await mapLimit([...diff.create, ...diff.update], this.config.writeConcurrency, async (spec) => {
          try {
            await store.put(spec);
          } catch (e) {
            failures.push(`${spec.name}: ${(e as Error).message}`);
          }
        });
        if (diff.remove.length > 0) {
          try {
            await store.remove(diff.remove);
          } catch (e) {
            failures.push(`delete: ${(e as Error).message}`);
          }
        }
        if (failures.length > 0) recorder.error('alarms not brought in step; retried next run', { failures });
        else recorder.info('alarms brought in step', summary);
      }
    }
    return { alarms: alarmsInAlarm(withEvents(existing, ctx.updates), desired, now), unread: [], pending: changes };
  }
}
