/**
 * Run in a fresh node process by bench/artefacts.ts: the peak memory of 1,000-table reconcile runs
 * on the simulator (initial run writing every state tag, then a steady-state run, then a failover
 * of a third of the tables). Prints one JSON line.
 */
import { benchOn, nextMinute, run } from './harness';
import { benchWorld } from './world';

let peakHeapUsed = 0;
const sample = () => {
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
};

async function main(): Promise<void> {
  const tables = 1000;
  const b = benchOn(benchWorld(tables, 5));
  const timer = setInterval(sample, 1);
  b.deps.recorder.info = () => sample();
  for (let i = 0; i < 2; i++) {
    await run(b);
    sample();
    nextMinute(b);
  }
  for (const n of b.sim.world.nats.filter((x) => x.az === 'us-east-1a')) b.sim.setNatState(n.id, 'failed');
  await run(b);
  sample();
  clearInterval(timer);
  process.stdout.write(JSON.stringify({ tables, maxRssKb: process.resourceUsage().maxRSS, peakHeapUsed }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
