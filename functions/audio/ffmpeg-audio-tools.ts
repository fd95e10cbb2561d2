import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AUDIO } from '../../lib/config/limits';
import { acceptedContainer, confinedInput, NORMALIZED_WAV } from './accepted-containers';
import {
  type AudioChunk,
  type AudioProbe,
  type AudioTools,
  AudioToolsError,
  type NormalizedAudio,
  type NormalizeOptions,
} from './audio-tools';
import { resolveFfmpeg } from './ffmpeg-binaries';
import {
  audioStreamFacts,
  containerErrors,
  describeInput,
  isAttachedPicture,
  lastError,
  type LogLine,
  meanVolumeDb,
  parseLog,
} from './ffmpeg-log';
import { planChunks, type TimeRange } from './silence-plan';
import { ProcessStartError, type ProcessResult, runProcess } from './run-process';
import { bytesPerSecond, readWavLayout, wavHeader } from './wav';

export interface FfmpegAudioToolsOptions {
  /** @default resolveFfmpeg() - FFMPEG_PATH, then the Lambda layer, then `ffmpeg` on PATH */
  readonly ffmpegPath?: string;
  /** Kill a stuck ffmpeg after this long. @default 120 s */
  readonly timeoutMs?: number;
  /** Level under which audio counts as a pause when splitting. @default -35 dB */
  readonly splitSilenceDb?: number;
  /** Shortest pause worth cutting at. @default 0.3 s */
  readonly splitMinSilenceSeconds?: number;
}

/** Every run logs with levels, so the demuxer's own errors can be told from its info and warnings. */
const LOGGING = ['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+info'] as const;

/**
 * AudioTools over one ffmpeg build, which both probes and decodes, confined to the upload (see confinedInput):
 * an allow-list of audio demuxers, the decode forced to the one the probe saw, the `file` protocol only. Works
 * from files only: m4a/3gp keep their index (moov atom) wherever the encoder put it, often at the end, so they
 * cannot be read from a pipe. Every input is read through an extension-less symlink, because ffmpeg falls back
 * to the file extension when content probing is inconclusive, and the extension is the one thing we must not
 * trust.
 */
export class FfmpegAudioTools implements AudioTools {
  private readonly ffmpeg: string;
  private readonly timeoutMs: number;
  private readonly splitSilenceDb: number;
  private readonly splitMinSilenceSeconds: number;

  constructor(options: FfmpegAudioToolsOptions = {}) {
    this.ffmpeg = options.ffmpegPath ?? resolveFfmpeg();
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.splitSilenceDb = options.splitSilenceDb ?? -35;
    this.splitMinSilenceSeconds = options.splitMinSilenceSeconds ?? 0.3;
  }

  async probe(inputPath: string): Promise<AudioProbe> {
    return this.withNeutralName(inputPath, (source) => this.probeSource(source));
  }

  async normalize(inputPath: string, outputWavPath: string, options: NormalizeOptions = {}): Promise<NormalizedAudio> {
    return this.withNeutralName(inputPath, async (source) => {
      const container = options.container ?? (await this.probeSource(source)).container;
      const limit = options.maxSeconds === undefined ? [] : ['-t', String(options.maxSeconds + 1)];
      const result = await this.run([
        ...LOGGING,
        ...confinedInput(source, container),
        '-map', '0:a:0',
        '-vn', '-sn', '-dn',
        '-map_metadata', '-1',
        // Resample, downmix and quantise explicitly, then measure what the engines will hear.
        '-af', `aresample=${AUDIO.sampleRateHz},aformat=sample_fmts=s16:channel_layouts=mono,volumedetect`,
        '-c:a', 'pcm_s16le',
        '-fflags', '+bitexact',
        '-flags:a', '+bitexact',
        ...limit,
        '-f', 'wav',
        '-y', `file:${path.resolve(outputWavPath)}`,
      ]);
      const log = parseLog(result.stderr);
      if (result.exitCode !== 0) {
        throw new AudioToolsError('UNDECODABLE', `ffmpeg could not decode the audio: ${lastError(log)}`);
      }
      const layout = await readWavLayout(outputWavPath);
      return {
        wavPath: outputWavPath,
        durationSeconds: layout.dataBytes / bytesPerSecond(layout),
        containerErrors: containerErrors(log, container.ffmpegName),
        pcmSha256: await sha256OfRange(outputWavPath, layout.dataOffset, layout.dataBytes),
        meanVolumeDb: meanVolumeDb(log),
      };
    });
  }

  async splitAtSilences(wavPath: string, targetSeconds: number, outputDir: string): Promise<readonly AudioChunk[]> {
    const layout = await readWavLayout(wavPath);
    const rate = bytesPerSecond(layout);
    const durationSeconds = layout.dataBytes / rate;
    // A note that fits one chunk is its own chunk: no silence detection, no copy.
    if (planChunks(durationSeconds, targetSeconds, []).length === 1) {
      return [{ index: 0, wavPath, startSeconds: 0, durationSeconds }];
    }
    const pauses = await this.detectSilences(wavPath, durationSeconds);
    const plan = planChunks(durationSeconds, targetSeconds, pauses);

    const blockAlign = (layout.channels * layout.bitsPerSample) / 8;
    const toByte = (seconds: number) => Math.min(layout.dataBytes, Math.round((seconds * rate) / blockAlign) * blockAlign);
    const file = await open(wavPath, 'r');
    try {
      const chunks: AudioChunk[] = [];
      for (const [index, range] of plan.entries()) {
        const from = toByte(range.start);
        const to = toByte(range.end);
        const samples = Buffer.alloc(to - from);
        await file.read(samples, 0, samples.length, layout.dataOffset + from);
        const chunkPath = path.join(outputDir, `chunk-${String(index).padStart(4, '0')}.wav`);
        await writeFile(chunkPath, Buffer.concat([wavHeader(samples.length, layout.sampleRateHz, layout.channels, layout.bitsPerSample), samples]));
        chunks.push({ index, wavPath: chunkPath, startSeconds: from / rate, durationSeconds: samples.length / rate });
      }
      return chunks;
    } finally {
      await file.close();
    }
  }

