import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiLatencyTargetMs, routeKey } from '../../lib/config/latency-targets';
import { METRICS } from '../../lib/config/metric-names';
import { immediateMetrics, logger } from '../shared/powertools';

interface Started {
  readonly at: number;
  readonly method: string;
  readonly resource: string;
}

/**
 * Times every API request against its route's target (lib/config/latency-targets.ts): one RequestDuration
 * metric per request with a `route` dimension (the dashboard's p50/p99 per route), and one WARN line
 * `{route, method, status, durationMs, targetMs}` when the request was slower than its target.
 *
 * It sits after the metrics middleware, so its metric is flushed with the invocation's, and before the body
 * parser and the error mapper, so it times their work too and sees the final status of every response.
 * The start is kept per request, not per middleware: the local stack runs concurrent requests through one
 * chain. `now` is a seam for tests (a fake clock).
 */
export function requestLatency(now: () => number = () => performance.now()): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const starts = new WeakMap<Request, Started>();
  const finish = (request: Request<APIGatewayProxyEvent, APIGatewayProxyResult>): void => {
    const started = starts.get(request);
    if (!started) return;
    starts.delete(request);
    const durationMs = Math.round((now() - started.at) * 10) / 10;
    const route = routeKey(started.method, started.resource);
    // Its own dimension set, so the invocation's other metrics keep theirs (service, stage); published at once.
    immediateMetrics.addDimension(METRICS.routeDimension, route);
    immediateMetrics.addMetric(METRICS.names.requestMs, MetricUnit.Milliseconds, durationMs);
    const targetMs = apiLatencyTargetMs(route);
    if (targetMs !== undefined && durationMs > targetMs) {
      // httpResponses (later in the chain, so earlier on the way out) has mapped any error to a response by now.
      const status = request.response?.statusCode ?? 500;
      logger.warn('Slow request', { route: started.resource, method: started.method, status, durationMs, targetMs });
    }
  };
  return {
    name: 'requestLatency',
    before: (request) => {
      const { httpMethod, resource } = request.event;
      // Only API Gateway's own route template names a route (a bounded set of metric dimension values).
      if (typeof httpMethod === 'string' && typeof resource === 'string') {
        starts.set(request, { at: now(), method: httpMethod, resource });
      }
    },
    after: finish,
    onError: finish,
  };
}
