import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Recorder } from '../reconcile/ports';

export const SERVICE = 'nat-failover';
export const METRICS_NAMESPACE = 'NatFailover';

export const logger = new Logger({ serviceName: SERVICE });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });

/** Recorder backed by Powertools: JSON log lines, EMF metrics flushed by the middy middleware. */
export function powertoolsRecorder(log: Logger = logger, m: Metrics = metrics): Recorder {
  return {
    info: (message, data) => log.info(message, data ?? {}),
    warn: (message, data) => log.warn(message, data ?? {}),
    error: (message, data) => log.error(message, data ?? {}),
    count: (metric, value, dimensions) => {
      const unit = metric.endsWith('Ms') ? MetricUnit.Milliseconds : MetricUnit.Count;
      if (dimensions && Object.keys(dimensions).length > 0) {
        const single = m.singleMetric();
        for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
        single.addMetric(metric, unit, value);
      } else {
        m.addMetric(metric, unit, value);
      }
    },
  };
}
