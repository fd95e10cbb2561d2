import '../../events/api-env';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../functions/api/openapi/openapi-document';
import { OPENAPI_JSON_PATH, renderOpenApiJson } from '../../../functions/api/openapi/write-openapi';
import { ROUTES } from '../../../lib/config/routes';

type Operation = { security?: unknown[]; responses: Record<string, unknown>; operationId: string };
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

  it.each(ROUTES.filter((r) => r.apiKeyRequired).map((r) => [r.method, r.path, r] as const))(
    '%s %s: documents 429 THROTTLED with Retry-After, and QUOTA_EXCEEDED only where the route is metered',
    (method, path, route) => {
      const tooMany = paths[path]![method.toLowerCase()]!.responses['429'] as {
        description: string;
        headers?: Record<string, unknown>;
        content: { 'application/json': { schema: unknown } };
      };
      expect(tooMany, '429').toBeDefined();
      expect(tooMany.headers?.['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
      expect(tooMany.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      const codes = /Codes: ([A-Z_, ]+)\.$/.exec(tooMany.description)![1]!.split(', ');
      expect(codes.sort()).toEqual(route.metered ? ['QUOTA_EXCEEDED', 'THROTTLED'] : ['THROTTLED']);
    },
  );

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
