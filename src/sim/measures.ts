import { IPV4_DEFAULT } from '../core/constants';
import type { Mutation, TruthStatus } from './region';
import type { TableHome } from './invariants';

/** Ground truth sampled at each whole minute, before the run. */
export interface MinuteSample {
  readonly truth: Readonly<Record<string, TruthStatus>>;
  /** Zonal gateways per VPC and AZ that exist and are available. */
  readonly gateways: readonly { readonly id: string; readonly vpcId: string; readonly az: string }[];
}

/** Decision quality of one policy on one scenario, judged against ground truth. */
export interface Measures {
  /** Tables moved (IPv4 default route writes by the controller). */
  readonly routeChanges: number;
  /** Moves a fully informed operator would not have made. */
  readonly needless: number;
  /** A table left 10+ minutes on a bad gateway while a healthy one existed, never moved. */
  readonly missed: number;
  /** Table-minutes on a bad gateway while a healthy one existed. */
  readonly deadMinutes: number;
  /** Per table episode: bad gateway → moved to a healthy one (ms). */
  readonly timeToFailover: readonly number[];
  /** Per table episode: home healthy again → moved home (ms). */
  readonly timeToRestore: readonly number[];
}

export const MISS_AFTER_MS = 10 * 60_000;
/** A restore is worth it only if home then stays healthy this long. */
const STAY_OK_MINUTES = 15;

export function measure(
  start: number,
  minutes: number,
  samples: readonly MinuteSample[],
  homes: ReadonlyMap<string, TableHome>,
  initialTargets: ReadonlyMap<string, string>,
  mutations: readonly Mutation[],
  intentional: ReadonlySet<string>,
): Measures {
  const MIN = 60_000;
  const minuteOf = (t: number) => Math.min(samples.length - 1, Math.max(0, Math.floor((t - start) / MIN)));
  const homeAt = (m: number, h: TableHome) => samples[m]?.gateways.find((g) => g.vpcId === h.vpcId && g.az === h.az)?.id;
  const ok = (m: number, id: string | undefined) => id !== undefined && samples[m]?.truth[id] === 'ok';
  const bad = (m: number, id: string) => {
    const s = samples[m]?.truth[id];
    return s !== undefined && s !== 'ok';
  };
  const altOk = (m: number, h: TableHome, except: string) => (samples[m]?.gateways ?? []).some((g) => g.vpcId === h.vpcId && g.id !== except && ok(m, g.id));

  let routeChanges = 0;
  let needless = 0;
  const moves = mutations.filter((x) => x.op === 'ReplaceRoute' && x.destination === IPV4_DEFAULT);
  for (const x of moves) {
    if (x.actor !== 'controller') continue;
    routeChanges++;
    const h = homes.get(x.routeTableId);
    const m = minuteOf(x.at);
    if (!h || intentional.has(`${x.routeTableId}@${m}`)) continue;
    const toOk = x.toTruth?.status === 'ok';
    const fromOk = x.fromTruth?.status === 'ok';
    let staysOk = true;
    for (let k = m + 1; k <= Math.min(samples.length - 1, m + STAY_OK_MINUTES); k++) staysOk &&= ok(k, x.to);
    const toHome = x.to === homeAt(m, h) || x.to === homeAt(Math.min(samples.length - 1, m + 1), h);
    if (!(toOk && (!fromOk || (toHome && staysOk)))) needless++;
  }

  let deadMs = 0;
  let missed = 0;
  const ttf: number[] = [];
  const ttr: number[] = [];
  const end = start + (minutes + 1) * MIN;
  for (const [id, h] of homes) {
    const changes = moves.filter((x) => x.routeTableId === id).sort((a, b) => a.at - b.at);
    let target = initialTargets.get(id) as string;
    let exposedSince: number | undefined;
    let awaySince: number | undefined;
    const cuts = [...new Set([...Array.from({ length: minutes + 1 }, (_, i) => start + i * MIN), ...changes.map((c) => c.at), end])].sort((a, b) => a - b);
    let ci = 0;
    for (let i = 0; i < cuts.length - 1; i++) {
      const a = cuts[i] as number;
      const b = cuts[i + 1] as number;
      let movedByController = false;
      while (ci < changes.length && (changes[ci] as Mutation).at <= a) {
        const c = changes[ci++] as Mutation;
        target = c.to as string;
        movedByController = c.actor === 'controller';
      }
      const m = minuteOf(a);
      const exposed = bad(m, target) && altOk(m, h, target);
      if (exposed) {
        deadMs += b - a;
        exposedSince ??= a;
      } else if (exposedSince !== undefined) {
        if (movedByController && ok(m, target)) ttf.push(a - exposedSince);
        else if (a - exposedSince >= MISS_AFTER_MS) missed++;
        exposedSince = undefined;
      }
      const home = homeAt(m, h);
      const away = home !== undefined && target !== home && ok(m, home) && samples[m]?.truth[target] !== undefined;
      if (away) awaySince ??= a;
      else if (awaySince !== undefined) {
        if (target === home && movedByController) ttr.push(a - awaySince);
        awaySince = undefined;
      }
    }
    if (exposedSince !== undefined && end - exposedSince >= MISS_AFTER_MS) missed++;
  }
  return { routeChanges, needless, missed, deadMinutes: Math.round((deadMs / MIN) * 10) / 10, timeToFailover: ttf, timeToRestore: ttr };
}

export const median = (xs: readonly number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export const fmtDuration = (ms: number | undefined): string => {
  if (ms === undefined) return '–';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};
