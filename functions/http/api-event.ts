import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * An API Gateway REST (v1) proxy event after the JSON body parser ran: `body` is the parsed JSON value, or
 * undefined when the request had no body. Handlers still validate it with zod; the parser only guarantees
 * it is well-formed JSON within the size limit.
 */
export type ApiEvent = Omit<APIGatewayProxyEvent, 'body'> & { body: unknown };

export type ApiResult = APIGatewayProxyResult;
