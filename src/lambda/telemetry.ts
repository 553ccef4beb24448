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

/**
 * Keys Powertools Logger owns in every line. The first five are its `ReservedKeys` (an attribute
 * under one is dropped with a WARN "The key "message" is a reserved key and will be dropped": a
 * finding's text vanished that way); the Lambda context keys are silently overwritten by an
 * attribute of the same name, which would falsify the request id a log search keys on. Prototype
 * names never survive the merge. (Powertools for AWS Lambda TypeScript, logger constants.js
 * `ReservedKeys` and the "Standard structured keys" of the Logger docs; checked against 2.36.0.)
 */
export const LOGGER_OWNED_KEYS: ReadonlySet<string> = new Set([
  'level', 'message', 'sampling_rate', 'service', 'timestamp',
  'cold_start', 'function_arn', 'function_memory_size', 'function_name', 'function_request_id', 'xray_trace_id',
  '__proto__', 'constructor', 'prototype',
]);

/**
 * The attributes with every key the logger owns renamed (`message` -> `message_`, and further `_`
 * until the name is free), so no attribute is ever dropped or overwrites the logger's own.
 */
export function safeAttributes(data: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (!data) return { ...out };
  const keys = Object.keys(data);
  const taken = new Set(keys);
  for (const k of keys) {
    let name = k;
    if (LOGGER_OWNED_KEYS.has(k)) {
      do name = `${name}_`;
      while (taken.has(name) || LOGGER_OWNED_KEYS.has(name));
      taken.add(name);
    }
    Object.defineProperty(out, name, { value: data[k], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Recorder backed by Powertools: JSON log lines, EMF metrics flushed by the middy middleware. */
export function powertoolsRecorder(log: Logger = logger, m: Metrics = metrics): Recorder {
  return {
    info: (message, data) => log.info(message, safeAttributes(data)),
    warn: (message, data) => log.warn(message, safeAttributes(data)),
    error: (message, data) => log.error(message, safeAttributes(data)),
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
