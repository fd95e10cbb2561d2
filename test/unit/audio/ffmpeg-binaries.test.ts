import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYER_BIN_DIR, resolveFfmpegBinaries } from '../../../functions/audio/ffmpeg-binaries';

describe('resolveFfmpegBinaries', () => {
  it('explicit FFMPEG_PATH / FFPROBE_PATH win', () => {
    expect(resolveFfmpegBinaries({ FFMPEG_PATH: '/x/ffmpeg', FFPROBE_PATH: '/x/ffprobe' })).toEqual({ ffmpeg: '/x/ffmpeg', ffprobe: '/x/ffprobe' });
  });

  it.skipIf(existsSync(LAYER_BIN_DIR))('without env or the Lambda layer, uses the npm static binaries', () => {
    const { ffmpeg, ffprobe } = resolveFfmpegBinaries({});

    expect(ffmpeg).toMatch(/@ffmpeg-installer\/.+\/ffmpeg$/);
    expect(ffprobe).toMatch(/@ffprobe-installer\/.+\/ffprobe$/);
    expect(existsSync(ffmpeg) && existsSync(ffprobe)).toBe(true);
  });
});
