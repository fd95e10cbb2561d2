import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { logger, metrics, tracer } from '../shared/powertools';
import type { ApiEvent, ApiResult } from './api-event';
import { httpResponses } from './http-responses';
import { jsonBodyParser } from './json-body-parser';

export type ApiFunction = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/**
 * The one middleware chain every HTTP handler uses: tracer → logger → metrics → JSON body parser →
 * error/headers mapper (last, so it runs first on the way out and the others see the final response).
 */
export function httpHandler(fn: ApiFunction) {
  return middy<APIGatewayProxyEvent, ApiResult>()
    // Responses carry transcripts and presigned POST credentials: keep them out of trace metadata.
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(jsonBodyParser())
    .use(httpResponses())
    .handler((event, context) => fn(event as unknown as ApiEvent, context));
}
