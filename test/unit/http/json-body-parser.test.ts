import '../../events/api-env';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jsonBodyParser } from '../../../functions/http/json-body-parser';
import { API } from '../../../lib/config/limits';
import { lambdaContext } from '../../events/lambda-context';
import { restEvent } from '../../events/api-gateway-event';

function parse(event: APIGatewayProxyEvent, maxBytes?: number): unknown {
  const request = { event, context: lambdaContext(), response: undefined, error: undefined, internal: {} };
  jsonBodyParser(maxBytes === undefined ? {} : { maxBytes }).before!(request as never);
  return (request.event as { body: unknown }).body;
}

const post = (body: unknown, extra: Partial<Parameters<typeof restEvent>[0]> = {}) =>
  restEvent({ method: 'POST', resource: '/uploads', body, ...extra });

describe('jsonBodyParser', () => {
  it('parses a JSON body', () => {
    expect(parse(post({ contentType: 'audio/mp4' }))).toEqual({ contentType: 'audio/mp4' });
  });

  it('decodes a base64-encoded body first', () => {
    const raw = Buffer.from(JSON.stringify({ a: 1 })).toString('base64');
    expect(parse(post(raw, { isBase64Encoded: true }))).toEqual({ a: 1 });
  });

  it.each([null, ''])('leaves no body as undefined (%j)', (body) => {
    const event = restEvent({ method: 'POST', resource: '/uploads' });
    (event as { body: unknown }).body = body;
    expect(parse(event)).toBeUndefined();
  });

  it('accepts application/json with a charset and +json types', () => {
    expect(parse(post('{"a":1}', { headers: { 'content-type': 'application/json; charset=utf-8' } }))).toEqual({ a: 1 });
    expect(parse(post('{"a":2}', { headers: { 'Content-Type': 'application/merge-patch+json' } }))).toEqual({ a: 2 });
  });

  it('accepts a body without a Content-Type header', () => {
    const event = post('{"a":1}');
    event.headers = {};
    expect(parse(event)).toEqual({ a: 1 });
  });

  it('measures the limit in bytes, not characters', () => {
    const body = JSON.stringify({ s: 'é'.repeat(10) }); // 20 bytes of é
    expect(() => parse(post(body), body.length + 5)).toThrowError(expect.objectContaining({ code: 'BODY_TOO_LARGE' }));
  });

  it.each(['{', '{"a":1,}', "{'a':1}", 'undefined', '{"a":1} trailing'])('refuses malformed JSON %j with INVALID_JSON', (body) => {
    expect(() => parse(post(body))).toThrowError(expect.objectContaining({ code: 'INVALID_JSON', httpStatus: 400 }));
  });

  it('refuses a non-JSON body type with 415 before parsing', () => {
    const event = post('contentType=audio/mp4', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(() => parse(event)).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415 }));
  });

  it(`accepts a body of exactly the limit (${API.maxBodyBytes} bytes)`, () => {
    const body = JSON.stringify({ s: 'x'.repeat(API.maxBodyBytes - 8) });
    expect(Buffer.byteLength(body)).toBe(API.maxBodyBytes);
    expect(parse(post(body))).toEqual({ s: 'x'.repeat(API.maxBodyBytes - 8) });
  });
});
