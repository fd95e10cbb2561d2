import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYER_BIN_DIR, resolveFfmpeg } from '../../../functions/audio/ffmpeg-binaries';

describe('resolveFfmpeg', () => {
  it('explicit FFMPEG_PATH wins', () => {
    expect(resolveFfmpeg({ FFMPEG_PATH: '/x/ffmpeg' })).toBe('/x/ffmpeg');
  });

  it.skipIf(existsSync(LAYER_BIN_DIR))('without env or the Lambda layer, uses the system ffmpeg on PATH (Debian’s maintained build)', () => {
    expect(resolveFfmpeg({ PATH: '/nonexistent:/usr/bin' })).toBe('/usr/bin/ffmpeg');
  });

  it.skipIf(existsSync(LAYER_BIN_DIR))('says how to get one when there is none', () => {
    expect(() => resolveFfmpeg({ PATH: '/nonexistent' })).toThrow(/FFMPEG_PATH.*apt-get install ffmpeg/);
  });
});
