import '../../events/api-env';
import { describe, expect, it } from 'vitest';
import { httpResponses, toErrorResponse } from '../../../functions/http/http-responses';
import { json } from '../../../functions/http/responses';
import {
  AppError,
  ForbiddenError,
  NotFoundError,
  PipelineFailureError,
  QuotaExceededError,
  ValidationError,
} from '../../../functions/shared/errors';

const bodyOf = (r: { body: string }) => JSON.parse(r.body) as { error: Record<string, unknown> };

describe('toErrorResponse', () => {
  it('maps a typed 4xx error to its status, code, message and details', () => {
    const response = toErrorResponse(new ValidationError('Bad.', { issues: [{ path: 'a', message: 'b' }] }));
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({
      error: { code: 'VALIDATION_ERROR', message: 'Bad.', details: { issues: [{ path: 'a', message: 'b' }] } },
    });
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  });

  it('adds Retry-After to 429 QUOTA_EXCEEDED', () => {
    const response = toErrorResponse(new QuotaExceededError('Used up.', 3600));
    expect(response.statusCode).toBe(429);
    expect(response.headers).toMatchObject({ 'Retry-After': '3600' });
    expect(bodyOf(response).error.code).toBe('QUOTA_EXCEEDED');
  });

  it.each([
    [new NotFoundError('No job x.', 'JOB_NOT_FOUND'), 404, 'JOB_NOT_FOUND'],
    [new ForbiddenError(), 403, 'FORBIDDEN'],
  ])('keeps the code of %s', (error, status, code) => {
    const response = toErrorResponse(error);
    expect(response.statusCode).toBe(status);
    expect(bodyOf(response).error.code).toBe(code);
  });

  it('turns an unknown error into a 500 INTERNAL_ERROR that reveals nothing', () => {
    const response = toErrorResponse(new Error('connect ECONNREFUSED 10.0.0.12:443 table vnt-prod-secret'));
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response).error.code).toBe('INTERNAL_ERROR');
    expect(response.body).not.toMatch(/ECONNREFUSED|vnt-prod|10\.0\.0/);
  });

  it('drops the details of a typed 5xx-class error', () => {
    const response = toErrorResponse(new AppError('ENGINE_DOWN', 503, 'Try later.', { host: 'internal' }));
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toEqual({ error: { code: 'ENGINE_DOWN', message: 'Try later.' } });
  });

  it('handles a thrown non-Error', () => {
    expect(toErrorResponse('just a string').statusCode).toBe(500);
    expect(toErrorResponse(new PipelineFailureError('NO_SPEECH', 'x')).statusCode).toBe(422);
  });
});

describe('httpResponses middleware', () => {
  it('adds security headers to a successful response without overriding its own', () => {
    const request = { response: json(200, { ok: true }, { cacheControl: 'public, max-age=60' }) };
    httpResponses().after!(request as never);
    expect(request.response.headers).toMatchObject({
      'Cache-Control': 'public, max-age=60',
      'X-Content-Type-Options': 'nosniff',
      'Strict-Transport-Security': expect.stringContaining('max-age='),
      'Content-Security-Policy': expect.stringContaining("default-src 'none'"),
    });
  });

  it('turns an error into a response with security headers', () => {
    const request: { error: unknown; response?: { statusCode: number; headers?: Record<string, unknown> } } = {
      error: new Error('boom'),
    };
    httpResponses().onError!(request as never);
    expect(request.response?.statusCode).toBe(500);
    expect(request.response?.headers).toMatchObject({ 'X-Frame-Options': 'DENY', 'Cache-Control': 'no-store' });
  });
});
