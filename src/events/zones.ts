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
