import { describe, expect, it } from 'vitest';
import {
  COST_COMPONENTS,
  DEFAULT_USAGE,
  billedTranscribeSeconds,
  costOfOneNote,
  estimateCost,
  fastPathRecognitionSeconds,
  notesStreamingAtOnce,
  recognitionPathFor,
} from '../../../bench/cost/cost-model';
import { US_EAST_1_PRICES as prices } from '../../../bench/cost/prices';
import { TIERS } from '../../../lib/config/tiers';

describe('cost model', () => {
  it('sends notes up to the tier fast-path ceiling down the fast path, longer ones to batch', () => {
    expect(recognitionPathFor('free', TIERS.free.fastPathMaxSeconds)).toBe('fast');
    expect(recognitionPathFor('free', TIERS.free.fastPathMaxSeconds + 1)).toBe('batch');
    expect(recognitionPathFor('premium', TIERS.premium.fastPathMaxSeconds + 1)).toBe('batch');
  });

  it('bills every streamed chunk at least the 15 s minimum', () => {
    // 30 s in 6 s chunks = 5 streams × 15 s minimum.
    expect(billedTranscribeSeconds('fast', 30, 6, prices)).toBe(75);
    // 15 s chunks do not pay the minimum twice.
    expect(billedTranscribeSeconds('fast', 30, 15, prices)).toBe(30);
    expect(billedTranscribeSeconds('batch', 30, 6, prices)).toBe(30);
    expect(billedTranscribeSeconds('batch', 5, 6, prices)).toBe(15);
  });

  it('bills a note that fits one chunk as one stream, like a batch job', () => {
    // Up to 1.5 targets the splitter does not cut.
    expect(billedTranscribeSeconds('fast', 9, 6, prices)).toBe(15);
    expect(billedTranscribeSeconds('fast', 10, 6, prices)).toBe(30);
  });

  it('times paced streams: the longest chunk plus prepare, setup and finalisation, worse when pauses stretch a chunk', () => {
    const around = DEFAULT_USAGE.streaming.prepareSeconds + DEFAULT_USAGE.streaming.streamSetupSeconds + DEFAULT_USAGE.streaming.finalisationSeconds;
    expect(fastPathRecognitionSeconds(30, 6)).toEqual({ best: around + 6, worst: around + 9 });
    // One stream: the whole note, paced.
    expect(fastPathRecognitionSeconds(9, 6)).toEqual({ best: around + 9, worst: around + 9 });
    // A remainder under half a target joins the last chunk: 4 s chunks do not make a 30 s note faster than 6 s ones.
    expect(fastPathRecognitionSeconds(30, 4).best).toBe(around + 6);
  });

  it('counts the notes the stage’s stream bound lets stream at once', () => {
    expect(notesStreamingAtOnce(30, 6, 12)).toBe(2);
    expect(notesStreamingAtOnce(30, 3, 12)).toBe(1);
    expect(notesStreamingAtOnce(9, 6, 12)).toBe(12);
  });

  it('prices Transcribe and Translate of a fresh 30 s batch note from the list prices', () => {
    const c = costOfOneNote('batch', 'basic', 30, prices);
    expect(c.transcribe).toBeCloseTo((30 / 60) * 0.024, 10);
    expect(c.translate).toBeCloseTo(((30 * DEFAULT_USAGE.charsPerSpeechSecond) / 1e6) * 15, 10);
  });

  it('charges no engine on a cache hit and less in total', () => {
    const hit = costOfOneNote('cache-hit', 'free', 30, prices);
    const fresh = costOfOneNote('fast', 'free', 30, prices);
    expect(hit.transcribe).toBe(0);
    expect(hit.translate).toBe(0);
    const total = (c: typeof hit) => COST_COMPONENTS.reduce((s, k) => s + c[k], 0);
    expect(total(hit)).toBeLessThan(total(fresh) / 5);
  });

  it('blends fresh and cached notes linearly by the hit ratio and scales with the note count', () => {
    const at = (cacheHitRatio: number) => estimateCost({ tier: 'basic', noteSeconds: 30, cacheHitRatio, notes: 1000 }, prices);
    const fresh = at(0);
    const allHit = at(1);
    expect(at(0.3).total).toBeCloseTo(0.7 * fresh.total + 0.3 * allHit.total, 10);
    expect(fresh.total).toBeCloseTo(
      1000 * COST_COMPONENTS.reduce((s, k) => s + costOfOneNote('fast', 'basic', 30, prices)[k], 0),
      10,
    );
  });

  it('charges longer history retention to the premium tier', () => {
    const free = estimateCost({ tier: 'free', noteSeconds: 30, cacheHitRatio: 0, notes: 1000 }, prices);
    const premium = estimateCost({ tier: 'premium', noteSeconds: 30, cacheHitRatio: 0, notes: 1000 }, prices);
    expect(premium.components.dynamoDb).toBeGreaterThan(free.components.dynamoDb);
  });

  it('rejects impossible scenarios', () => {
    expect(() => estimateCost({ tier: 'free', noteSeconds: 30, cacheHitRatio: 1.5, notes: 1 }, prices)).toThrow(RangeError);
    expect(() => estimateCost({ tier: 'free', noteSeconds: 0, cacheHitRatio: 0, notes: 1 }, prices)).toThrow(RangeError);
  });
});
