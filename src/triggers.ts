/** What woke the controller, from the EventBridge envelope; anything else is a manual invoke. */
export interface Trigger {
  readonly name: string;
  /** Alarm-driven runs read metrics whatever the poll interval. */
  readonly forceMetrics: boolean;
}

export function triggerOf(event: unknown): Trigger {
  if (event && typeof event === 'object') {
    const e = event as Record<string, unknown>;
    const source = typeof e.source === 'string' ? e.source : undefined;
    const detailType = typeof e['detail-type'] === 'string' ? e['detail-type'] : undefined;
    if (source === 'aws.events' && detailType === 'Scheduled Event') return { name: 'schedule', forceMetrics: false };
    if (source === 'aws.cloudwatch') return { name: 'alarm', forceMetrics: true };
    if (source && detailType) return { name: `${source}:${detailType}`, forceMetrics: false };
  }
  return { name: 'invoke', forceMetrics: true };
}
