import './workflow-env';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { transcriptionJobName } from '../../lib/config/limits';
import { transcribeJobStateChange } from '../../local/engines/transcribe-job-events';
import { PocketsphinxRecognizer } from '../../local/engines/pocketsphinx-recognizer';
import { TIERS } from '../../lib/config/tiers';
import { GOFORWARD_TEXT, makeLongAudio } from '../helpers/audio-fixtures';
import { STAGE, TEST_TIMING, WorkflowHarness } from './workflow-harness';

/** Longer than the free tier's fast path: these notes take the batch (Transcribe job) path. */
const BATCH_SECONDS = TIERS.free.fastPathMaxSeconds + 3;

describe('pipeline state machine: batch transcription with a task token', () => {
  let harness: WorkflowHarness;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vnt-wf-batch-'));
    harness = await WorkflowHarness.start();
  });
  afterAll(async () => {
    expect(await harness.jobsLeftInFlight()).toEqual([]);
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('completes a long note when the Transcribe event completes the waiting task', async () => {
    const note = await makeLongAudio(dir, BATCH_SECONDS, 'mp3');

    const run = await harness.runNote(note, { targetLanguage: 'es', subscribe: true });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.path).toEqual([
      'NormalizeAudio',
      'CachedResult?',
      'ShortNote?',
      'TranscribeBatch',
      'TranslateTranscript',
      'CompleteJob',
      'Completed',
    ]);
    expect(run.job.durationSeconds).toBeGreaterThan(TIERS.free.fastPathMaxSeconds);
    expect(run.job.result?.transcript).toContain(GOFORWARD_TEXT);
    expect(run.job.result).toMatchObject({ detectedLanguage: 'en', cached: false });
    expect(run.progress.map((m) => m.status)).toEqual(['queued', 'normalizing', 'transcribing', 'translating', 'completed']);
    console.info(`batch path (${run.job.durationSeconds} s of audio): ${run.elapsedMs} ms`, run.job.timings);
  }, 180_000);

  it('the Transcribe rule forwards this stage’s job events only, not another stage’s in the same account', () => {
    const stateChange = (name: string) => transcribeJobStateChange(name, 'COMPLETED');

    expect(harness.routesTranscribeEvent(stateChange(transcriptionJobName(STAGE, 'job-1')))).toBe(true);
    expect(harness.routesTranscribeEvent(stateChange(transcriptionJobName('prod', 'job-1')))).toBe(false);
    expect(harness.routesTranscribeEvent(stateChange('someone-elses-job'))).toBe(false);
  });

  it('falls back to polling the engine when the Transcribe event is lost', async () => {
    // Callback timeout of 1 s; polls back off from 0.5 s to 3 s (the definition's values × 0.05).
    harness.useTiming({ intervalScale: 0.05, stateTimeoutSeconds: { TranscribeBatch: 1 } });
    harness.deliverTranscribeEvents = false;
    try {
      const note = await makeLongAudio(dir, BATCH_SECONDS, 'ogg');

      const run = await harness.runNote(note, { targetLanguage: 'es' });

      expect(run.execution.status).toBe('SUCCEEDED');
      expect(run.path).toEqual([
        'NormalizeAudio',
        'CachedResult?',
        'ShortNote?',
        'TranscribeBatch',
        'FetchTranscription',
        'TranslateTranscript',
        'CompleteJob',
        'Completed',
      ]);
      const history = harness.stateMachine.history(run.execution.executionArn);
      expect(history).toContainEqual(expect.objectContaining({ type: 'StateFailed', stateName: 'TranscribeBatch', error: 'States.Timeout' }));
      expect(run.job.result?.transcript).toContain(GOFORWARD_TEXT);
      console.info(`lost event → polling: ${harness.retries(run.execution.executionArn).length} polls pending, ${run.elapsedMs} ms`);
    } finally {
      harness.deliverTranscribeEvents = true;
      harness.useTiming(TEST_TIMING);
    }
  }, 180_000);

  it('TRANSCRIPTION_FAILED: a failed engine job fails the waiting task and the job', async () => {
    vi.spyOn(PocketsphinxRecognizer.prototype, 'recognize').mockRejectedValue(new Error('pocketsphinx exited with code 1'));
    const note = await makeLongAudio(dir, BATCH_SECONDS, 'flac');

    const run = await harness.runNote(note, { targetLanguage: 'es' });

    expect(run.job.status).toBe('failed');
    expect(run.job.error?.code).toBe('TRANSCRIPTION_FAILED');
    expect(run.execution).toMatchObject({ status: 'FAILED', error: 'TRANSCRIPTION_FAILED' });
    expect(run.path.slice(-3)).toEqual(['TranscribeBatch', 'MarkFailed', 'PipelineFailed']);
  }, 180_000);
});
