import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runProcess } from '../../functions/audio/run-process';
import { npmFfmpeg, POCKETSPHINX_TESTDATA as TESTDATA } from '../../test/helpers/audio-fixtures';

/**
 * Benchmark voice notes made from real recorded speech (pocketsphinx-testdata): the LibriVox clips and
 * "go forward ten meters", concatenated and looped to the wanted length, then encoded the way phones and
 * browsers record (sample rates above 16 kHz, so the normaliser really resamples). Files are cached in the
 * OS temp dir by a hash of their recipe: reruns skip the encoding.
 */

export interface NoteFormat {
  /** Short label used in the report: container/codec. */
  readonly label: string;
  /** Also what the content type is declared by (lib/config/audio-types.ts). */
  readonly extension: string;
  /** Encoder arguments applied to 16 kHz mono speech. */
  readonly encode: readonly string[];
}

/** What phones, browsers and messengers produce. */
export const NOTE_FORMATS: readonly NoteFormat[] = [
  { label: 'm4a/aac', extension: 'm4a', encode: ['-ar', '44100', '-c:a', 'aac', '-b:a', '64k', '-f', 'ipod'] },
  { label: 'mp3', extension: 'mp3', encode: ['-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'] },
  { label: 'ogg/opus', extension: 'ogg', encode: ['-ar', '48000', '-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', '-f', 'ogg'] },
  { label: 'webm/opus', extension: 'webm', encode: ['-ar', '48000', '-c:a', 'libopus', '-b:a', '32k', '-f', 'webm'] },
  { label: '3gp/amr', extension: '3gp', encode: ['-ar', '8000', '-c:a', 'libopencore_amrnb', '-b:a', '12.2k', '-f', '3gp'] },
  { label: 'wav', extension: 'wav', encode: ['-ar', '48000', '-c:a', 'pcm_s16le', '-f', 'wav'] },
  { label: 'flac', extension: 'flac', encode: ['-ar', '44100', '-c:a', 'flac', '-f', 'flac'] },
];

export function formatByLabel(label: string): NoteFormat {
  const format = NOTE_FORMATS.find((f) => f.label === label);
  if (!format) throw new Error(`unknown note format ${label}`);
  return format;
}

/** The encoder: the npm static build, which (unlike Debian's) can write AMR-NB. */
const ffmpeg = npmFfmpeg;

async function ffmpegOrThrow(args: readonly string[]): Promise<void> {
  const result = await runProcess(ffmpeg(), ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
  if (result.exitCode !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${result.stderr.trim()}`);
}

export function fixtureDir(): string {
  return path.join(tmpdir(), 'vnt-bench-fixtures');
}

/** Writes a file through a temp name so a killed run never leaves a truncated fixture behind. */
async function produce(target: string, make: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(target)) return target;
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.partial${path.extname(target)}`;
  await make(tmp);
  await rename(tmp, target);
  return target;
}

/** ~27 s of distinct real speech (16 kHz mono WAV): the LibriVox sentences then "go forward ten meters". */
export async function speechSource(): Promise<string> {
  const librivox = (await readdir(path.join(TESTDATA, 'librivox')))
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => path.join(TESTDATA, 'librivox', f));
  const inputs = [...librivox.flatMap((f) => ['-i', f]), '-f', 's16le', '-ar', '16000', '-ac', '1', '-i', path.join(TESTDATA, 'goforward.raw')];
  const n = librivox.length + 1;
  const concat = `${Array.from({ length: n }, (_, i) => `[${i}:a]`).join('')}concat=n=${n}:v=0:a=1[out]`;
  return produce(path.join(fixtureDir(), 'speech-source.wav'), (tmp) =>
    ffmpegOrThrow([...inputs, '-filter_complex', concat, '-map', '[out]', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', '-f', 'wav', tmp]),
  );
}

/** A note of exactly `seconds` of looped real speech in `format`; cached by recipe. */
export async function makeNote(format: NoteFormat, seconds: number, variant = 0): Promise<string> {
  const source = await speechSource();
  const recipe = createHash('sha256').update(JSON.stringify({ v: 3, seconds, variant, encode: format.encode })).digest('hex').slice(0, 12);
  const target = path.join(fixtureDir(), `note-${seconds}s-v${variant}-${recipe}.${format.extension}`);
  // A variant starts the loop elsewhere in the speech, so its PCM hash and mostly its words differ (a cache
  // miss for both the audio and the text cache); 250 variants before an offset repeats. The offset is an output
  // option: this ffmpeg, seeking in a -stream_loop input, wrote more audio than -t once the loop wrapped
  // (v2's "30 s" notes decoded to 32–42 s, past the fast path's 30 s), so it decodes and drops the offset.
  const offset = variant === 0 ? [] : ['-ss', ((variant * 2.3) % 25).toFixed(3)];
  return produce(target, (tmp) =>
    ffmpegOrThrow(['-stream_loop', '-1', '-i', source, ...offset, '-t', String(seconds), '-ac', '1', ...format.encode, tmp]),
  );
}
