import { describe, expect, it } from 'vitest';
import { phasesFrom } from '../../../smoke/stage-phases';

describe('phasesFrom', () => {
  it('times each stage from its pushed status to the next', () => {
    const phases = phasesFrom(1000, [
      { status: 'awaiting_upload', at: 900 },
      { status: 'queued', at: 1010 },
      { status: 'normalizing', at: 1100 },
      { status: 'transcribing', at: 1500 },
      { status: 'translating', at: 4500 },
      { status: 'completed', at: 4700 },
    ]);

    expect(phases).toEqual({ intake: 100, normalize: 400, transcribe: 3000, translate: 200 });
  });

  it('gives a status never seen 0, its time going to the stage observed next', () => {
    const phases = phasesFrom(0, [
      { status: 'normalizing', at: 100 },
      { status: 'translating', at: 4500 },
      { status: 'completed', at: 4700 },
    ]);

    expect(phases).toEqual({ intake: 100, normalize: 0, transcribe: 4400, translate: 200 });
  });
});
