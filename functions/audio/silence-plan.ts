import { fastPathStreams } from '../../lib/config/limits';

/** A span of audio in seconds. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Plans chunk boundaries of about `targetSeconds`: each cut goes in the middle of the pause nearest the target
 * length (within half a target either side), so no word is cut; with no pause in reach it hard-cuts at the
 * target. The last chunk absorbs a remainder shorter than half a target rather than leave a sliver.
 * Never more than ceil(duration / target) chunks: each chunk is a separate recognition request, and
 * streaming Transcribe bills a minimum per request, so early pauses must not multiply the chunks.
 * Pure: the ffmpeg adapter supplies the pauses.
 */
export function planChunks(durationSeconds: number, targetSeconds: number, pauses: readonly TimeRange[]): TimeRange[] {
  if (!(targetSeconds > 0)) throw new RangeError('targetSeconds must be positive');
  const longest = targetSeconds * 1.5;
  const maxChunks = fastPathStreams(durationSeconds, targetSeconds);
  const cutCandidates = pauses
    .map((pause) => (pause.start + pause.end) / 2)
    .filter((cut) => cut > 0 && cut < durationSeconds)
    .sort((a, b) => a - b);
  const ranges: TimeRange[] = [];
  let start = 0;
  while (durationSeconds - start > longest) {
    const chunksLeftAfterThis = maxChunks - ranges.length - 1;
    // Cut late enough that the rest still fits in the chunks left, each at most 1.5 targets long.
    const earliest = Math.max(start + targetSeconds / 2, durationSeconds - chunksLeftAfterThis * longest);
    const latest = start + longest;
    const ideal = Math.max(start + targetSeconds, earliest);
    const inReach = cutCandidates.filter((cut) => cut >= earliest && cut <= latest);
    const cut = inReach.reduce<number | undefined>(
      (best, candidate) => (best === undefined || Math.abs(candidate - ideal) < Math.abs(best - ideal) ? candidate : best),
      undefined,
    ) ?? ideal;
    ranges.push({ start, end: cut });
    start = cut;
  }
  ranges.push({ start, end: durationSeconds });
  return ranges;
}