  /**
   * ffmpeg's own description of the input (`ffmpeg -i` without an output: it stops once the input is open).
   * Only the accepted demuxers may open it, so a playlist, concat list or picture fails here, unread.
   */
  private async probeSource(source: string): Promise<AudioProbe> {
    const log = parseLog((await this.run([...LOGGING, ...confinedInput(source)])).stderr);
    const input = describeInput(log);
    if (!input) throw openFailure(log);
    const container = acceptedContainer(input.demuxer);
    if (!container) {
      // The whitelist already refuses these; a build that ignored it must get no further.
      throw new AudioToolsError('UNSUPPORTED_CONTAINER', `ffmpeg opened it as ${input.demuxer}, not an accepted audio container`);
    }
    const audio = input.streams.find((stream) => stream.type === 'Audio');
    if (!audio) throw new AudioToolsError('NO_AUDIO_STREAM', 'The file has no audio stream.');
    const onlyTheAudio = input.streams.every((stream) => stream === audio || isAttachedPicture(stream));
    const announced = container.lengthIsTheAudios && onlyTheAudio ? input.durationSeconds : undefined;
    return { container, ...audioStreamFacts(audio), ...(announced === undefined ? {} : { announcedAudioSeconds: announced }) };
  }

  private async detectSilences(wavPath: string, durationSeconds: number): Promise<TimeRange[]> {
    const result = await this.run([
      ...LOGGING,
      ...confinedInput(wavPath, NORMALIZED_WAV),
      '-af', `silencedetect=noise=${this.splitSilenceDb}dB:d=${this.splitMinSilenceSeconds}`,
      '-f', 'null', '-',
    ]);
    if (result.exitCode !== 0) {
      throw new AudioToolsError('TOOL_FAILED', `silencedetect failed: ${lastError(parseLog(result.stderr))}`);
    }
    return parseSilences(result.stderr, durationSeconds);
  }

  private async run(args: string[]): Promise<ProcessResult> {
    try {
      const result = await runProcess(this.ffmpeg, args, { timeoutMs: this.timeoutMs });
      if (result.signal !== null) {
        throw new AudioToolsError('TOOL_FAILED', `${path.basename(this.ffmpeg)} was killed (${result.signal}) after ${this.timeoutMs} ms`);
      }
      return result;
    } catch (error) {
      if (error instanceof ProcessStartError) throw new AudioToolsError('TOOL_FAILED', error.message);
      throw error;
    }
  }

  private async withNeutralName<T>(inputPath: string, work: (source: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(tmpdir(), 'vnt-probe-'));
    try {
      const source = path.join(dir, 'input');
      await symlink(path.resolve(inputPath), source);
      return await work(source);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Why ffmpeg could not open the input. A demuxer outside the allow-list that claimed it (`[hls @ …] Format not
 * on whitelist`) means a refused format; an accepted one that complained means damaged media; no demuxer at all
 * means it is not media.
 */
function openFailure(log: readonly LogLine[]): AudioToolsError {
  const demuxerLines = log.filter((line) => line.context !== undefined && line.context !== 'AVFormatContext');
  const refused = demuxerLines.find((line) => !acceptedContainer(line.context!));
  if (refused) {
    return new AudioToolsError('UNSUPPORTED_CONTAINER', `Not an accepted audio container (${refused.context}: ${refused.text})`);
  }
  if (demuxerLines.length > 0) {
    return new AudioToolsError('UNDECODABLE', `The container is recognised but unreadable: ${lastError(log)}`);
  }
  return new AudioToolsError('NOT_MEDIA', 'The file is not a media file ffmpeg recognises.');
}

function parseSilences(stderr: string, durationSeconds: number): TimeRange[] {
  const silences: TimeRange[] = [];
  let openStart: number | undefined;
  for (const line of stderr.split('\n')) {
    const start = /silence_start:\s*(-?[\d.]+)/.exec(line);
    if (start) openStart = Math.max(0, Number(start[1]));
    const end = /silence_end:\s*([\d.]+)/.exec(line);
    if (end && openStart !== undefined) {
      silences.push({ start: openStart, end: Number(end[1]) });
      openStart = undefined;
    }
  }
  // A pause running into the end of the file reports no silence_end.
  if (openStart !== undefined) silences.push({ start: openStart, end: durationSeconds });
  return silences;
}

async function sha256OfRange(filePath: string, start: number, length: number): Promise<string> {
  const hash = createHash('sha256');
  if (length > 0) {
    for await (const chunk of createReadStream(filePath, { start, end: start + length - 1 })) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
