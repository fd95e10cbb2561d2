/**
 * Reads ffmpeg's log (stderr, `-loglevel level+info`). The probe is ffmpeg's own description of its input, so the
 * verdict comes from the very build that decodes; these formats have been stable across ffmpeg 4 to 7.
 */

export interface LogLine {
  /** The component that logged it (`mov,mp4,m4a,3gp,3g2,mj2`, `aac`, `Parsed_volumedetect_2`), if any. */
  readonly context?: string;
  readonly level?: string;
  readonly text: string;
}

const LINE = /^(?:\[(.+?) @ 0x[0-9a-f]+\] )?(?:\[(trace|debug|verbose|info|warning|error|fatal|panic)\] )?(.*)$/;

export function parseLog(stderr: string): LogLine[] {
  return stderr.split('\n').map((line) => {
    const [, context, level, text = ''] = LINE.exec(line) ?? [];
    return { ...(context ? { context } : {}), ...(level ? { level } : {}), text };
  });
}

export interface InputStream {
  readonly index: number;
  readonly type: string;
  /** `aac (LC) (mp4a / 0x6134706D), 16000 Hz, mono, fltp, 63 kb/s (default)` */
  readonly description: string;
}

export interface InputDescription {
  /** The demuxer that opened the input, as ffmpeg names it (`mov,mp4,m4a,3gp,3g2,mj2`, `mp3`). */
  readonly demuxer: string;
  /** The container's `Duration:`, when it states one. */
  readonly durationSeconds?: number;
  readonly streams: readonly InputStream[];
}

const INPUT = /^Input #0, (.+), from '/;
const DURATION = /^\s*Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;
const STREAM = /^\s*Stream #0:(\d+)\S*: (\w+): (.*)$/;

/** ffmpeg's dump of input #0 (`ffmpeg -i …`), or undefined when it could not open it. */
export function describeInput(lines: readonly LogLine[]): InputDescription | undefined {
  const start = lines.findIndex((line) => INPUT.test(line.text));
  if (start < 0) return undefined;
  const demuxer = INPUT.exec(lines[start]!.text)![1]!;
  let durationSeconds: number | undefined;
  const streams: InputStream[] = [];
  for (const { text } of lines.slice(start + 1)) {
    if (/^(Input|Output) #/.test(text) || /^Stream mapping:/.test(text)) break;
    const duration = DURATION.exec(text);
    if (duration) {
      const seconds = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
      if (seconds > 0) durationSeconds = seconds;
    }
    const stream = STREAM.exec(text);
    if (stream) streams.push({ index: Number(stream[1]), type: stream[2]!, description: stream[3]! });
  }
  return { demuxer, ...(durationSeconds === undefined ? {} : { durationSeconds }), streams };
}

/** A cover picture (`(attached pic)`) is part of the tags, not a stream with a length of its own. */
export function isAttachedPicture(stream: InputStream): boolean {
  return stream.type === 'Video' && stream.description.includes('(attached pic)');
}

export interface AudioStreamFacts {
  readonly codec: string;
  readonly sampleRateHz: number;
  /** `mono`, `stereo`, `5.1`, `3 channels`… */
  readonly channelLayout: string;
}

export function audioStreamFacts(stream: InputStream): AudioStreamFacts {
  const codec = stream.description.split(/[ ,]/)[0] || 'unknown';
  const rate = /(\d+) Hz, ([^,]+)/.exec(stream.description);
  return { codec, sampleRateHz: Number(rate?.[1] ?? 0), channelLayout: rate?.[2]?.trim() ?? 'unknown' };
}

/** Errors the demuxer itself logged: the container is inconsistent with its data (truncated, damaged index). */
export function containerErrors(lines: readonly LogLine[], demuxer: string): string[] {
  return lines.filter((line) => line.context === demuxer && (line.level === 'error' || line.level === 'fatal')).map((line) => line.text);
}

/** volumedetect prints nothing without samples: that is as silent as it gets. */
export function meanVolumeDb(lines: readonly LogLine[]): number {
  for (const { text } of lines) {
    const match = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(text);
    if (match) return match[1] === '-inf' ? Number.NEGATIVE_INFINITY : Number(match[1]);
  }
  return Number.NEGATIVE_INFINITY;
}

/** The last error ffmpeg logged, for messages; the last line when nothing was logged as an error. */
export function lastError(lines: readonly LogLine[]): string {
  const meaningful = lines.filter((line) => line.text.trim() !== '');
  const errors = meaningful.filter((line) => line.level === 'error' || line.level === 'fatal');
  return (errors.at(-1) ?? meaningful.at(-1))?.text.trim() ?? '';
}
