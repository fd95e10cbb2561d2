import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { AppError, QuotaExceededError } from '../shared/errors';
import { logger } from '../shared/powertools';
import { errorBody, json, SECURITY_HEADERS } from './responses';

/**
 * The last middleware of the chain, so its hooks run first on the way out: turns any thrown error into the
 * one error shape and adds the security headers to every response, success or error. Typed errors keep
 * their code, status and details; anything else is a 500 INTERNAL_ERROR that reveals nothing (the real
 * error goes to the log with the request id).
 */
export function httpResponses(): MiddlewareObj<unknown, APIGatewayProxyResult> {
  const withSecurityHeaders = (response: APIGatewayProxyResult): APIGatewayProxyResult => ({
    ...response,
    headers: { ...SECURITY_HEADERS, ...response.headers },
  });
  return {
    name: 'httpResponses',
    after: (request) => {
      if (request.response) request.response = withSecurityHeaders(request.response);
    },
    onError: (request) => {
      request.response = withSecurityHeaders(toErrorResponse(request.error));
    },
  };
}

export function toErrorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof AppError && error.httpStatus < 500) {
    logger.info('Request refused', { code: error.code, status: error.httpStatus });
    const headers: Record<string, string> =
      error instanceof QuotaExceededError ? { 'Retry-After': String(error.retryAfterSeconds) } : {};
    return json(error.httpStatus, errorBody(error.code, error.message, error.details), { headers });
  }
  if (error instanceof AppError) {
    logger.error('Request failed', { code: error.code, error });
    return json(error.httpStatus, errorBody(error.code, error.message));
  }
  logger.error('Unhandled error', { error: error instanceof Error ? error : String(error) });
  return json(500, errorBody('INTERNAL_ERROR', 'Something went wrong on our side. Please try again later.'));
}
