import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig, parseConfig, resolveWebSocketUrl } from '../../../web/src/config';
import { isFirstHistoryPage, savedAtOf } from '../../../web/src/offline-history';

describe('client config', () => {
  it('keeps valid fields and defaults the rest', () => {
    expect(parseConfig({ apiBaseUrl: '/api', webSocketUrl: 'wss://ws.example.com/prod' })).toEqual({
      apiBaseUrl: '/api',
      webSocketUrl: 'wss://ws.example.com/prod',
    });
    expect(parseConfig({ apiBaseUrl: 7 })).toEqual(DEFAULT_CONFIG);
    expect(parseConfig('nonsense')).toEqual(DEFAULT_CONFIG);
  });

  it('falls back to same-origin defaults when config.json is missing or unreachable', async () => {
    await expect(loadConfig(async () => new Response('', { status: 404 }))).resolves.toEqual(DEFAULT_CONFIG);
    await expect(loadConfig(() => Promise.reject(new TypeError('offline')))).resolves.toEqual(DEFAULT_CONFIG);
  });

  it('resolves the socket URL against the page, matching its security', () => {
    expect(resolveWebSocketUrl('/ws', { protocol: 'http:', host: '127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/ws');
    expect(resolveWebSocketUrl('/ws', { protocol: 'https:', host: 'd1.cloudfront.net' })).toBe('wss://d1.cloudfront.net/ws');
    expect(resolveWebSocketUrl('wss://abc.execute-api.eu-west-1.amazonaws.com/prod', { protocol: 'https:', host: 'x' })).toBe(
      'wss://abc.execute-api.eu-west-1.amazonaws.com/prod',
    );
    expect(resolveWebSocketUrl('', { protocol: 'https:', host: 'x' })).toBeUndefined();
  });
});

describe('isFirstHistoryPage', () => {
  it('matches only GET …/jobs without a cursor', () => {
    expect(isFirstHistoryPage('GET', new URL('https://x/api/jobs?limit=10'))).toBe(true);
    expect(isFirstHistoryPage('GET', new URL('https://x/jobs'))).toBe(true);
    expect(isFirstHistoryPage('GET', new URL('https://x/jobs?cursor=abc'))).toBe(false);
    expect(isFirstHistoryPage('GET', new URL('https://x/jobs/j1'))).toBe(false);
    expect(isFirstHistoryPage('DELETE', new URL('https://x/jobs'))).toBe(false);
  });
});

describe('savedAtOf', () => {
  it("reads the service worker's mark on an offline copy, and nothing else", () => {
    expect(savedAtOf({ items: [], nextCursor: null, savedAt: '2025-01-01T00:00:00.000Z' })).toBe('2025-01-01T00:00:00.000Z');
    expect(savedAtOf({ items: [], nextCursor: null })).toBeUndefined();
    expect(savedAtOf({ items: [], savedAt: 7 })).toBeUndefined();
  });
});
