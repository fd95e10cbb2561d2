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
  // Maps, not object literals: a client's header or query name such as `constructor` or `__proto__` is data,
  // never a property of Object.prototype. Object.fromEntries then makes own properties, as JSON.parse does
  // for the event Lambda receives in AWS.
  const headerValues = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) appendTo(headerValues, req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? LOCAL.host;
  for (const [name, value] of [
    ['X-Forwarded-For', sourceIp],
    ['X-Forwarded-Proto', 'http'],
    ['X-Forwarded-Port', String(req.socket.localPort ?? '')],
  ] as const) {
    if (!headerValues.has(name)) headerValues.set(name, [value]);
  }
  const queryValues = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) appendTo(queryValues, name, value);
  const headers = lastValues(headerValues);
  const query = lastValues(queryValues);
  const hasQuery = queryValues.size > 0;
  const now = new Date();
  const method = req.method ?? 'GET';
  return {
    resource: input.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(headerValues),
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? Object.fromEntries(queryValues) : null,
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

function appendTo(values: Map<string, string[]>, name: string, value: string): void {
  const existing = values.get(name);
  if (existing === undefined) values.set(name, [value]);
  else existing.push(value);
}

/** The single-value view API Gateway builds: the last value of each name. */
function lastValues(values: ReadonlyMap<string, readonly string[]>): Record<string, string> {
  return Object.fromEntries([...values].map(([name, all]) => [name, all.at(-1)!]));
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
