/**
 * Observe starts DescribeAlarms beside the EC2 describes: the managed alarms' listing needs no
 * inventory, so it must not wait for it (issue 16, "start independent reads together").
 */
import { DEFAULTS, type Config } from '../../src/config';
import type { ExistingAlarm } from '../../src/events/alarmSpecs';
import { type AlarmStore, PushedSignals } from '../../src/events/signals';
import { observe } from '../../src/reconcile/controller';
import type { Inventory } from '../../src/core/types';
import { threeAzRegion } from './memoryCloud';

const NOW = new Date('2026-11-23T12:00:30Z');
const clock = { now: () => NOW, sleep: async () => {} };
const config: Config = { ...DEFAULTS, alarms: 'managed' };

/** Records the order of events across the inventory read and the alarm listing. */
function wiring(list: () => Promise<ExistingAlarm[]>) {
  const { cloud, recorder, logs } = threeAzRegion();
  const order: string[] = [];
  let releaseInventory: () => void = () => {};
  const gate = new Promise<void>((r) => (releaseInventory = r));
  const readInventory = cloud.readInventory.bind(cloud);
  cloud.readInventory = async (scope): Promise<Inventory> => {
    order.push('inventory started');
    await gate;
    order.push('inventory done');
    return readInventory(scope);
  };
  const store: AlarmStore = {
    list: async () => {
      order.push('DescribeAlarms started');
      return list();
    },
    put: async (): Promise<void> => {},
    remove: async () => {},
  };
  const signals = new PushedSignals({ cloud, alarms: store, recorder }, config);
  return { deps: { cloud, clock, recorder, signals }, order, releaseInventory, logs };
}

describe('observe: independent reads start together', () => {
  it('starts DescribeAlarms before the inventory read has finished, and uses that one listing', async () => {
    // Prepare
    const w = wiring(async () => []);

    // Act: observe waits on the inventory; let the event loop run, then release it.
    const running = observe(w.deps, config);
    await new Promise((r) => setImmediate(r));
    const beforeRelease = [...w.order];
    w.releaseInventory();
    const obs = await running;

    // Assess: the listing was already asked for while the inventory was still being read, once.
    expect(beforeRelease).toStrictEqual(['DescribeAlarms started', 'inventory started']);
    expect(w.order.filter((e) => e === 'DescribeAlarms started')).toHaveLength(1);
    expect(obs.unreadSignals).toStrictEqual([]);
  });

  it('a listing that fails early is reported as unread alarms, never an unhandled rejection', async () => {
    // Prepare
    const w = wiring(async () => {
      throw new Error('DescribeAlarms was throttled');
    });

    // Act
    const running = observe(w.deps, config);
    await new Promise((r) => setImmediate(r));
    w.releaseInventory();
    const obs = await running;

    // Assess
    expect(obs.unreadSignals).toStrictEqual([{ source: 'alarms', error: 'DescribeAlarms was throttled' }]);
    expect(w.logs).toContain('ERROR alarms not read; soft signals unknown this run');
  });
});
