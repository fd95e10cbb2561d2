/**
 * How fast the service should be, defined once: the API's per-route targets (the handlers log a request
 * slower than its route's target and the dashboard draws each route against it) and the pipeline's stage
 * targets (the whole-note alarm, the bench's goals). The seed fixed health, the upload URL and the four
 * pipeline numbers; the other routes' targets are ours, chosen from what each route does.
 */
import { ROUTES } from './routes';

/** A route as API Gateway names it in the event: method, a space, the resource template. */
export type RouteKey = `${'GET' | 'POST' | 'DELETE'} /${string}`;

/**
 * Per-route targets for the handler's own time (middleware chain included, API Gateway's excluded), in ms.
 * A unit test checks that every route in routes.ts has one.
 */
export const API_LATENCY_TARGETS_MS: Readonly<Record<RouteKey, number>> = {
  // Seed: nothing to read or write.
  'GET /health': 50,
  // A static document held in memory: as cheap as health, but it is bigger to serialise.
  'GET /openapi.json': 50,
  // Seed: one conditional meter update, one job write, one presigned POST signature.
  'POST /uploads': 100,
  // Reads: one or two DynamoDB calls each (the key's tier is cached per container).
  'GET /jobs': 100,
  'GET /jobs/{jobId}': 100,
  'GET /usage': 100,
  // Served from memory for 10 minutes; a miss reads a handful of counters.
  'GET /stats': 100,
  // Several writes: the job, its history entry, cache entries and the audio objects in two buckets.
  'DELETE /jobs/{jobId}': 200,
};

/** The key API Gateway's event gives a request (`httpMethod` + `resource`). */
export function routeKey(method: string, resource: string): RouteKey {
  return `${method.toUpperCase()} ${resource}` as RouteKey;
}

/** The target of a route, or undefined for a request no route matches (nothing to compare it with). */
export function apiLatencyTargetMs(route: string): number | undefined {
  return Object.hasOwn(API_LATENCY_TARGETS_MS, route) ? API_LATENCY_TARGETS_MS[route as RouteKey] : undefined;
}

/** Every route of routes.ts with its target, in the order routes.ts lists them (dashboards, reports). */
export function routeLatencyTargets(): readonly { readonly route: RouteKey; readonly targetMs: number }[] {
  return ROUTES.map(({ method, path }) => {
    const route = routeKey(method, path);
    const targetMs = apiLatencyTargetMs(route);
    if (targetMs === undefined) throw new Error(`lib/config/latency-targets.ts has no target for ${route}`);
    return { route, targetMs };
  });
}

/** The seed's pipeline targets, in ms: each stage of one note, and the whole note from upload request to result. */
export const PIPELINE_TARGETS_MS = {
  /** Normalise: probe and convert to 16 kHz mono 16-bit. */
  conversion: 2_000,
  /** Speech recognition (Transcribe; locally pocketsphinx). */
  recognition: 5_000,
  /** Translation (Translate; locally apertium). */
  translation: 1_000,
  /** POST /uploads → completed: the alarm pages above it at p99. */
  wholeNote: 10_000,
} as const;
