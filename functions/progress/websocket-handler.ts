import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { toErrorResponse } from '../http/http-responses';
import { parseWith } from '../http/validation';
import { logger, metrics, tracer } from '../shared/powertools';

/**
 * The fields of an API Gateway WebSocket event the progress handlers read. `identity.apiKeyId` is only
 * present on $connect, and only when that route requires an API key (the local gateway fills it the same way).
 */
export const WebSocketEvent = z.object({
  requestContext: z.object({
    connectionId: z.string().min(1),
    routeKey: z.string(),
    identity: z.object({ apiKeyId: z.string().optional() }).optional(),
  }),
  body: z.string().nullish(),
});
export type WebSocketEvent = z.infer<typeof WebSocketEvent>;

export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}

export type WebSocketFunction = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult>;

/**
 * The WebSocket routes' middleware chain: tracer → logger → metrics → event parser → error mapper (last).
 * A non-2xx answer to $connect refuses the connection; on message routes the body goes back to the client
 * when the route has a route response.
 */
export function webSocketHandler(fn: WebSocketFunction) {
  return middy<unknown, WebSocketResult>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use({
      name: 'webSocketEvent',
      before: (request) => {
        const event = parseWith(WebSocketEvent, request.event, 'WebSocket event');
        logger.appendKeys({ connectionId: event.requestContext.connectionId, route: event.requestContext.routeKey });
        request.event = event;
      },
    })
    .use({
      name: 'webSocketErrors',
      onError: (request) => {
        const { statusCode, body } = toErrorResponse(request.error);
        request.response = { statusCode, body };
      },
    })
    .handler((event, context) => fn(event as WebSocketEvent, context));
}

export function ok(body?: unknown): WebSocketResult {
  return body === undefined ? { statusCode: 200 } : { statusCode: 200, body: JSON.stringify(body) };
}
