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
 * ARC zonal shift / autoshift. `detail.metadata.awayFrom` is an AZ id (use1-az2). The event's own
 * time is the envelope's `time` (ARC's detail carries no other): EventBridge keeps it on a
 * redelivery and Lambda on a retry, so it orders a late `In Progress` before its `Completed`. ARC events carry
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

  if (!zone) return { trigger, updates: [], ignored: `malformed ARC "${detailType}": no AZ id in detail.metadata.awayFrom` };
  const key = `${kind.source}:${zone}${scope}`;
  if (!kind.open) {
    // An end is keyed like its start, so it is remembered under its AZ even when it arrives first.
    // An end without an AZ is malformed (awayFrom is required) and ends nothing: the evacuation
    // then lasts until a well-formed end or EVACUATION_MAX_AGE_SECONDS, the cautious direction.
    return { trigger, updates: [{ kind: 'evacuation-close', source: kind.source, key, zones: [zone], at, detail: detailType }] };
  }
  return {
    trigger,
    updates: [{ kind: 'evacuation-open', source: kind.source, key, zones: [zone], at, detail: `${detailType} away from ${zone}` }],
  };
}
