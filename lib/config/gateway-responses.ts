/**
 * The errors API Gateway answers by itself, before or instead of a Lambda (no key, throttled, the usage plan's
 * quota, no such route, a timeout), rewritten into the API's own `{"error":{"code","message"}}` shape. One
 * table: the CDK API turns each row into a gateway response (the local gateway reads those from the
 * synthesised template), and the OpenAPI document lists the same codes, statuses and Retry-After values.
 */
import { GATEWAY_RETRY_AFTER_SECONDS } from './usage-plans';

export interface GatewayErrorResponse {
  /** Construct id of the gateway response (its logical id follows from it). */
  readonly id: string;
  /** API Gateway's response type (`AWS::ApiGateway::GatewayResponse` ResponseType). */
  readonly type: GatewayResponseType;
  /** @default - the status of the response it stands in for (DEFAULT_4XX only) */
  readonly status?: number;
  /** The stable code clients switch on. DEFAULT_4XX passes API Gateway's own response type through. */
  readonly code: string;
  /** @default - API Gateway's own message */
  readonly message?: string;
  /** A static Retry-After: gateway responses can only add fixed headers. @default - none */
  readonly retryAfterSeconds?: number;
}

export type GatewayResponseType =
  | 'INVALID_API_KEY'
  | 'THROTTLED'
  | 'QUOTA_EXCEEDED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'INTEGRATION_TIMEOUT'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

/** DEFAULT_4XX's code: API Gateway substitutes the response type (ACCESS_DENIED, UNAUTHORIZED…). */
export const GATEWAY_RESPONSE_TYPE_CODE = '$context.error.responseType';

export const GATEWAY_ERROR_RESPONSES = [
  { id: 'InvalidApiKey', type: 'INVALID_API_KEY', status: 403, code: 'API_KEY_INVALID', message: 'Missing or invalid API key (send it in the x-api-key header).' },
  { id: 'Throttled', type: 'THROTTLED', status: 429, code: 'THROTTLED', message: 'Too many requests for this API key; slow down and retry.', retryAfterSeconds: GATEWAY_RETRY_AFTER_SECONDS.throttled },
  // The metered API's backstop: the exact meter answers first, with the precise wait (see usage-plans.ts).
  { id: 'QuotaExceeded', type: 'QUOTA_EXCEEDED', status: 429, code: 'QUOTA_EXCEEDED', message: 'The daily upload quota of this API key is used up; it resets at 00:00 UTC.', retryAfterSeconds: GATEWAY_RETRY_AFTER_SECONDS.quotaExceeded },
  { id: 'NoRoute', type: 'MISSING_AUTHENTICATION_TOKEN', status: 404, code: 'ROUTE_NOT_FOUND', message: 'No such route.' },
  { id: 'TooLarge', type: 'REQUEST_TOO_LARGE', status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' },
  { id: 'BadParameters', type: 'BAD_REQUEST_PARAMETERS', status: 400, code: 'VALIDATION_ERROR' },
  { id: 'BadBody', type: 'BAD_REQUEST_BODY', status: 400, code: 'VALIDATION_ERROR' },
  { id: 'Timeout', type: 'INTEGRATION_TIMEOUT', status: 504, code: 'TIMEOUT', message: 'The request took too long; please retry.' },
  // Any other gateway 4xx (ACCESS_DENIED, UNAUTHORIZED, ...): API Gateway's own type is already a stable code.
  { id: 'Default4xx', type: 'DEFAULT_4XX', code: GATEWAY_RESPONSE_TYPE_CODE },
  { id: 'Default5xx', type: 'DEFAULT_5XX', status: 500, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side. Please try again later.' },
] as const satisfies readonly GatewayErrorResponse[];

/** The row of one response type. */
export function gatewayErrorResponse(type: GatewayResponseType): GatewayErrorResponse {
  const found = GATEWAY_ERROR_RESPONSES.find((response) => response.type === type);
  if (found === undefined) throw new Error(`No gateway response of type ${type}`);
  return found;
}
