import { describe, expect, it } from 'vitest';
import { UPLOAD } from '../../../lib/config/limits';
import { audioContentType, FILE_INPUT_ACCEPT } from '../../../web/src/audio-type';
import { DEFAULT_CONFIG, loadConfig, parseConfig, resolveWebSocketUrl } from '../../../web/src/config';
import { isFirstHistoryPage } from '../../../web/src/offline-history';
import { s3UploadError } from '../../../web/src/upload';

describe('audioContentType', () => {
  it.each([
    ['audio/webm;codecs=opus', '', 'audio/webm'],
    ['audio/ogg; codecs=opus', 'note.ogg', 'audio/ogg'],
    ['', 'voice.M4A', 'audio/mp4'],
    ['video/mp4', 'memo.m4a', 'audio/mp4'],
    ['video/webm', '', 'audio/webm'],
    ['application/octet-stream', 'clip.amr', 'audio/amr'],
    ['text/plain', 'notes.txt', undefined],
    ['image/png', '', undefined],
  ])('%s named "%s" is sent as %s', (type, name, expected) => {
    expect(audioContentType(type, name)).toBe(expected);
  });

  it('only ever produces types the API accepts', () => {
    const produced = ['a.m4a', 'a.mp3', 'a.ogg', 'a.opus', 'a.webm', 'a.wav', 'a.flac', 'a.3gp', 'a.3g2', 'a.amr', 'a.aac'].map(
      (name) => audioContentType('', name),
    );
    for (const type of produced) expect(UPLOAD.contentTypes).toContain(type);
    expect(FILE_INPUT_ACCEPT.split(',')).toEqual(expect.arrayContaining(['audio/ogg', '.m4a']));
  });
});

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

describe('s3UploadError', () => {
  const xml = (code: string, message: string) => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

  it('maps S3 refusals to our codes', () => {
    expect(s3UploadError(400, xml('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'))).toMatchObject({
      code: 'UPLOAD_TOO_LARGE',
      status: 400,
    });
    expect(s3UploadError(403, xml('AccessDenied', 'Invalid according to Policy: Policy expired.'))).toMatchObject({
      code: 'UPLOAD_POLICY_EXPIRED',
    });
    expect(s3UploadError(403, xml('AccessDenied', 'Invalid according to Policy: Policy Condition failed'))).toMatchObject({
      code: 'UPLOAD_FAILED',
      message: 'Storage answered AccessDenied: Invalid according to Policy: Policy Condition failed.',
    });
    expect(s3UploadError(500, '')).toMatchObject({ code: 'UPLOAD_FAILED', message: 'Storage answered HTTP 500.' });
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
