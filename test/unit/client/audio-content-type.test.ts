import { describe, expect, it } from 'vitest';
import { audioContentType } from '../../../client';
import { AUDIO_CONTENT_TYPE_BY_EXTENSION, contentTypeForFileName } from '../../../lib/config/audio-types';
import { UPLOAD } from '../../../lib/config/limits';

describe('audioContentType', () => {
  it.each([
    ['audio/webm;codecs=opus', '', 'audio/webm'],
    ['audio/ogg; codecs=opus', 'note.ogg', 'audio/ogg'],
    ['', 'voice.M4A', 'audio/mp4'],
    [undefined, '/tmp/notes/memo.opus', 'audio/ogg'],
    ['video/mp4', 'memo.m4a', 'audio/mp4'],
    ['video/webm', '', 'audio/webm'],
    ['application/octet-stream', 'clip.amr', 'audio/amr'],
    ['text/plain', 'notes.txt', undefined],
    ['image/png', '', undefined],
    [undefined, 'x.constructor', undefined],
  ])('%s named "%s" is sent as %s', (type, name, expected) => {
    expect(audioContentType(type, name)).toBe(expected);
  });
});

describe('the extension map', () => {
  it('only ever declares types POST /uploads accepts', () => {
    for (const type of Object.values(AUDIO_CONTENT_TYPE_BY_EXTENSION)) expect(UPLOAD.contentTypes).toContain(type);
  });

  it('declares Ogg Opus files as audio/ogg (RFC 7845), not the RTP payload type audio/opus', () => {
    expect(contentTypeForFileName('note.opus')).toBe('audio/ogg');
  });
});
