import type { Zone } from '../core/types';

/**
 * AZ names (us-east-1a, us-gov-west-1b) and AZ ids (use1-az1, usgw1-az2) as they appear in AWS
 * text. The guards keep Local Zones (us-east-1-bos-1a, use1-bos1-az1) and ARNs from matching.
 */
const AZ_NAME = /(?<![a-z0-9-])[a-z]{2}(?:-[a-z]+)+-\d+[a-z](?![a-z0-9-])/g;
const AZ_ID = /(?<![a-z0-9-])[a-z]{2,5}\d+-az\d+(?![a-z0-9-])/g;

/** Every AZ-looking token in `text`, in order of first appearance, without duplicates. */
export function zoneTokens(text: string): string[] {
  const found: { at: number; token: string }[] = [];
  for (const re of [AZ_NAME, AZ_ID]) {
    for (const m of text.toLowerCase().matchAll(re)) found.push({ at: m.index ?? 0, token: m[0] });
  }
  return [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.token))];
}

/** The AZ name for a name or id of this region; undefined when it is not one of ours. */
export function resolveZone(token: string, zones: readonly Zone[]): Zone | undefined {
  const t = token.trim().toLowerCase();
  return zones.find((z) => z.name === t || z.id === t);
}

/*
 * Which AZs a free-text description says are impaired. Health posts the AZ of an incident only in
 * prose ("... in a single Availability Zone (use1-az2) ..."), and the same prose often names the
 * AZs that are fine or where traffic was moved ("we have shifted traffic to use1-az1"). Reading
 * every AZ-looking token would evacuate the very AZ traffic was moved to, so the rule is
 * conservative, by construction of each mention's context:
 *
 *  1. The text is cut into clauses: sentences (. ! ? ; or a line break), then at but / while /
 *     whereas / however / although / though / except.
 *  2. A mention is a *target* when the words before it in its clause end in "to", "into",
 *     "towards", "onto" or "in favour of" (optionally "the other/remaining/healthy … Availability
 *     Zone(s)"), except "limited/isolated/confined/restricted/specific/localized/scoped/contained
 *     to", which say where the trouble is. A mention listed right after another one ("to use1-az1
 *     and use1-az3", "use1-az2 (us-east-1c)") shares that mention's reading.
 *  3. A mention is *healthy* when its clause has a recovery or health word (healthy, unaffected,
 *     not affected/impacted/impaired, no impact, recovered/recovering/recovery, resolved, restored,
 *     mitigated, normal(ly), available).
 *  4. A mention is *affected* when it is neither, and its clause has an impairment word
 *     (affected, impaired, impact, issue, degraded, error, failure, outage, disruption,
 *     unavailable, loss, elevated, increased, investigating, unreachable, latency, connectivity,
 *     throttled, power, "away from").
 *  5. An AZ is returned only if at least one mention is affected and none is a target or healthy:
 *     a description that names an AZ as fine, or as where traffic went, never evacuates it.
 * An AZ named with no context at all is not returned either: silence is not an impairment.
 */
const SENTENCES = /(?<=[.!?;])\s+|[\r\n]+/;
const CLAUSES = /,?\s+\b(?:but|while|whereas|however|although|though|except)\b/i;
const HEALTHY =
  /\b(?:healthy|unaffected|unimpaired|not\s+(?:been\s+|currently\s+|be\s+)?(?:affected|impacted|impaired|experiencing)|no\s+(?:impact|issues?|errors?)|recover(?:ed|ing|y)|resolved|restored|mitigated|normal(?:ly)?|available)\b/i;
const IMPAIRED =
  /\b(?:affect(?:ed|ing|s)?|impair(?:ed|ment|ing)?|impact(?:ed|ing|s)?|issues?|degrad(?:ed|ation)|errors?|failures?|failing|outages?|disrupt(?:ed|ions?)|unavailable|loss|elevated|increased|investigating|unreachable|latenc(?:y|ies)|connectivity|throttl(?:ed|ing)|power|away\s+from)\b/i;
const TARGET =
  /\b(?:to|into|towards?|onto|in\s+favou?r\s+of)\s+(?:the\s+)?(?:(?:other|remaining|healthy|unaffected|alternate|another)\s+)?(?:availability\s+zones?\s*|azs?\s*)?[([]?\s*$/i;
const WHERE_TROUBLE_IS = /\b(?:limited|isolated|confined|restricted|specific|locali[sz]ed|scoped|contained)\s+to\s+(?:the\s+)?(?:availability\s+zones?\s*|azs?\s*)?[([]?\s*$/i;
const LISTED = /^[\s,()[\]&/]*(?:and|or)?[\s,()[\]&/]*$/i;

type Reading = 'affected' | 'healthy' | 'target' | 'silent';

/** Every mention of an AZ in `text` with its reading (exported for the tests). */
export function readZoneMentions(text: string): { token: string; reading: Reading }[] {
  const out: { token: string; reading: Reading }[] = [];
  for (const sentence of text.split(SENTENCES)) {
    for (const clause of sentence.split(CLAUSES)) {
      const lower = clause.toLowerCase();
      const healthy = HEALTHY.test(lower);
      const impaired = IMPAIRED.test(lower);
      const mentions: { at: number; token: string }[] = [];
      for (const re of [AZ_NAME, AZ_ID]) for (const m of lower.matchAll(re)) mentions.push({ at: m.index ?? 0, token: m[0] });
      mentions.sort((a, b) => a.at - b.at);
      let prev: { end: number; target: boolean } | undefined;
      for (const m of mentions) {
        const before = lower.slice(0, m.at);
        const between = prev ? lower.slice(prev.end, m.at) : undefined;
        const target = between !== undefined && LISTED.test(between) ? prev?.target === true : TARGET.test(before) && !WHERE_TROUBLE_IS.test(before);
        const reading: Reading = target ? 'target' : healthy ? 'healthy' : impaired ? 'affected' : 'silent';
        out.push({ token: m.token, reading });
        prev = { end: m.at + m.token.length, target };
      }
    }
  }
  return out;
}

/**
 * The AZs `text` says are impaired, by the rule above, in order of first mention; and the AZs it
 * names as healthy or as targets (`spared`), which must not be evacuated even when named by the
 * other spelling (an id here, a name there: resolved against the region later).
 */
export function affectedZones(text: string): { affected: string[]; spared: string[] } {
  const mentions = readZoneMentions(text.slice(0, 20_000));
  const spared = [...new Set(mentions.filter((m) => m.reading === 'healthy' || m.reading === 'target').map((m) => m.token))];
  const affected = [...new Set(mentions.filter((m) => m.reading === 'affected' && !spared.includes(m.token)).map((m) => m.token))];
  return { affected, spared };
}
