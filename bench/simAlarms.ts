import type { AlarmSpec, ExistingAlarm } from '../src/events/alarmSpecs';
import type { SimRegion } from '../src/sim/region';
import type { AlarmStore } from '../src/events/signals';

/** DescribeAlarms returns at most 100 alarms a page (src/aws/alarms.ts). */
const DESCRIBE_PAGE_MAX = 100;
const DELETE_NAMES_MAX = 100;

/**
 * The managed CloudWatch alarms on the simulated region: same calls and pages as
 * src/aws/alarms.ts, each one an API call with the simulator's latency, counted by its Retrier.
 */
export class SimAlarmStore implements AlarmStore {
  readonly alarms = new Map<string, ExistingAlarm>();
  constructor(private readonly sim: SimRegion) {}

  private call<T>(operation: string, fn: () => T): Promise<T> {
    return this.sim.retrier.run(operation, async () => {
      await this.sim.clock.sleep(this.sim.options.latencyMs);
      return fn();
    });
  }

  async list(prefix: string): Promise<ExistingAlarm[]> {
    const all = [...this.alarms.values()].filter((a) => a.name.startsWith(`${prefix}-`)).sort((a, b) => a.name.localeCompare(b.name));
    const out: ExistingAlarm[] = [];
    for (let page = 0; ; page++) {
      const slice = await this.call('DescribeAlarms', () => all.slice(page * DESCRIBE_PAGE_MAX, (page + 1) * DESCRIBE_PAGE_MAX));
      out.push(...slice);
      if (slice.length < DESCRIBE_PAGE_MAX) return out;
    }
  }

  async put(spec: AlarmSpec): Promise<void> {
    await this.call('PutMetricAlarm', () => {
      const prev = this.alarms.get(spec.name);
      this.alarms.set(spec.name, { name: spec.name, description: spec.description, state: prev?.state ?? 'INSUFFICIENT_DATA', stateSince: prev?.stateSince });
    });
  }

  async remove(names: readonly string[]): Promise<void> {
    for (let i = 0; i < names.length; i += DELETE_NAMES_MAX) {
      await this.call('DeleteAlarms', () => {
        for (const n of names.slice(i, i + DELETE_NAMES_MAX)) this.alarms.delete(n);
      });
    }
  }

  /** CloudWatch moves an alarm to ALARM (what the EventBridge event then reports). */
  setState(name: string, state: ExistingAlarm['state'], at: Date): void {
    const a = this.alarms.get(name);
    if (a) this.alarms.set(name, { ...a, state, stateSince: at });
  }
}
