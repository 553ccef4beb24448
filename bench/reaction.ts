import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alarmName } from '../src/events/alarmSpecs';
import { triggerOf } from '../src/events/triggers';
import { type Bench, benchOn, failures, run, warmUp } from './harness';
import { benchWorld } from './world';

export const REACTION_SIZES = [3, 50] as const;
export const REACTION_EVENTS = ['arc-autoshift', 'alarm-state-change'] as const;
type EventKind = (typeof REACTION_EVENTS)[number];

export interface ReactionRow {
  readonly event: EventKind;
  readonly tables: number;
  /** Virtual ms from the event handed to the controller to the last route switched. */
  readonly reactionMs: number;
  readonly calls: number;
  readonly retries: number;
  readonly failedChanges: number;
  readonly tablesMoved: number;
}

const sample = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '..', 'events', `${name}.json`), 'utf8')) as Record<string, unknown>;

/** The documented event from events/, re-addressed to the simulated region's AZ `a` and gateway nat-a. */
function eventFor(kind: EventKind, b: Bench): unknown {
  const now = b.sim.clock.now();
  const e = sample(kind) as { time: string; resources: string[]; detail: Record<string, unknown> };
  e.time = now.toISOString();
  if (kind === 'arc-autoshift') {
    const az = b.sim.world.zones[0]!;
    (e.detail.metadata as Record<string, unknown>).awayFrom = az.id;
    return e;
  }
  // CloudWatch evaluated the managed alarm (M of N minutes) and moved it to ALARM; EventBridge delivers.
  const name = alarmName(b.config.alarmPrefix, 'nat-a', 'packet-drops');
  b.alarms.setState(name, 'ALARM', now);
  e.detail.alarmName = name;
  e.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`];
  (e.detail.state as Record<string, unknown>).timestamp = now.toISOString();
  return e;
}

async function measure(kind: EventKind, tables: number): Promise<ReactionRow> {
  const b = benchOn(benchWorld(tables * 3, 1));
  await warmUp(b);
  // Events arrive at any second, not on the schedule's minute.
  b.sim.clock.advanceTo(b.sim.clock.nowMs() + 17_000);
  const before = b.sim.mutations.length;
  const delivered = b.sim.clock.nowMs();
  const trigger = triggerOf(eventFor(kind, b));
  if (trigger.ignored) throw new Error(`bench event ignored: ${trigger.ignored}`);
  const report = await run(b, { trigger: trigger.name, forceMetrics: trigger.forceMetrics, signalUpdates: trigger.updates });
  const switched = b.sim.mutations.slice(before).filter((m) => m.op === 'ReplaceRoute' && m.actor === 'controller');
  const homed = b.sim.world.tables.filter((t) => t.tags[b.config.managedTagKey] === b.config.managedTagValue && t.subnetIds.some((s) => s.startsWith('subnet-a')));
  const moved = homed.filter((t) => b.sim.target(t.id) !== 'nat-a').length;
  const s = b.sim.stats();
  return {
    event: kind,
    tables,
    reactionMs: switched.length > 0 ? Math.max(...switched.map((m) => m.at)) - delivered : Number.NaN,
    calls: s.calls,
    retries: s.retries,
    failedChanges: failures(report) + (homed.length - moved),
    tablesMoved: moved,
  };
}

export async function reaction(): Promise<ReactionRow[]> {
  const rows: ReactionRow[] = [];
  for (const kind of REACTION_EVENTS) for (const tables of REACTION_SIZES) rows.push(await measure(kind, tables));
  return rows;
}
