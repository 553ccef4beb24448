import { arr, date, type Json, obj, str } from './read';
import type { EvacuationSource, ParsedEvent } from './types';
import { zoneTokens } from './zones';

/** ARC detail-types the controller acts on; practice runs move one resource for a test and say nothing about the AZ. */
export const ARC_DETAIL_TYPES: Readonly<Record<string, { source: EvacuationSource; open: boolean }>> = {
  'Autoshift In Progress': { source: 'arc-autoshift', open: true },
  'Autoshift Completed': { source: 'arc-autoshift', open: false },
  'FIS Experiment Autoshift In Progress': { source: 'arc-fis-experiment', open: true },
  'FIS Experiment Autoshift Completed': { source: 'arc-fis-experiment', open: false },
  'FIS Experiment Autoshift Canceled': { source: 'arc-fis-experiment', open: false },
  'Manual Shift Started': { source: 'arc-zonal-shift', open: true },
  'Manual Shift Updated': { source: 'arc-zonal-shift', open: true },
  'Manual Shift Canceled': { source: 'arc-zonal-shift', open: false },
};

/**
 * ARC zonal shift / autoshift. `detail.metadata.awayFrom` is an AZ id (use1-az2). ARC events carry
 * no shift id, so an autoshift is keyed by its AZ (AWS starts and ends it per AZ) and a manual
 * shift by AZ and resources (each resource is shifted, and cancelled, on its own).
 */
export function parseArcEvent(event: Json): ParsedEvent {
  const trigger = 'arc';
  const detailType = str(event['detail-type']) ?? '';
  const kind = ARC_DETAIL_TYPES[detailType];
  if (!kind) {
    const why = detailType.startsWith('Practice Run') ? 'a practice run shifts one resource as a test' : 'not a shift the controller follows';
    return { trigger, updates: [], ignored: `ARC "${detailType || '(no detail-type)'}": ${why}` };
  }
  const detail = obj(event.detail);
  const away = str(obj(detail?.metadata)?.awayFrom) ?? str(obj(event.metadata)?.awayFrom) ?? str(detail?.awayFrom);
  const zone = away ? zoneTokens(away)[0] : undefined;
  const at = date(event.time);
  const resources = arr(event.resources).map(str).filter((r): r is string => r !== undefined).sort();
  const scope = kind.source === 'arc-zonal-shift' && resources.length > 0 ? `:${resources.join(',')}` : '';

  if (!kind.open) {
    // An end without an AZ still ends something: every signal of that source (the safe direction is
    // the hold-down, which still applies before any table goes home).
    const key = zone ? `${kind.source}:${zone}${scope}` : `${kind.source}:*`;
    return { trigger, updates: [{ kind: 'evacuation-close', source: kind.source, key, at, detail: detailType }] };
  }
  if (!zone) return { trigger, updates: [], ignored: `malformed ARC "${detailType}": no AZ id in detail.metadata.awayFrom` };
  return {
    trigger,
    updates: [{ kind: 'evacuation-open', source: kind.source, key: `${kind.source}:${zone}${scope}`, zones: [zone], at, detail: `${detailType} away from ${zone}` }],
  };
}
