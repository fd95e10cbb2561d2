import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handlerChain } from '../shared/handler-chain';
import type { ApiEvent, ApiResult } from './api-event';
import { httpResponses } from './http-responses';
import { jsonBodyParser } from './json-body-parser';
import { requestLatency } from './request-latency';

export type ApiFunction = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/**
 * Every HTTP route's handler: the shared chain with the JSON body parser as its input and the error/headers
 * mapper last, so every response, success or error, leaves in the one shape with the security headers; each
 * request is timed against its route's target (request-latency.ts).
 */
export function httpHandler(fn: ApiFunction) {
  return handlerChain<APIGatewayProxyEvent, ApiEvent, ApiResult>(
    { observe: requestLatency(), input: jsonBodyParser(), errors: httpResponses() },
    fn,
  );
}
