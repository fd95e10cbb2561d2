/**
 * Real audio for tests, generated from recorded speech with ffmpeg: every format users send, plus the bad
 * inputs the normaliser must reject. Shared by the audio unit tests and the workflow/e2e tests.
 *
 * Sources: the Debian package `pocketsphinx-testdata` (16 kHz mono s16le raw English speech with known
 * transcripts). Encoders: Debian's ffmpeg for most formats; the npm static ffmpeg (`@ffmpeg-installer/ffmpeg`,
 * a dev dependency for this alone) for AMR, which Debian's build cannot encode (no libopencore_amrnb encoder).
 * The npm build only ever encodes our own audio; the product decodes with Debian's (locally) or the layer's.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Where Debian's `pocketsphinx-testdata` puts its recorded speech (raw and WAV) and their transcripts. */
export const POCKETSPHINX_TESTDATA = '/usr/share/pocketsphinx/test/data';

/** "go forward ten meters", 16 kHz mono s16le raw, ~2.8 s. */
export const GOFORWARD_RAW = path.join(POCKETSPHINX_TESTDATA, 'goforward.raw');
export const GOFORWARD_TEXT = 'go forward ten meters';
/** More raw speech from the same package (used for multi-chunk audio). */
export const NUMBERS_RAW = path.join(POCKETSPHINX_TESTDATA, 'numbers.raw');
export const SOMETHING_RAW = path.join(POCKETSPHINX_TESTDATA, 'something.raw');

