import { describe, expect, it } from 'vitest';
import { PIPELINE } from '../../../lib/config/limits';

describe('pipeline limits', () => {
  it('keep a batch transcription’s task token findable for as long as its execution can run', () => {
    expect(PIPELINE.transcriptionCallbackTtlSeconds).toBeGreaterThan(PIPELINE.executionTimeoutSeconds);
    expect(PIPELINE.executionTimeoutSeconds).toBeGreaterThan(PIPELINE.transcribeCallbackTimeoutSeconds);
  });
});
