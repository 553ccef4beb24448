import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Recorder } from '../reconcile/ports';

export const SERVICE = 'nat-failover';
export const METRICS_NAMESPACE = 'NatFailover';

// Powertools constructor options override its POWERTOOLS_* variables, so the per-stage names the
// stack sets (serverless.yml: POWERTOOLS_SERVICE_NAME=<service>-<stage>) are read here and the
// constants are only the fallback. The service name is also every metric's `service` dimension:
// two stages in one account no longer add up each other's Failovers.
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || SERVICE;
const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE;

export const logger = new Logger({ serviceName });

// Runs with nothing to report publish no metrics (controller.ts: record); Powertools would warn
// about that on every such run, a log line a minute for nothing. Its other messages pass through.
const EMPTY = 'No application metrics to publish';
const metricsLog = {
  debug: (...a: unknown[]) => logger.debug(String(a[0])),
  info: (...a: unknown[]) => logger.info(String(a[0])),
  warn: (...a: unknown[]) => (String(a[0]).startsWith(EMPTY) ? undefined : logger.warn(String(a[0]))),
  error: (...a: unknown[]) => logger.error(String(a[0])),
};
export const metrics = new Metrics({ namespace, serviceName, logger: metricsLog });

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
