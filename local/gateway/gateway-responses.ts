import type { ServerResponse } from 'node:http';

/** API Gateway's gateway response types the local gateway produces itself (no integration involved). */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'INVALID_API_KEY'
  | 'THROTTLED'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT';

interface ResponseSpec {
  readonly statusCode: number;
  /** `$context.error.message` for this type. */
  readonly message: string;
  readonly fallback: 'DEFAULT_4XX' | 'DEFAULT_5XX';
}

/** API Gateway's defaults: status and message of each type. */
const DEFAULTS: Readonly<Record<GatewayResponseType, ResponseSpec>> = {
  MISSING_AUTHENTICATION_TOKEN: { statusCode: 403, message: 'Missing Authentication Token', fallback: 'DEFAULT_4XX' },
  INVALID_API_KEY: { statusCode: 403, message: 'Forbidden', fallback: 'DEFAULT_4XX' },
  THROTTLED: { statusCode: 429, message: 'Too Many Requests', fallback: 'DEFAULT_4XX' },
  QUOTA_EXCEEDED: { statusCode: 429, message: 'Limit Exceeded', fallback: 'DEFAULT_4XX' },
  REQUEST_TOO_LARGE: { statusCode: 413, message: 'Request Too Long', fallback: 'DEFAULT_4XX' },
  BAD_REQUEST_PARAMETERS: { statusCode: 400, message: 'Invalid request parameters', fallback: 'DEFAULT_4XX' },
  INTEGRATION_FAILURE: { statusCode: 502, message: 'Internal server error', fallback: 'DEFAULT_5XX' },
  INTEGRATION_TIMEOUT: { statusCode: 504, message: 'Endpoint request timed out', fallback: 'DEFAULT_5XX' },
};

/** A customised gateway response, as `AWS::ApiGateway::GatewayResponse` declares it in the template. */
export interface GatewayResponseCustomisation {
  readonly responseType: string;
  readonly statusCode?: string;
  /** `gatewayresponse.header.<Name>` → `'static value'`. */
  readonly responseParameters?: Readonly<Record<string, string>>;
  /** content type → mapping template (VTL; `$context.*` variables are substituted). */
  readonly responseTemplates?: Readonly<Record<string, string>>;
}

/**
 * Answers the way the deployed API Gateway does when it refuses a request itself: API Gateway's default
 * statuses and `{"message": …}` bodies, overridden by the gateway responses the synthesised template
 * customises (so local and deployed clients see the same error shape).
 */
export class GatewayResponses {
  private readonly customised: ReadonlyMap<string, GatewayResponseCustomisation>;

  constructor(customisations: readonly GatewayResponseCustomisation[] = []) {
    this.customised = new Map(customisations.map((c) => [c.responseType, c]));
  }

  /** `message` stands for API Gateway's own, request-specific `$context.error.message` where it has one. */
  send(res: ServerResponse, type: GatewayResponseType, requestId: string, message?: string): void {
    const spec = { ...DEFAULTS[type], ...(message !== undefined && { message }) };
    const custom = this.customised.get(type) ?? this.customised.get(spec.fallback);
    const statusCode = Number(custom?.statusCode ?? spec.statusCode);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': errorTypeHeader(type),
    };
    for (const [name, value] of Object.entries(custom?.responseParameters ?? {})) {
      const header = /^gatewayresponse\.header\.(.+)$/.exec(name)?.[1];
      if (header !== undefined) headers[header] = value.replace(/^'(.*)'$/, '$1');
    }
    const template = custom?.responseTemplates?.['application/json'];
    const body =
      template === undefined
        ? JSON.stringify({ message: spec.message })
        : renderTemplate(template, { type, message: spec.message, requestId });
    res.writeHead(statusCode, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}

function errorTypeHeader(type: GatewayResponseType): string {
  switch (type) {
    case 'INVALID_API_KEY':
      return 'ForbiddenException';
    case 'MISSING_AUTHENTICATION_TOKEN':
      return 'MissingAuthenticationTokenException';
    case 'THROTTLED':
    case 'QUOTA_EXCEEDED':
      return 'TooManyRequestsException';
    case 'REQUEST_TOO_LARGE':
      return 'RequestTooLargeException';
    case 'BAD_REQUEST_PARAMETERS':
      return 'BadRequestException';
    default:
      return 'InternalServerErrorException';
  }
}

/** Substitutes the `$context` variables gateway response templates use; other VTL is not supported. */
function renderTemplate(
  template: string,
  context: { type: GatewayResponseType; message: string; requestId: string },
): string {
  return template
    .replaceAll('$context.error.messageString', JSON.stringify(context.message))
    .replaceAll('$context.error.message', context.message)
    .replaceAll('$context.error.responseType', context.type)
    .replaceAll('$context.requestId', context.requestId)
    .replaceAll('$context.extendedRequestId', context.requestId);
}
