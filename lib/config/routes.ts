/**
 * The HTTP routes, defined once: the CDK API construct creates a resource/method + Lambda per route and the
 * local API gateway routes the same way. `handler` names the module `functions/api/<handler>.ts`.
 */
export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly handler: string;
  /** Every route but health and the OpenAPI document requires an API key. */
  readonly apiKeyRequired: boolean;
  /**
   * Counts against the tier's daily quota (one note), so it is served by the metered API whose usage plans
   * carry the quota; every other route is served by the reads API, rate-limited but never quota-blocked
   * (lib/config/usage-plans.ts). @default false
   */
  readonly metered?: boolean;
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/health', handler: 'health', apiKeyRequired: false },
  { method: 'GET', path: '/openapi.json', handler: 'get-openapi', apiKeyRequired: false },
  { method: 'POST', path: '/uploads', handler: 'create-upload', apiKeyRequired: true, metered: true },
  { method: 'GET', path: '/jobs', handler: 'list-jobs', apiKeyRequired: true },
  { method: 'GET', path: '/jobs/{jobId}', handler: 'get-job', apiKeyRequired: true },
  { method: 'DELETE', path: '/jobs/{jobId}', handler: 'delete-job', apiKeyRequired: true },
  { method: 'GET', path: '/usage', handler: 'get-usage', apiKeyRequired: true },
  { method: 'GET', path: '/stats', handler: 'get-stats', apiKeyRequired: true },
];
