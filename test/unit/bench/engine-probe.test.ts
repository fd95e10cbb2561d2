import { describe, expect, it } from 'vitest';
import { coveredMs, parseEngineLog } from '../../../bench/lib/engine-probe';

describe('engine probe', () => {
  it('parses wrapper log lines into epoch-millisecond intervals', () => {
    const log = 'pocketsphinx_continuous 1700000000.250000 1700000001.000000\napertium 1700000002,5 1700000002,75\ngarbage\n';
    expect(parseEngineLog(log)).toEqual([
      { engine: 'pocketsphinx_continuous', start: 1_700_000_000_250, end: 1_700_000_001_000 },
      { engine: 'apertium', start: 1_700_000_002_500, end: 1_700_000_002_750 },
    ]);
  });

  it('counts overlapping runs once and clips to the window', () => {
    const e = (start: number, end: number) => ({ engine: 'x', start, end });
    // Two chunks in parallel (0–100, 50–150), one later (200–300), one outside the window.
    const intervals = [e(0, 100), e(50, 150), e(200, 300), e(900, 1000)];
    expect(coveredMs(intervals, 0, 500)).toBe(250);
    expect(coveredMs(intervals, 120, 250)).toBe(30 + 50);
    expect(coveredMs([], 0, 10)).toBe(0);
  });
});
