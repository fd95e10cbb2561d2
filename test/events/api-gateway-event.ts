import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiEvent } from '../../functions/http/api-event';

export interface RestEventOptions {
  readonly method?: 'GET' | 'POST' | 'DELETE';
  /** The route's resource template, e.g. `/jobs/{jobId}`. */
  readonly resource: string;
  /** The concrete path; @default - resource with path parameters filled in */
  readonly path?: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  /** A string is sent as-is (to test malformed JSON); anything else is JSON-encoded. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The API key id API Gateway validated; null for an unkeyed request. @default 'key-alice' */
  readonly apiKeyId?: string | null;
  readonly isBase64Encoded?: boolean;
}

/** An API Gateway REST (v1) Lambda proxy event, shaped like the real thing. */
export function restEvent(options: RestEventOptions): APIGatewayProxyEvent {
  const method = options.method ?? 'GET';
  const path =
    options.path ??
    Object.entries(options.pathParameters ?? {}).reduce((p, [k, v]) => p.replace(`{${k}}`, v), options.resource);
  const body =
    options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    Host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'User-Agent': 'vitest',
    'X-Forwarded-Proto': 'https',
    ...(body !== null ? { 'Content-Type': 'application/json' } : {}),
    ...options.headers,
  };
  const apiKeyId = options.apiKeyId === undefined ? 'key-alice' : options.apiKeyId;
  return {
    resource: options.resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: options.query
      ? Object.fromEntries(Object.entries(options.query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: `/dev${path}`,
      stage: 'dev',
      requestId: 'f1e2d3c4-0000-4000-8000-000000000001',
      requestTimeEpoch: 1_767_225_600_000,
      resourceId: 'res123',
      resourcePath: options.resource,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: apiKeyId === null ? null : 'redacted-key-value',
        apiKeyId,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
    },
  };
}

/**
 * The same event as the handler's raw function sees it after the JSON body parser: `body` is the parsed
 * value (or undefined). For calling exported raw functions directly.
 */
export function apiEvent(options: RestEventOptions): ApiEvent {
  const event = restEvent({ ...options, body: undefined });
  return { ...event, body: options.body };
}
