import { Socket } from 'node:net';
import { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { restProxyEvent } from '../../../local/gateway/rest-event';

function requestWith(rawHeaders: string[]): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.httpVersion = '1.1';
  req.rawHeaders = rawHeaders;
  return req;
}

const eventFor = (rawHeaders: string[], url: string) =>
  restProxyEvent({
    req: requestWith(rawHeaders),
    url: new URL(url),
    resource: '/jobs',
    pathParameters: null,
    body: Buffer.alloc(0),
    requestId: 'r1',
  });

describe('restProxyEvent', () => {
  it('keeps header and query names such as constructor and __proto__ as plain data', () => {
    const event = eventFor(
      ['Host', '127.0.0.1', 'constructor', 'a', '__proto__', 'b', 'constructor', 'c', 'toString', 'd'],
      'http://local/jobs?constructor=1&__proto__=2&constructor=3&hasOwnProperty=4',
    );

    expect(event.headers.constructor).toBe('c');
    expect(Object.getOwnPropertyDescriptor(event.headers, '__proto__')?.value).toBe('b');
    expect(event.multiValueHeaders.constructor).toEqual(['a', 'c']);
    expect(event.queryStringParameters).toMatchObject({ constructor: '3', hasOwnProperty: '4' });
    expect(Object.getOwnPropertyDescriptor(event.multiValueQueryStringParameters, '__proto__')?.value).toEqual(['2']);
    // Nothing leaked into the prototype chain.
    expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).b).toBeUndefined();
    // What Lambda would receive after JSON, unchanged.
    expect(JSON.parse(JSON.stringify(event)).multiValueQueryStringParameters).toEqual(
      JSON.parse('{"constructor":["1","3"],"__proto__":["2"],"hasOwnProperty":["4"]}'),
    );
  });

  it('gives the last value in the single-value maps and every value in the multi-value ones', () => {
    const event = eventFor(['Accept', 'a', 'Accept', 'b'], 'http://local/jobs?limit=1&limit=2');
    expect(event.headers.Accept).toBe('b');
    expect(event.multiValueHeaders.Accept).toEqual(['a', 'b']);
    expect(event.queryStringParameters).toEqual({ limit: '2' });
    expect(event.multiValueQueryStringParameters).toEqual({ limit: ['1', '2'] });
  });

  it('has null query maps without a query string', () => {
    const event = eventFor([], 'http://local/jobs');
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
  });
});
