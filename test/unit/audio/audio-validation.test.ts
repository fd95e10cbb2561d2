import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS } from '../../../lib/config/tiers';
import { NORMALIZED_WAV } from '../../../functions/audio/accepted-containers';
import type { AudioProbe, AudioTools, NormalizedAudio } from '../../../functions/audio/audio-tools';
import { AudioToolsError } from '../../../functions/audio/audio-tools';
import { type AudioLimits, AudioValidationService } from '../../../functions/audio/audio-validation';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';
import { PipelineFailureError } from '../../../functions/shared/errors';
import {
  makeAudio,
  makeEmptyFile,
  makeImageFile,
  makeLongAudio,
  makeSilence,
  makeTextFile,
  makeTruncated,
  makeTruncatedWithoutIndex,
  makePaddedM4a,
  makeVideoWithSpeech,
} from '../../helpers/audio-fixtures';

const FREE: AudioLimits = TIERS.free;
/** Small limits so "too long" needs only a few seconds of audio. */
const TIGHT: AudioLimits = { maxUploadBytes: TIERS.free.maxUploadBytes, maxAudioSeconds: 10 };

describe('AudioValidationService on real files', () => {
  const service = new AudioValidationService(new FfmpegAudioTools());
  let dir: string;
  let counter = 0;

  const normalize = async (inputPath: string, limits: AudioLimits = FREE) =>
    service.normalizeUpload({
      inputPath,
      sizeBytes: (await stat(inputPath)).size,
      limits,
      outputWavPath: path.join(dir, `out-${counter++}.wav`),
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vnt-audio-validation-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts real speech and returns the probe and the normalised audio', async () => {
    const result = await normalize(await makeAudio('m4a', dir));

    expect(result.probe.codec).toBe('aac');
    expect(result.audio.durationSeconds).toBeGreaterThan(2.5);
  });

  it.each([
    ['EMPTY_AUDIO', 'a 0-byte upload', () => makeEmptyFile(dir)],
    ['NOT_AUDIO', 'a text file named .m4a', () => makeTextFile(dir)],
    ['NOT_AUDIO', 'an image named .mp3', () => makeImageFile(dir)],
    ['CORRUPT_AUDIO', 'a truncated m4a (index up front)', () => makeTruncated('m4a', dir)],
    ['CORRUPT_AUDIO', 'a truncated m4a that lost its index', () => makeTruncatedWithoutIndex(dir)],
    ['CORRUPT_AUDIO', 'a truncated mp3', () => makeTruncated('mp3', dir)],
    ['SILENT_AUDIO', 'digital silence', () => makeSilence(dir)],
  ] as const)('%s for %s', async (code, _label, make) => {
    const error = await normalize(await make()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PipelineFailureError);
    expect(error).toMatchObject({ code, name: code });
    expect((error as Error).message.length).toBeGreaterThan(10);
  });

  it('AUDIO_TOO_LONG when the container announces more than the tier allows', async () => {
    const error = await normalize(await makeLongAudio(dir, 12, 'mp3'), TIGHT).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'AUDIO_TOO_LONG', details: { maxAudioSeconds: 10 } });
  });

  it('AUDIO_TOO_LONG from the decoded length when the container does not say (streamed webm)', async () => {
    const error = await normalize(await makeLongAudio(dir, 12, 'webm-stream'), TIGHT).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'AUDIO_TOO_LONG' });
  });

  // Issue 11: a 90 s mp4 with 7 s of audio failed AUDIO_TOO_LONG on free and CORRUPT_AUDIO "truncated" on basic.
  it.each([
    ['a 90 s video track', () => makeVideoWithSpeech(dir, 90, 7)],
    ['a padded container (movie header says 90 s)', () => makePaddedM4a(dir, 90, 7)],
  ] as const)('measures the audio, not the container: 7 s of speech in %s is accepted on every tier', async (_label, make) => {
    const file = await make();

    for (const limits of [TIERS.free, TIERS.basic]) {
      const { audio } = await normalize(file, limits);

      expect(audio.durationSeconds).toBeCloseTo(7, 0);
      expect(audio.containerErrors).toEqual([]);
    }
  });

  it('UPLOAD_TOO_LARGE from the real size the caller passes, before any decoding', async () => {
    const error = await service
      .normalizeUpload({ inputPath: '/nonexistent', sizeBytes: FREE.maxUploadBytes + 1, limits: FREE, outputWavPath: '/nonexistent.wav' })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'UPLOAD_TOO_LARGE', details: { sizeBytes: FREE.maxUploadBytes + 1 } });
  });
});

describe('AudioValidationService rules', () => {
  const probe: AudioProbe = { container: NORMALIZED_WAV, codec: 'pcm_s16le', announcedAudioSeconds: 3, sampleRateHz: 16_000, channelLayout: 'mono' };
  const normalized: NormalizedAudio = { wavPath: '/tmp/x.wav', durationSeconds: 3, containerErrors: [], pcmSha256: 'a'.repeat(64), meanVolumeDb: -30 };
  const toolsReturning = (overrides: Partial<AudioTools>): AudioTools => ({
    probe: async () => probe,
    normalize: async () => normalized,
    splitAtSilences: async () => [],
    ...overrides,
  });
  const request = { inputPath: '/in', sizeBytes: 1000, limits: FREE, outputWavPath: '/out.wav' };

  it('checkUploadSize: EMPTY_AUDIO at 0 bytes, UPLOAD_TOO_LARGE above the tier, silent otherwise', () => {
    const service = new AudioValidationService(toolsReturning({}));

    expect(() => service.checkUploadSize(0, FREE)).toThrow(expect.objectContaining({ code: 'EMPTY_AUDIO' }));
    expect(() => service.checkUploadSize(FREE.maxUploadBytes + 1, FREE)).toThrow(expect.objectContaining({ code: 'UPLOAD_TOO_LARGE' }));
    expect(() => service.checkUploadSize(FREE.maxUploadBytes, FREE)).not.toThrow();
  });

  it('rejects an announced overlong note without decoding it', async () => {
    let decoded = false;
    const service = new AudioValidationService(
      toolsReturning({
        probe: async () => ({ ...probe, announcedAudioSeconds: 61 }),
        normalize: async () => {
          decoded = true;
          return normalized;
        },
      }),
    );

    await expect(service.normalizeUpload(request)).rejects.toMatchObject({ code: 'AUDIO_TOO_LONG' });
    expect(decoded).toBe(false);
  });

  it('CORRUPT_AUDIO when nothing decodes', async () => {
    const service = new AudioValidationService(toolsReturning({ normalize: async () => ({ ...normalized, durationSeconds: 0 }) }));

    await expect(service.normalizeUpload(request)).rejects.toMatchObject({ code: 'CORRUPT_AUDIO' });
  });

  it('a tool failure is an INTERNAL_ERROR, not blamed on the input', async () => {
    const service = new AudioValidationService(
      toolsReturning({
        probe: async () => {
          throw new AudioToolsError('TOOL_FAILED', 'ffmpeg missing');
        },
      }),
    );

    await expect(service.normalizeUpload(request)).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('uses the silence threshold it is given', async () => {
    const strict = new AudioValidationService(toolsReturning({}), -20);

    await expect(strict.normalizeUpload(request)).rejects.toMatchObject({ code: 'SILENT_AUDIO' });
  });
});
