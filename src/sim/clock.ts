import type { Clock } from '../clock';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * Virtual time for the simulated region. `sleep` never waits: once every pending microtask has
 * run (a setImmediate turn), time jumps to the earliest deadline and wakes all sleepers due then.
 * Concurrent sleepers (mapLimit workers) therefore overlap, as they would on a real clock.
 */
export class VirtualClock implements Clock {
  private t: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private pending = false;
  readonly startedAt: number;

  constructor(start: Date) {
    this.t = start.getTime();
    this.startedAt = this.t;
  }

  now(): Date {
    return new Date(this.t);
  }

  nowMs(): number {
    return this.t;
  }

  /** Virtual milliseconds since construction. */
  get elapsedMs(): number {
    return this.t - this.startedAt;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      // An aborted sleep leaves no timer: time must not later jump to a wake-up nobody awaits.
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.timers.indexOf(timer);
          if (i >= 0) this.timers.splice(i, 1);
          resolve();
        },
        { once: true },
      );
      this.wake();
    });
  }

  /** Moves time forward between runs; refuses while someone is asleep (that would skip their wake-up). */
  advanceTo(at: Date | number): void {
    const target = typeof at === 'number' ? at : at.getTime();
    if (this.timers.length > 0) throw new Error(`VirtualClock: ${this.timers.length} sleeper(s) pending; cannot jump time`);
    if (target < this.t) throw new Error(`VirtualClock: cannot go back from ${new Date(this.t).toISOString()} to ${new Date(target).toISOString()}`);
    this.t = target;
  }

  private wake(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => this.fire());
  }

  private fire(): void {
    this.pending = false;
    if (this.timers.length === 0) return;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const at = (this.timers[0] as Timer).at;
    const due: Timer[] = [];
    while (this.timers.length > 0 && (this.timers[0] as Timer).at === at) due.push(this.timers.shift() as Timer);
    this.t = Math.max(this.t, at);
    for (const d of due) d.resolve();
    if (this.timers.length > 0) this.wake();
  }
}
