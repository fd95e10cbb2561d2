import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { surfaceOf } from '../../lib/config/usage-plans';
import type { FunctionHost } from '../lambda/function-host';
import type { CorsPreflightBinding } from '../template/template-bindings';
import { readBodyWithin } from '../http/server';
import type { GatewayResponses } from './gateway-responses';
import type { LocalKeyStore } from './key-store';
import { restProxyEvent } from './rest-event';
import { MalformedPathError, type RouteMatch, type RouteTable } from './routes';
import type { UsagePlans } from './usage-plans';

export interface ApiGatewayOptions {
  readonly functions: FunctionHost;
  readonly routes: RouteTable;
  readonly keys: LocalKeyStore;
  readonly usagePlans: UsagePlans;
  readonly responses: GatewayResponses;
  /**
   * The CORS preflight answer of the template's OPTIONS methods. @default - none: OPTIONS is an unknown
   * method, as on a REST API without CORS configured
   */
  readonly corsPreflight?: CorsPreflightBinding;
  /** Function timeouts by handler module, from the template. @default 29 s (API Gateway's own ceiling) */
  readonly timeoutsMs?: Readonly<Record<string, number>>;
  onError(error: unknown, context: string): void;
}

/** API Gateway's integration timeout for REST APIs. */
const INTEGRATION_TIMEOUT_MS = 29_000;
/** API Gateway's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * The local stand-in for the REST APIs: routes from lib/config/routes.ts to functions/api/<handler>.ts with
 * proxy events, API keys and usage plans checked first (as API Gateway does, before any Lambda runs; a
 * route's plan is the one of its surface: metered or reads, as CloudFront splits them in AWS), the
 * Lambda's proxy result written back as is, and CORS preflights answered only if the template has them. Returns false when no API resource matches the path, so the
 * caller can serve something else (the web client) there.
 */
export function apiGateway(options: ApiGatewayOptions) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const method = req.method ?? 'GET';
    const requestId = randomUUID();
    if (method === 'OPTIONS' && options.corsPreflight !== undefined) {
      if (options.routes.methodsFor(url.pathname).length === 0) return false;
      res.writeHead(204, { ...options.corsPreflight.headers, 'x-amzn-RequestId': requestId });
      res.end();
      return true;
    }
    let match: RouteMatch | undefined;
    try {
      match = options.routes.match(method === 'HEAD' ? 'GET' : method, url.pathname);
    } catch (error) {
      if (!(error instanceof MalformedPathError)) throw error;
      options.responses.send(res, 'BAD_REQUEST_PARAMETERS', requestId, error.message);
      return true;
    }
    if (match === undefined) {
      if (options.routes.methodsFor(url.pathname).length === 0) return false;
      options.responses.send(res, 'MISSING_AUTHENTICATION_TOKEN', requestId);
      return true;
    }

    let apiKey: { id: string; value: string } | undefined;
    const keyValue = req.headers['x-api-key'];
    if (typeof keyValue === 'string') {
      const record = options.keys.findActiveByValue(keyValue);
      if (record !== undefined) {
        apiKey = { id: record.apiKeyId, value: keyValue };
        if (match.route.apiKeyRequired) {
          const decision = options.usagePlans.admit(record.apiKeyId, record.tier, surfaceOf(match.route));
          if (decision !== 'allowed') {
            options.responses.send(res, decision === 'throttled' ? 'THROTTLED' : 'QUOTA_EXCEEDED', requestId);
            return true;
          }
        }
      }
    }
    if (match.route.apiKeyRequired && apiKey === undefined) {
      options.responses.send(res, 'INVALID_API_KEY', requestId);
      return true;
    }

    const body = await readBodyWithin(req, res, MAX_PAYLOAD_BYTES, () =>
      options.responses.send(res, 'REQUEST_TOO_LARGE', requestId),
    );
    if (body === undefined) return true;
    const entry = `functions/api/${match.route.handler}.ts`;
    const event = restProxyEvent({
      req,
      url,
      resource: match.route.path,
      pathParameters: match.pathParameters,
      body,
      requestId,
      apiKey,
    });
    const timeoutMs = Math.min(options.timeoutsMs?.[entry] ?? INTEGRATION_TIMEOUT_MS, INTEGRATION_TIMEOUT_MS);
    let timer: NodeJS.Timeout | undefined;
    let result: unknown;
    try {
      result = await Promise.race([
        options.functions.invoke({ entry, name: `vnt-local-api-${match.route.handler}`, timeoutMs }, event),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new IntegrationTimeout()), INTEGRATION_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      if (error instanceof IntegrationTimeout) {
        options.responses.send(res, 'INTEGRATION_TIMEOUT', requestId);
        return true;
      }
      // An unhandled Lambda error: API Gateway answers 502 and the details only reach the logs.
      options.onError(error, `${method} ${url.pathname} (${entry})`);
      options.responses.send(res, 'INTEGRATION_FAILURE', requestId);
      return true;
    } finally {
      clearTimeout(timer);
    }
    if (!isProxyResult(result)) {
      options.onError(new Error('Malformed Lambda proxy response'), `${method} ${url.pathname} (${entry})`);
      options.responses.send(res, 'INTEGRATION_FAILURE', requestId);
      return true;
    }
    writeProxyResult(res, result, requestId, method === 'HEAD');
    return true;
  };
}

class IntegrationTimeout extends Error {}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  const result = value as Partial<APIGatewayProxyResult> | undefined;
  return (
    typeof result === 'object' &&
    result !== null &&
    Number.isInteger(result.statusCode) &&
    (result.body === undefined || typeof result.body === 'string')
  );
}

function writeProxyResult(res: ServerResponse, result: APIGatewayProxyResult, requestId: string, head: boolean): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name] = values.map(String);
  }
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  headers['x-amzn-RequestId'] = requestId;
  headers['content-length'] = String(body.length);
  res.writeHead(result.statusCode, headers);
  res.end(head ? undefined : body);
}
