import { describe, expect, it } from 'vitest';
import { planChunks } from '../../../functions/audio/silence-plan';
import { countedNoteSeconds, fastPathStreams } from '../../../lib/config/limits';

describe('planChunks', () => {
  it.each([
    { name: 'short audio stays whole', duration: 8, target: 6, pauses: [], expected: [[0, 8]] },
    { name: 'no pause: hard cuts at the target', duration: 20, target: 6, pauses: [], expected: [[0, 6], [6, 12], [12, 20]] },
    {
      name: 'cuts in the middle of the pause nearest the target',
      duration: 14,
      target: 6,
      pauses: [{ start: 4, end: 4.4 }, { start: 6.8, end: 7.2 }, { start: 10, end: 10.5 }],
      expected: [[0, 7], [7, 14]],
    },
    {
      name: 'ignores pauses out of reach (before half a target)',
      duration: 13,
      target: 6,
      pauses: [{ start: 1, end: 1.5 }],
      expected: [[0, 6], [6, 13]],
    },
    { name: 'leading and trailing silence are not cut points', duration: 10, target: 6, pauses: [{ start: 0, end: 0 }, { start: 9.5, end: 10 }], expected: [[0, 6], [6, 10]] },
  ])('$name', ({ duration, target, pauses, expected }) => {
    expect(planChunks(duration, target, pauses).map((r) => [r.start, r.end])).toEqual(expected);
  });

  it('always covers the audio contiguously with chunks no longer than 1.5 targets (randomised)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 200; run++) {
      const duration = 0.1 + random() * 120;
      const target = 1 + random() * 10;
      const pauses = Array.from({ length: Math.floor(random() * 20) }, () => {
        const start = random() * duration;
        return { start, end: Math.min(duration, start + random()) };
      });

      const plan = planChunks(duration, target, pauses);

      expect(plan[0]?.start).toBe(0);
      expect(plan.at(-1)?.end).toBe(duration);
      for (const [i, range] of plan.entries()) {
        expect(range.end).toBeGreaterThan(range.start);
        expect(range.end - range.start).toBeLessThanOrEqual(target * 1.5 + 1e-9);
        if (i > 0) expect(range.start).toBe(plan[i - 1]?.end);
      }
      expect(plan.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(duration / target)));
    }
  });

  it('never plans more chunks than ceil(duration / target), even when pauses come early', () => {
    // A pause every 4.6 s: cutting at the pause nearest each 6 s mark would give 7 chunks for 30 s.
    const pauses = Array.from({ length: 6 }, (_, i) => ({ start: 4.4 + i * 4.6, end: 4.8 + i * 4.6 }));

    const plan = planChunks(30, 6, pauses);

    expect(plan.length).toBeLessThanOrEqual(5);
  });

  it('plans no more chunks for a note counted as 30 s, a few samples over, than for one of exactly 30 s', () => {
    // ShortNote? sends it to the fast path (its length counts in whole milliseconds), where the lease holds
    // fastPathStreams(30) streams for it; a pause every 5 s pulls each cut before the 6 s mark.
    const pauses = Array.from({ length: 5 }, (_, i) => ({ start: 2.8 + i * 5, end: 5 + i * 5 }));
    const duration = 30 + 3 / 16_000;

    const plan = planChunks(duration, 6, pauses);

    expect(countedNoteSeconds(duration)).toBe(30);
    expect(plan.length).toBeLessThanOrEqual(fastPathStreams(30, 6));
    expect(plan.at(-1)?.end).toBe(duration);
  });

  it('rejects a non-positive target', () => {
    expect(() => planChunks(10, 0, [])).toThrow(RangeError);
  });
});