/** Formats users send; `webm-stream` is webm written to a pipe, so it carries no duration or cues (as MediaRecorder does). */
export const AUDIO_FORMATS = ['m4a', 'mp3', 'ogg', 'webm', 'webm-stream', '3gp', 'wav', 'flac'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

interface Encoding {
  readonly extension: string;
  readonly args: readonly string[];
  /** Needs the npm ffmpeg (AMR encoder). */
  readonly npmFfmpeg?: boolean;
  /** Write to stdout instead of a seekable file. */
  readonly piped?: boolean;
}

const ENCODINGS: Readonly<Record<AudioFormat, Encoding>> = {
  m4a: { extension: 'm4a', args: ['-c:a', 'aac', '-b:a', '64k', '-f', 'mp4'] },
  mp3: { extension: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'] },
  ogg: { extension: 'ogg', args: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'] },
  webm: { extension: 'webm', args: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'webm'] },
  'webm-stream': { extension: 'webm', args: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'webm', '-live', '1'], piped: true },
  '3gp': { extension: '3gp', args: ['-ar', '8000', '-c:a', 'libopencore_amrnb', '-b:a', '12.2k', '-f', '3gp'], npmFfmpeg: true },
  wav: { extension: 'wav', args: ['-c:a', 'pcm_s16le', '-f', 'wav'] },
  flac: { extension: 'flac', args: ['-c:a', 'flac', '-f', 'flac'] },
};

/** Debian's ffmpeg when installed (faster to start, newer), else the npm static build. */
export function systemFfmpeg(): string {
  return existsSync('/usr/bin/ffmpeg') ? '/usr/bin/ffmpeg' : npmFfmpeg();
}

export function npmFfmpeg(): string {
  const requireFromCwd = createRequire(path.join(process.cwd(), 'package.json'));
  return (requireFromCwd('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

async function ffmpeg(binary: string, args: readonly string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync(binary, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

const RAW_INPUT = ['-f', 's16le', '-ar', '16000', '-ac', '1'] as const;

export interface MakeAudioOptions {
  /** 16 kHz mono s16le raw speech. @default GOFORWARD_RAW */
  readonly sourceRaw?: string;
  /** File name without extension. @default the format name */
  readonly name?: string;
  /** Extra input options placed before `-i` (e.g. `-stream_loop 5`). */
  readonly inputArgs?: readonly string[];
}

/** Encodes raw speech into `format` in `dir`; returns the file path. */
export async function makeAudio(format: AudioFormat, dir: string, options: MakeAudioOptions = {}): Promise<string> {
  const encoding = ENCODINGS[format];
  const output = path.join(dir, `${options.name ?? format}.${encoding.extension}`);
  const binary = encoding.npmFfmpeg ? npmFfmpeg() : systemFfmpeg();
  const input = [...(options.inputArgs ?? []), ...RAW_INPUT, '-i', options.sourceRaw ?? GOFORWARD_RAW];
  if (encoding.piped) {
    await writeFile(output, await ffmpeg(binary, [...input, ...encoding.args, 'pipe:1']));
  } else {
    await ffmpeg(binary, [...input, ...encoding.args, output]);
  }
  return output;
}

/** A 0-byte file. */
export async function makeEmptyFile(dir: string, name = 'empty.m4a'): Promise<string> {
  const output = path.join(dir, name);
  await writeFile(output, Buffer.alloc(0));
  return output;
}

/** A text file pretending to be audio by its name. */
export async function makeTextFile(dir: string, name = 'not-audio.m4a'): Promise<string> {
  const output = path.join(dir, name);
  await writeFile(output, 'This is a shopping list, not a voice note.\nmilk\neggs\n');
  return output;
}

/** A PNG image with a misleading name: not an audio container at all. */
export async function makeImageFile(dir: string, name = 'picture.mp3'): Promise<string> {
  const output = path.join(dir, name);
  await ffmpeg(systemFfmpeg(), ['-f', 'lavfi', '-i', 'color=c=red:s=32x32', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', output]);
  return output;
}

/**
 * An mp4 whose movie is `videoSeconds` long (a video track) around `speechSeconds` of speech (0: no audio track):
 * what a phone's screen or camera recording sends. The container's length is the video's, not the audio's.
 */
export async function makeVideoWithSpeech(dir: string, videoSeconds: number, speechSeconds: number): Promise<string> {
  const output = path.join(dir, `video-${videoSeconds}s-speech-${speechSeconds}s.mp4`);
  const speech = speechSeconds > 0 ? ['-stream_loop', '-1', ...RAW_INPUT, '-t', String(speechSeconds), '-i', GOFORWARD_RAW] : [];
  const audio = speechSeconds > 0 ? ['-map', '1:a', '-c:a', 'aac', '-b:a', '32k'] : [];
  await ffmpeg(systemFfmpeg(), [
    '-f', 'lavfi', '-i', `color=c=black:s=32x32:r=2:d=${videoSeconds}`,
    ...speech,
    '-map', '0:v', '-c:v', 'libx264', '-preset', 'ultrafast',
    ...audio,
    '-f', 'mp4', output,
  ]);
  return output;
}

/**
 * An audio-only m4a of `speechSeconds` of speech whose movie header (mvhd) announces `movieSeconds`: a padded
 * container, where only the track and the decoded samples tell the audio's length.
 */
export async function makePaddedM4a(dir: string, movieSeconds: number, speechSeconds: number): Promise<string> {
  const source = path.join(dir, `unpadded-${speechSeconds}s.m4a`);
  await ffmpeg(systemFfmpeg(), ['-stream_loop', '-1', ...RAW_INPUT, '-t', String(speechSeconds), '-i', GOFORWARD_RAW, '-c:a', 'aac', '-movflags', '+faststart', '-f', 'mp4', source]);
  const bytes = await readFile(source);
  // mvhd payload (version 0): version+flags, creation, modification, timescale, duration, all 32-bit.
  const mvhd = bytes.indexOf('mvhd', 0, 'latin1') + 4;
  if (mvhd < 4 || bytes[mvhd] !== 0) throw new Error('expected a version 0 mvhd box');
  bytes.writeUInt32BE(bytes.readUInt32BE(mvhd + 12) * movieSeconds, mvhd + 16);
  const output = path.join(dir, `padded-${movieSeconds}s-speech-${speechSeconds}s.m4a`);
  await writeFile(output, bytes);
  return output;
}

/**
 * The first `keepRatio` of an encoded file, as an interrupted upload leaves it. m4a is written with its index
 * (moov) up front (`+faststart`, as phones do), so the container still announces the full length.
 */
export async function makeTruncated(format: 'm4a' | 'mp3', dir: string, keepRatio = 0.5): Promise<string> {
  const whole =
    format === 'm4a'
      ? path.join(dir, 'whole-faststart.m4a')
      : await makeAudio('mp3', dir, { name: 'whole-for-truncation' });
  if (format === 'm4a') {
    await ffmpeg(systemFfmpeg(), [...RAW_INPUT, '-i', GOFORWARD_RAW, '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', whole]);
  }
  const bytes = await readFile(whole);
  const output = path.join(dir, `truncated.${format}`);
  await writeFile(output, bytes.subarray(0, Math.floor(bytes.length * keepRatio)));
  return output;
}

/** An m4a whose index (moov, written last by default) was cut off: the container is recognised but unreadable. */
export async function makeTruncatedWithoutIndex(dir: string): Promise<string> {
  const whole = await makeAudio('m4a', dir, { name: 'whole-moov-last' });
  const bytes = await readFile(whole);
  const output = path.join(dir, 'truncated-no-moov.m4a');
  await writeFile(output, bytes.subarray(0, Math.floor(bytes.length / 2)));
  return output;
}

/** Digital silence, encoded (a muted microphone). */
export async function makeSilence(dir: string, seconds = 3, format: 'm4a' | 'wav' = 'm4a'): Promise<string> {
  const output = path.join(dir, `silence.${format}`);
  const codec = format === 'm4a' ? ['-c:a', 'aac', '-b:a', '32k'] : ['-c:a', 'pcm_s16le'];
  await ffmpeg(systemFfmpeg(), ['-f', 'lavfi', '-i', `anullsrc=r=16000:cl=mono`, '-t', String(seconds), ...codec, output]);
  return output;
}

/** Speech looped to at least `minSeconds` (goforward is ~2.8 s). */
export async function makeLongAudio(dir: string, minSeconds: number, format: AudioFormat = 'mp3'): Promise<string> {
  const loops = Math.ceil(minSeconds / 2.7);
  return makeAudio(format, dir, { name: `long-${minSeconds}s`, inputArgs: ['-stream_loop', String(loops)] });
}

/**
 * Several raw speech files joined with `gapSeconds` of silence between them, as 16 kHz mono WAV: audio with
 * known pauses for the silence splitter and multi-chunk recognition. `totalSamples` pads the end with silence
 * to exactly that length.
 */
export async function makeSpeechWithPauses(
  dir: string,
  sources: readonly string[] = [GOFORWARD_RAW, GOFORWARD_RAW, GOFORWARD_RAW],
  gapSeconds = 1,
  name = 'speech-with-pauses',
  totalSamples?: number,
): Promise<string> {
  const gap = Buffer.alloc(Math.round(gapSeconds * 16000) * 2);
  const parts: Buffer[] = [];
  for (const [index, source] of sources.entries()) {
    if (index > 0) parts.push(gap);
    parts.push(await readFile(source));
  }
  const speech = Buffer.concat(parts);
  const raw = path.join(dir, `${name}.raw`);
  if (totalSamples !== undefined && totalSamples * 2 < speech.length) throw new RangeError(`${name}: the speech is longer than ${totalSamples} samples`);
  await writeFile(raw, totalSamples === undefined ? speech : Buffer.concat([speech, Buffer.alloc(totalSamples * 2 - speech.length)]));
  const output = path.join(dir, `${name}.wav`);
  await ffmpeg(systemFfmpeg(), [...RAW_INPUT, '-i', raw, '-c:a', 'pcm_s16le', output]);
  return output;
}
