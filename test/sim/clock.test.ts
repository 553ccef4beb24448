import { mapLimit } from '../../src/retry';
import { TokenBucket } from '../../src/sim/buckets';
import { VirtualClock } from '../../src/sim/clock';

describe('VirtualClock', () => {
  it('advances time by the sleep without waiting for real', async () => {
    const clock = new VirtualClock(new Date('2026-01-01T00:00:00Z'));
    const real = Date.now();
    await clock.sleep(3_600_000);
    expect(clock.now().toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(Date.now() - real).toBeLessThan(1000);
  });

  it('overlaps concurrent sleepers instead of adding them up', async () => {
    const clock = new VirtualClock(new Date(0));
    const woke: number[] = [];
    await mapLimit([100, 100, 100, 100, 100, 100], 3, async (ms) => {
      await clock.sleep(ms);
      woke.push(clock.nowMs());
    });
    // 6 sleeps of 100 ms, 3 at a time: two waves.
    expect(clock.elapsedMs).toBe(200);
    expect(woke).toEqual([100, 100, 100, 200, 200, 200]);
  });

  it('wakes sleepers in deadline order', async () => {
    const clock = new VirtualClock(new Date(0));
    const order: string[] = [];
    await Promise.all([
      clock.sleep(300).then(() => order.push('slow')),
      clock.sleep(10).then(() => order.push('fast')),
    ]);
    expect(order).toEqual(['fast', 'slow']);
    expect(clock.elapsedMs).toBe(300);
  });

  it('refuses to jump while someone sleeps, and refuses to go back', async () => {
    const clock = new VirtualClock(new Date(1000));
    const p = clock.sleep(5);
    expect(() => clock.advanceTo(5000)).toThrow(/pending/);
    await p;
    expect(() => clock.advanceTo(0)).toThrow(/cannot go back/);
  });
});

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then refills at its rate', () => {
    const b = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(400)).toBe(false);
    expect(b.take(500)).toBe(true);
  });

  it('starves during a storm and recovers after it', () => {
    const b = new TokenBucket({ capacity: 10, refillPerSecond: 10 }, 0);
    b.storm(0, 1);
    expect(b.take(10_000)).toBe(false);
    b.storm(10_000, 0);
    expect(b.take(10_100)).toBe(true);
  });
});
