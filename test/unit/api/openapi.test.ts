import '../../events/api-env';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_LICENSE, openApiDocument } from '../../../functions/api/openapi/openapi-document';
import { OPENAPI_JSON_PATH, renderOpenApiJson } from '../../../functions/api/openapi/write-openapi';
import { gatewayErrorResponse } from '../../../lib/config/gateway-responses';
import { ROUTES } from '../../../lib/config/routes';

interface ErrorResponse {
  readonly description: string;
  readonly headers?: Record<string, { $ref?: string; required?: boolean }>;
  readonly content: { 'application/json': { schema: { allOf: [unknown, { properties: { error: { properties: { code: { enum: string[] } } } } }] } } };
}
type Operation = { security?: unknown[]; responses: Record<string, ErrorResponse>; operationId: string };
const paths = openApiDocument.paths as unknown as Record<string, Record<string, Operation>>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const documented = Object.entries(paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((m) => METHODS.includes(m))
    .map((m) => `${m.toUpperCase()} ${path}`),
);

describe('OpenAPI document', () => {
  it('documents every route in ROUTES, and nothing else', () => {
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it.each(ROUTES.map((r) => [r.method, r.path, r] as const))('%s %s: security matches apiKeyRequired', (method, path, route) => {
    const operation = paths[path]![method.toLowerCase()]!;
    const keyed = operation.security === undefined ? openApiDocument.security.length > 0 : operation.security.length > 0;
    expect(keyed).toBe(route.apiKeyRequired);
    if (route.apiKeyRequired) expect(operation.responses['403']).toBeDefined();
  });

  it.each(ROUTES.map((r) => [r.method, r.path, r] as const))(
    '%s %s: lists every code API Gateway itself can answer with, in the response schema',
    (method, path, route) => {
      const codesOf = (status: string) => paths[path]![method.toLowerCase()]!.responses[status]?.content['application/json'].schema.allOf[1].properties.error.properties.code.enum;
      // Any route: the stage's or the key's throttle, a failed or timed-out integration.
      const expected: [string, string][] = [
        ['429', gatewayErrorResponse('THROTTLED').code],
        ['500', gatewayErrorResponse('DEFAULT_5XX').code],
        ['504', gatewayErrorResponse('INTEGRATION_TIMEOUT').code],
      ];
      if (route.apiKeyRequired) expected.push(['403', gatewayErrorResponse('INVALID_API_KEY').code]);
      if (path.includes('{')) expected.push(['400', gatewayErrorResponse('BAD_REQUEST_PARAMETERS').code]);
      for (const [status, code] of expected) expect(codesOf(status), `${status} ${code}`).toContain(code);
    },
  );

  it.each(ROUTES.map((r) => [r.method, r.path] as const))('%s %s: a 429 says how long to wait; only POST /uploads spends the quota', (method, path) => {
    const tooMany = paths[path]![method.toLowerCase()]!.responses['429']!;
    const codes = tooMany.content['application/json'].schema.allOf[1].properties.error.properties.code.enum;
    expect(codes).toContain('THROTTLED');
    expect(codes.includes('QUOTA_EXCEEDED')).toBe(ROUTES.find((r) => r.method === method && r.path === path)!.metered === true);
    expect(tooMany.headers?.['Retry-After']).toBeDefined();
    // Every THROTTLED answer carries it (a static header of the gateway response): required where that is all.
    if (codes.length === 1) expect(tooMany.headers?.['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    expect(openApiDocument.components.headers.RetryAfter.required).toBe(true);
  });

  it('has the licence package.json declares', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { license: string };
    expect(API_LICENSE).toBe(manifest.license);
    expect(openApiDocument.info.license).toEqual({ name: manifest.license, identifier: manifest.license });
  });

  it.each(ROUTES.map((r) => [r.handler] as const))('handler module functions/api/%s.ts exists and exports handler', async (name) => {
    const module = (await import(`../../../functions/api/${name}.ts`)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });

  it('has unique operation ids and resolvable schema references', () => {
    const operations = Object.values(paths).flatMap((item) =>
      Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([, op]) => op.operationId),
    );
    expect(new Set(operations).size).toBe(operations.length);
    const refs = [...JSON.stringify(openApiDocument).matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    const components = openApiDocument.components as unknown as Record<string, Record<string, unknown>>;
    for (const [, kind, name] of refs) expect(components[kind!]?.[name!], `${kind}/${name}`).toBeDefined();
  });

  it('is what docs/openapi.json holds (regenerate: npx tsx functions/api/openapi/write-openapi.ts)', () => {
    expect(existsSync(OPENAPI_JSON_PATH)).toBe(true);
    expect(readFileSync(OPENAPI_JSON_PATH, 'utf8')).toBe(renderOpenApiJson());
  });
});
