/**
 * Recorder and Io are interfaces with method signatures, so an implementation may be a class whose
 * methods use `this` (src/sim/recorder.ts is one). Callers must call them as methods: a detached
 * `(ok ? r.warn : r.error)(...)` loses `this` and throws. Found by @typescript-eslint/unbound-method.
 */
import { handleManual } from '../../src/manual/actions';
import { MemoryRecorder } from '../../src/sim/recorder';
import { CONFIG, deps, NOW, region } from './world';

describe('handleManual with a class-based recorder', () => {
  it('logs a refused request as a warning and returns the failure (never throws)', async () => {
    const recorder = new MemoryRecorder(() => NOW);
    const res = await handleManual({ ...deps(region()), recorder }, CONFIG, { action: 'failover', reason: 'no az given' });
    expect(res.ok).toBe(false);
    expect(recorder.logs.map((l) => [l.level, l.message])).toEqual([['warn', 'manual action failed']]);
  });

  it('logs a failed step as an error', async () => {
    const recorder = new MemoryRecorder(() => NOW);
    const cloud = region();
    cloud.readInventory = () => Promise.reject(new Error('EC2 unavailable'));
    const res = await handleManual({ ...deps(cloud), recorder }, CONFIG, { action: 'status' });
    expect(res.ok).toBe(false);
    expect(recorder.logs.map((l) => [l.level, l.message])).toEqual([['error', 'manual action failed']]);
  });
});
