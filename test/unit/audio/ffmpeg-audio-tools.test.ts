import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO } from '../../../lib/config/limits';
import { AudioToolsError } from '../../../functions/audio/audio-tools';
import { FfmpegAudioTools } from '../../../functions/audio/ffmpeg-audio-tools';
import { readWavLayout } from '../../../functions/audio/wav';
import { AUDIO_FORMATS, type AudioFormat, makeAudio, makeImageFile, makeSpeechWithPauses, makeTextFile, makeVideoWithSpeech } from '../../helpers/audio-fixtures';

/** The demuxer each format must be opened (and decoded) with. */
const DEMUXERS: Record<AudioFormat, string> = {
  m4a: 'mov',
  '3gp': 'mov',
  mp3: 'mp3',
  ogg: 'ogg',
  webm: 'matroska',
  'webm-stream': 'matroska',
  wav: 'wav',
  flac: 'flac',
};

/** goforward.raw: 89,160 bytes of 16 kHz 16-bit mono. */
const SOURCE_SECONDS = 89_160 / 32_000;

describe('FfmpegAudioTools on real files', () => {
  const tools = new FfmpegAudioTools();
  let dir: string;
  const files = {} as Record<AudioFormat, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vnt-audio-tools-'));
    for (const format of AUDIO_FORMATS) files[format] = await makeAudio(format, dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe.each(AUDIO_FORMATS)('%s', (format) => {
    it('probes the real bytes and finds one audio stream', async () => {
      const probe = await tools.probe(files[format]);

      expect(probe.codec).toMatch(/aac|mp3|opus|amr_nb|pcm_s16le|flac/);
      expect(probe.channelLayout).toBe('mono');
      expect(probe.container.demuxer).toBe(DEMUXERS[format]);
      // Only where the container's length counts the audio's own frames; mov/matroska lengths can be padded.
      if (probe.container.lengthIsTheAudios) expect(probe.announcedAudioSeconds).toBeCloseTo(SOURCE_SECONDS, 0);
      else expect(probe.announcedAudioSeconds).toBeUndefined();
    });

    it('normalises to 16 kHz mono 16-bit PCM WAV of the source length, audibly loud', async () => {
      const out = path.join(dir, `${format}.normalized.wav`);

      const audio = await tools.normalize(files[format], out);

      const layout = await readWavLayout(out);
      expect(layout).toMatchObject({ sampleRateHz: AUDIO.sampleRateHz, channels: AUDIO.channels, bitsPerSample: AUDIO.bitsPerSample });
      expect(audio.wavPath).toBe(out);
      expect(Math.abs(audio.durationSeconds - SOURCE_SECONDS)).toBeLessThan(0.1);
      expect(audio.pcmSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(audio.meanVolumeDb).toBeGreaterThan(AUDIO.silenceThresholdDb);
      expect(audio.meanVolumeDb).toBeLessThan(0);
    });

    it('hashes the same file identically, whatever it is called', async () => {
      const renamed = path.join(dir, `${format}-copy.bin`);
      await copyFile(files[format], renamed);

      const first = await tools.normalize(files[format], path.join(dir, `${format}-a.wav`));
      const second = await tools.normalize(renamed, path.join(dir, `${format}-b.wav`));

      expect(second.pcmSha256).toBe(first.pcmSha256);
    });
  });

  it('hashes decoded samples, not the container: lossless wav and flac of the same sound hash the same, lossy mp3 does not', async () => {
    const [wav, flac, mp3] = await Promise.all(
      (['wav', 'flac', 'mp3'] as const).map((f) => tools.normalize(files[f], path.join(dir, `${f}-hash.wav`))),
    );

    expect(flac?.pcmSha256).toBe(wav?.pcmSha256);
    expect(mp3?.pcmSha256).not.toBe(wav?.pcmSha256);
  });

  it('stops decoding just past maxSeconds so an overlong note costs little', async () => {
    const audio = await tools.normalize(files.wav, path.join(dir, 'capped.wav'), { maxSeconds: 1 });

    expect(audio.durationSeconds).toBeCloseTo(2, 1);
  });

  it('ignores a misleading extension: a text file named .m4a is not media', async () => {
    await expect(tools.probe(await makeTextFile(dir))).rejects.toMatchObject({ name: 'AudioToolsError', failure: 'NOT_MEDIA' });
  });

  it('refuses a picture unopened: not an accepted audio container', async () => {
    await expect(tools.probe(await makeImageFile(dir))).rejects.toMatchObject({ failure: 'UNSUPPORTED_CONTAINER' });
  });

  it('tells a media file without audio apart from a non-media file', async () => {
    await expect(tools.probe(await makeVideoWithSpeech(dir, 2, 0))).rejects.toMatchObject({ failure: 'NO_AUDIO_STREAM' });
  });

  it('reports a missing binary as a tool failure, not the input’s fault', async () => {
    const broken = new FfmpegAudioTools({ ffmpegPath: '/nonexistent/ffmpeg' });

    const error = await broken.probe(files.wav).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AudioToolsError);
    expect(error).toMatchObject({ failure: 'TOOL_FAILED' });
  });

  describe('splitAtSilences', () => {
    it('cuts speech with pauses inside the pauses, in order, covering the whole note', async () => {
      const wav = await makeSpeechWithPauses(dir);
      const layout = await readWavLayout(wav);
      const total = layout.dataBytes / 32_000;
      const out = path.join(dir, 'chunks');
      await mkdir(out);

      const chunks = await tools.splitAtSilences(wav, 3, out);

      // Three utterances of ~2.8 s with 1 s pauses: three chunks, each cut inside a pause.
      expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
      expect(chunks[0]?.startSeconds).toBe(0);
      for (const [i, chunk] of chunks.entries()) {
        const next = chunks[i + 1];
        if (next) expect(next.startSeconds).toBeCloseTo(chunk.startSeconds + chunk.durationSeconds, 3);
        const chunkLayout = await readWavLayout(chunk.wavPath);
        expect(chunkLayout).toMatchObject({ sampleRateHz: 16_000, channels: 1, bitsPerSample: 16 });
        expect(chunkLayout.dataBytes / 32_000).toBeCloseTo(chunk.durationSeconds, 3);
      }
      const cuts = chunks.slice(0, -1).map((c) => c.startSeconds + c.durationSeconds);
      expect(cuts[0]).toBeGreaterThan(2.79);
      expect(cuts[0]).toBeLessThan(3.79);
      expect(cuts[1]).toBeGreaterThan(6.57);
      expect(cuts[1]).toBeLessThan(7.58);
      expect(chunks.reduce((sum, c) => sum + c.durationSeconds, 0)).toBeCloseTo(total, 3);
    });

    it('returns the file itself as the one chunk when it is short (no silence detection, no copy)', async () => {
      const normalized = await tools.normalize(files.wav, path.join(dir, 'short.wav'));
      const out = path.join(dir, 'short-chunks');
      await mkdir(out);

      const chunks = await tools.splitAtSilences(normalized.wavPath, AUDIO.fastPathChunkSeconds, out);

      expect(chunks).toHaveLength(1);
      expect(chunks[0]?.wavPath).toBe(normalized.wavPath);
      expect(chunks[0]?.durationSeconds).toBeCloseTo(normalized.durationSeconds, 3);
    });
  });
});
