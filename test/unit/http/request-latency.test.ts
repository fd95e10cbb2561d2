import '../../events/api-env';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { httpHandler } from '../../../functions/http/http-handler';
import { json } from '../../../functions/http/responses';
import { NotFoundError } from '../../../functions/shared/errors';
import { immediateMetrics, logger } from '../../../functions/shared/powertools';
import { API_LATENCY_TARGETS_MS, PIPELINE_TARGETS_MS, routeLatencyTargets } from '../../../lib/config/latency-targets';
import { METRICS } from '../../../lib/config/metric-names';
import { ROUTES } from '../../../lib/config/routes';
import { restEvent } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';

/** A handler that takes `ms` on the (fake) clock, then answers 200 or throws. */
const takes = (ms: number, outcome: 'ok' | Error = 'ok') =>
  httpHandler(async () => {
    vi.advanceTimersByTime(ms);
    if (outcome !== 'ok') throw outcome;
    return json(200, { ok: true });
  });

let warn: ReturnType<typeof vi.spyOn>;
let recorded: { dimensions: Record<string, string>; name: string; unit: string; value: number }[];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'] });
  warn = vi.spyOn(logger, 'warn');
  recorded = [];
  // Metrics are disabled in unit tests (nothing is printed): record what the middleware hands Powertools.
  let dimensions: Record<string, string> = {};
  const { addDimension, addMetric } = immediateMetrics;
  vi.spyOn(immediateMetrics, 'addDimension').mockImplementation((name, value) => {
    dimensions[name] = value;
    return addDimension.call(immediateMetrics, name, value);
  });
  vi.spyOn(immediateMetrics, 'addMetric').mockImplementation((name, unit, value) => {
    recorded.push({ dimensions, name, unit, value });
    dimensions = {};
    return addMetric.call(immediateMetrics, name, unit, value);
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('slow-request log', () => {
  it('logs one WARN with route, method, status, duration and target when a request is slower than its target', async () => {
    const response = await takes(120)(restEvent({ resource: '/health', apiKeyId: null }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith('Slow request', {
      route: '/health',
      method: 'GET',
      status: 200,
      durationMs: 120,
      targetMs: API_LATENCY_TARGETS_MS['GET /health'],
    });
  });

  it('logs nothing for a request within its target, and still records its duration per route', async () => {
    await takes(40)(restEvent({ method: 'POST', resource: '/uploads', body: {} }), lambdaContext());

    expect(warn).not.toHaveBeenCalled();
    expect(recorded).toEqual([
      { dimensions: { [METRICS.routeDimension]: 'POST /uploads' }, name: METRICS.names.requestMs, unit: 'Milliseconds', value: 40 },
    ]);
  });

  it('reports the status the caller got when a slow request fails', async () => {
    const handler = takes(250, new NotFoundError('No such job.', 'JOB_NOT_FOUND'));
    const response = await handler(restEvent({ resource: '/jobs/{jobId}', pathParameters: { jobId: 'x' } }), lambdaContext());

    expect(response.statusCode).toBe(404);
    expect(warn).toHaveBeenCalledExactlyOnceWith('Slow request', expect.objectContaining({ route: '/jobs/{jobId}', status: 404, durationMs: 250 }));
  });

  it('times overlapping requests separately (the local stack runs them through one chain)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handler = httpHandler(async (event) => {
      if (event.resource === '/usage') await gate; // the slow one waits while the fast one runs
      return json(200, {});
    });
    const slow = handler(restEvent({ resource: '/usage' }), lambdaContext());
    await vi.advanceTimersByTimeAsync(5);
    await handler(restEvent({ resource: '/stats' }), lambdaContext());
    await vi.advanceTimersByTimeAsync(300);
    release();
    await slow;

    expect(warn).toHaveBeenCalledExactlyOnceWith('Slow request', expect.objectContaining({ route: '/usage', durationMs: 305 }));
    expect(recorded.map((r) => [r.dimensions[METRICS.routeDimension], r.value])).toEqual([
      ['GET /stats', 0],
      ['GET /usage', 305],
    ]);
  });
});

describe('latency targets', () => {
  it('has one target for every route, and the seed’s numbers', () => {
    expect(Object.keys(API_LATENCY_TARGETS_MS).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    expect(routeLatencyTargets()).toHaveLength(ROUTES.length);
    expect(API_LATENCY_TARGETS_MS['GET /health']).toBe(50);
    expect(API_LATENCY_TARGETS_MS['POST /uploads']).toBe(100);
    expect(PIPELINE_TARGETS_MS).toEqual({ conversion: 2_000, recognition: 5_000, translation: 1_000, wholeNote: 10_000 });
  });
});
