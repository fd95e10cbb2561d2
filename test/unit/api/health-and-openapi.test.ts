import '../../events/api-env';
import { describe, expect, it } from 'vitest';
import { handler as getOpenApiHandler, getOpenApi } from '../../../functions/api/get-openapi';
import { health, handler as healthHandler } from '../../../functions/api/health';
import { apiEvent, restEvent } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';
import { ddb, resetMocks, s3mock } from './aws-mocks';

describe('GET /health', () => {
  it('answers ok with the service version and touches nothing', async () => {
    resetMocks();
    const response = await health(apiEvent({ resource: '/health', apiKeyId: null }));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok', version: '1.2.3-test' });
    expect(ddb.calls()).toHaveLength(0);
    expect(s3mock.calls()).toHaveLength(0);
  });

  it('answers through the middleware chain without a key, with security headers', async () => {
    const response = await healthHandler(restEvent({ resource: '/health', apiKeyId: null }), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });
});

describe('GET /openapi.json', () => {
  it('serves the OpenAPI document, cacheable', async () => {
    const response = await getOpenApi(apiEvent({ resource: '/openapi.json', apiKeyId: null }));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ openapi: '3.1.0', info: { title: 'Voice Note Translator API' } });
    expect(response.headers?.['Cache-Control']).toBe('public, max-age=300');
  });

  it('serves it through the middleware chain', async () => {
    const response = await getOpenApiHandler(restEvent({ resource: '/openapi.json', apiKeyId: null }), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).paths['/uploads']).toBeDefined();
  });
});
