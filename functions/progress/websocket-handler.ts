import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { toErrorResponse } from '../http/http-responses';
import { handlerChain, parsedEvent } from '../shared/handler-chain';

/**
 * The fields of an API Gateway WebSocket event the progress handlers read. `identity.apiKeyId` is only
 * present on $connect, and only when that route requires an API key (API Gateway's WebSocket context
 * reference: "the API key ID associated with the key-enabled API request"; the local gateway fills it the
 * same way). The request context keeps its other fields, so a handler can report what it did receive.
 */
export const WebSocketEvent = z.object({
  requestContext: z.looseObject({
    connectionId: z.string().min(1),
    routeKey: z.string(),
    identity: z.looseObject({ apiKeyId: z.string().optional() }).optional(),
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
 * Every WebSocket route's handler: the shared chain with the event parser as its input and the error mapper
 * last. A non-2xx answer to $connect refuses the connection; on message routes the body goes back to the
 * client when the route has a route response.
 */
export function webSocketHandler(fn: WebSocketFunction) {
  return handlerChain<unknown, WebSocketEvent, WebSocketResult>(
    {
      input: parsedEvent(WebSocketEvent, 'WebSocket event', ({ requestContext }) => ({
        connectionId: requestContext.connectionId,
        route: requestContext.routeKey,
      })),
      errors: {
        name: 'webSocketErrors',
        onError: (request) => {
          const { statusCode, body } = toErrorResponse(request.error);
          request.response = { statusCode, body };
        },
      },
    },
    fn,
  );
}

export function ok(body?: unknown): WebSocketResult {
  return body === undefined ? { statusCode: 200 } : { statusCode: 200, body: JSON.stringify(body) };
}
