import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL } from '../config';

export interface RestEventInput {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** The route's resource path, e.g. `/jobs/{jobId}`. */
  readonly resource: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly body: Buffer;
  readonly requestId: string;
  readonly apiKey?: { readonly id: string; readonly value: string };
}

export const LOCAL_API_ID = 'localapi01';

/**
 * An API Gateway REST API (v1) Lambda proxy event, shaped like the real one: headers keep the client's
 * casing, absent collections are `null`, and `requestContext.identity.apiKeyId` carries the validated key.
 */
export function restProxyEvent(input: RestEventInput): APIGatewayProxyEvent {
  const { req, url } = input;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? LOCAL.host;
  for (const [name, value] of [
    ['X-Forwarded-For', sourceIp],
    ['X-Forwarded-Proto', 'http'],
    ['X-Forwarded-Port', String(req.socket.localPort ?? '')],
  ] as const) {
    headers[name] ??= value;
    multiValueHeaders[name] ??= [value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const now = new Date();
  const method = req.method ?? 'GET';
  return {
    resource: input.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: input.pathParameters === null ? null : { ...input.pathParameters },
    stageVariables: null,
    body: input.body.length === 0 ? null : input.body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL.account,
      apiId: LOCAL_API_ID,
      authorizer: undefined,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      path: `/${LOCAL.stage}${url.pathname}`,
      stage: LOCAL.stage,
      requestId: input.requestId,
      extendedRequestId: randomUUID(),
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: input.resource,
      resourcePath: input.resource,
      domainName: headers.Host ?? headers.host ?? `${LOCAL.host}`,
      domainPrefix: LOCAL_API_ID,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: input.apiKey?.value ?? null,
        apiKeyId: input.apiKey?.id ?? null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestTime` format: `09/Apr/2015:12:34:56 +0000`. */
function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
