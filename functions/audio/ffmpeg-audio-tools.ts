import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AUDIO } from '../../lib/config/limits';
import {
  type AudioChunk,
  type AudioProbe,
  type AudioTools,
  AudioToolsError,
  type NormalizedAudio,
  type NormalizeOptions,
} from './audio-tools';
import { type FfmpegBinaries, resolveFfmpegBinaries } from './ffmpeg-binaries';
import { planChunks, type TimeRange } from './silence-plan';
import { ProcessStartError, type ProcessResult, runProcess } from './run-process';
import { bytesPerSecond, readWavLayout, wavHeader } from './wav';

export interface FfmpegAudioToolsOptions {
  /** @default resolveFfmpegBinaries() - env, then the Lambda layer, then the npm static binaries */
  readonly binaries?: FfmpegBinaries;
  /** Kill a stuck ffmpeg/ffprobe after this long. @default 120 s */
  readonly timeoutMs?: number;
  /** Level under which audio counts as a pause when splitting. @default -35 dB */
  readonly splitSilenceDb?: number;
  /** Shortest pause worth cutting at. @default 0.3 s */
  readonly splitMinSilenceSeconds?: number;
}

/** Any demuxer that logged an error recognised the container: the input is media, just unreadable. */
const DEMUXER_LOG_LINE = /^\[[\w,]+ @ 0x[0-9a-f]+\]/m;

/**
 * AudioTools over the ffmpeg/ffprobe binaries. Works from files only: m4a/3gp keep their index (moov atom)
 * wherever the encoder put it, often at the end, so they cannot be read from a pipe. Every input is read
 * through an extension-less symlink, because ffmpeg falls back to the file extension when content probing is
 * inconclusive, and the extension is the one thing we must not trust.
 */
export class FfmpegAudioTools implements AudioTools {
  private readonly binaries: FfmpegBinaries;
  private readonly timeoutMs: number;
  private readonly splitSilenceDb: number;
  private readonly splitMinSilenceSeconds: number;

  constructor(options: FfmpegAudioToolsOptions = {}) {
    this.binaries = options.binaries ?? resolveFfmpegBinaries();
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.splitSilenceDb = options.splitSilenceDb ?? -35;
    this.splitMinSilenceSeconds = options.splitMinSilenceSeconds ?? 0.3;
  }

  async probe(inputPath: string): Promise<AudioProbe> {
    return this.withNeutralName(inputPath, async (source) => {
      const result = await this.run(this.binaries.ffprobe, [
        '-v', 'error',
        '-print_format', 'json',
        '-show_format',
        '-show_streams',
        source,
      ]);
      if (result.exitCode !== 0) {
        throw DEMUXER_LOG_LINE.test(result.stderr)
          ? new AudioToolsError('UNDECODABLE', `The container is recognised but unreadable: ${firstLine(result.stderr)}`)
          : new AudioToolsError('NOT_MEDIA', 'The file is not a media file ffprobe recognises.');
      }
      return toAudioProbe(parseProbeJson(result.stdout));
    });
  }

  async normalize(inputPath: string, outputWavPath: string, options: NormalizeOptions = {}): Promise<NormalizedAudio> {
    return this.withNeutralName(inputPath, async (source) => {
      const limit = options.maxSeconds === undefined ? [] : ['-t', String(options.maxSeconds + 1)];
      const result = await this.run(this.binaries.ffmpeg, [
        '-nostdin', '-hide_banner', '-nostats',
        '-loglevel', 'info',
        '-i', source,
        '-map', '0:a:0',
        '-map_metadata', '-1',
        // Resample, downmix and quantise explicitly, then measure what the engines will hear.
        '-af', `aresample=${AUDIO.sampleRateHz},aformat=sample_fmts=s16:channel_layouts=mono,volumedetect`,
        '-c:a', 'pcm_s16le',
        '-fflags', '+bitexact',
        '-flags:a', '+bitexact',
        ...limit,
        '-f', 'wav',
        '-y', outputWavPath,
      ]);
      if (result.exitCode !== 0) {
        throw new AudioToolsError('UNDECODABLE', `ffmpeg could not decode the audio: ${lastErrorLine(result.stderr)}`);
      }
      const layout = await readWavLayout(outputWavPath);
      return {
        wavPath: outputWavPath,
        durationSeconds: layout.dataBytes / bytesPerSecond(layout),
        pcmSha256: await sha256OfRange(outputWavPath, layout.dataOffset, layout.dataBytes),
        meanVolumeDb: parseMeanVolume(result.stderr),
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

  private async detectSilences(wavPath: string, durationSeconds: number): Promise<TimeRange[]> {
    const result = await this.run(this.binaries.ffmpeg, [
      '-nostdin', '-hide_banner', '-nostats',
      '-loglevel', 'info',
      '-i', wavPath,
      '-af', `silencedetect=noise=${this.splitSilenceDb}dB:d=${this.splitMinSilenceSeconds}`,
      '-f', 'null', '-',
    ]);
    if (result.exitCode !== 0) {
      throw new AudioToolsError('TOOL_FAILED', `silencedetect failed: ${lastErrorLine(result.stderr)}`);
    }
    return parseSilences(result.stderr, durationSeconds);
  }

  private async run(binary: string, args: string[]): Promise<ProcessResult> {
    try {
      const result = await runProcess(binary, args, { timeoutMs: this.timeoutMs });
      if (result.signal !== null) {
        throw new AudioToolsError('TOOL_FAILED', `${path.basename(binary)} was killed (${result.signal}) after ${this.timeoutMs} ms`);
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

interface ProbeJson {
  streams?: Array<{ codec_type?: string; codec_name?: string; sample_rate?: string; channels?: number; duration?: string }>;
  format?: { format_name?: string; duration?: string };
}

function parseProbeJson(stdout: string): ProbeJson {
  try {
    return JSON.parse(stdout) as ProbeJson;
  } catch {
    throw new AudioToolsError('TOOL_FAILED', 'ffprobe printed something that is not JSON');
  }
}

function toAudioProbe(json: ProbeJson): AudioProbe {
  const audio = json.streams?.find((stream) => stream.codec_type === 'audio');
  if (!json.format || !json.streams) {
    throw new AudioToolsError('NOT_MEDIA', 'The file is not a media file ffprobe recognises.');
  }
  if (!audio) throw new AudioToolsError('NO_AUDIO_STREAM', 'The file has no audio stream.');
  const durationSeconds = positiveNumber(json.format.duration) ?? positiveNumber(audio.duration);
  return {
    formatName: json.format.format_name ?? 'unknown',
    codec: audio.codec_name ?? 'unknown',
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
    sampleRateHz: Number(audio.sample_rate ?? 0),
    channels: audio.channels ?? 0,
  };
}

function positiveNumber(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

/** volumedetect prints nothing without samples: that is as silent as it gets. */
function parseMeanVolume(stderr: string): number {
  const match = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(stderr);
  if (!match || match[1] === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(match[1]);
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

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function lastErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
