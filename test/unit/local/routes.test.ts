import { describe, expect, it } from 'vitest';
import { MalformedPathError, RouteTable } from '../../../local/gateway/routes';

describe('RouteTable', () => {
  const routes = new RouteTable();

  it('decodes path parameters', () => {
    expect(routes.match('GET', '/jobs/abc%2Dd')?.pathParameters).toEqual({ jobId: 'abc-d' });
  });

  it.each(['/jobs/%E0', '/jobs/%', '/jobs/%C0%AF'])('refuses %s as a malformed path, not a URIError', (path) => {
    expect(() => routes.match('GET', path)).toThrowError(MalformedPathError);
    expect(() => routes.match('GET', path)).toThrowError('The path parameter jobId is not valid percent-encoded UTF-8.');
  });
});
