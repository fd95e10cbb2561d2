import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { ENV } from '../../lib/config/env-names';
import { METRICS } from '../../lib/config/metric-names';
import { optionalEnv } from './env';

/**
 * Powertools singletons, created once per container. Service name and metrics namespace come from the
 * documented POWERTOOLS_* variables set by the ServiceFunction construct (and by the local stack).
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'voice-note-translator';
// Set on every Lambda (ServiceFunction; test/infra asserts it) and by the local stack. Code that runs outside
// them (the keys CLI, repositories) imports the logger from here too, without a stage and without metrics.
const stage = optionalEnv(ENV.stage);

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS.namespace,
  serviceName,
  // Every metric (single metrics and ColdStart included) carries the stage: dev and prod may share an account.
  defaultDimensions: stage === undefined ? {} : { [METRICS.stageDimension]: stage },
  // Metrics warns "No application metrics to publish" on every invocation that emits none (health, reads);
  // its own messages go through a child logger that keeps errors only.
  logger: logger.createChild({ logLevel: 'ERROR' }),
});
/**
 * Publishes each metric as it is added, with dimensions of its own on top of the defaults (the API's
 * RequestDuration per route), leaving `metrics`' dimension set alone. Made once: `metrics.singleMetric()` builds
 * a new Metrics, Console included, on every call (about 0.13 ms, more than a whole health request locally).
 * Add its dimensions and the metric in one synchronous step: the local stack runs requests concurrently.
 */
export const immediateMetrics = metrics.singleMetric();
export const tracer = new Tracer({ serviceName });
