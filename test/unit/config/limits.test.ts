import { describe, expect, it } from 'vitest';
import { countedNoteSeconds, fastPathStreams, PIPELINE, TRANSCRIBE_STREAMING } from '../../../lib/config/limits';
import { TIER_NAMES, TIERS } from '../../../lib/config/tiers';

describe('pipeline limits', () => {
  it('keep a batch transcription’s task token findable for as long as its execution can run', () => {
    expect(PIPELINE.transcriptionCallbackTtlSeconds).toBeGreaterThan(PIPELINE.executionTimeoutSeconds);
    expect(PIPELINE.executionTimeoutSeconds).toBeGreaterThan(PIPELINE.transcribeCallbackTimeoutSeconds);
  });
});

describe('a note’s counted length', () => {
  it('is its length in whole milliseconds, rounded down, exact for sample counts binary floating point rounds', () => {
    const seconds = (samples: number) => (samples * 2) / 32_000; // how the WAV layout gives it
    expect(countedNoteSeconds(seconds(30 * 16_000 + 3))).toBe(30);
    expect(countedNoteSeconds(seconds(16_016))).toBe(1.001); // 1000.9999… ms in binary
    expect(countedNoteSeconds(seconds(16_015))).toBe(1);
  });

  it('bounds the fast path’s streams: a few samples past the tier’s maximum need no extra stream', () => {
    for (const tier of TIER_NAMES) {
      const max = TIERS[tier].fastPathMaxSeconds;
      expect(fastPathStreams(max + 0.0009), tier).toBe(fastPathStreams(max));
    }
  });
});

describe('Transcribe streaming limits', () => {
  it('let at least two of every tier’s longest fast-path notes stream at once', () => {
    for (const tier of TIER_NAMES) {
      expect(2 * fastPathStreams(TIERS[tier].fastPathMaxSeconds), tier).toBeLessThanOrEqual(TRANSCRIBE_STREAMING.maxStreamsPerStage);
    }
  });

  it('keep two stages sharing an account within AWS’s default concurrent-stream quota', () => {
    expect(2 * TRANSCRIBE_STREAMING.maxStreamsPerStage).toBeLessThanOrEqual(TRANSCRIBE_STREAMING.defaultAccountQuota);
  });

  it('send each stream’s audio in events of at most the 1 s AWS accepts', () => {
    expect(TRANSCRIBE_STREAMING.audioEventMs).toBeGreaterThan(0);
    expect(TRANSCRIBE_STREAMING.audioEventMs).toBeLessThanOrEqual(1_000);
  });
});
