import './workflow-env';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RetryableError } from '../../functions/shared/errors';
import { LocalBatchSpeechToText } from '../../local/engines/local-batch-speech-to-text';
import { LocalChunkSpeechToText } from '../../local/engines/local-chunk-speech-to-text';
import { ApertiumTranslator } from '../../local/engines/apertium-translator';
import { fastPathStreams } from '../../lib/config/limits';
import { TIERS } from '../../lib/config/tiers';
import { GOFORWARD_RAW, GOFORWARD_TEXT, makeAudio, makeSpeechWithPauses, makeVideoWithSpeech } from '../helpers/audio-fixtures';
import { WorkflowHarness } from './workflow-harness';

const FAST_PATH = [
  'NormalizeAudio',
  'CachedResult?',
  'ShortNote?',
  'FastTranscribe',
  'StreamsGranted?',
  'StreamedTranscript',
  'TranslateTranscript',
  'CompleteJob',
  'Completed',
];

/** A short note whose streams were not to be had: transcribed by a batch job instead. */
const BATCH_FALLBACK = [
  'NormalizeAudio',
  'CachedResult?',
  'ShortNote?',
  'FastTranscribe',
  'StreamsGranted?',
  'TranscribeBatch',
  'TranslateTranscript',
  'CompleteJob',
  'Completed',
];

describe('pipeline state machine: short notes (synthesised ASL, real handlers, local engines)', () => {
  let harness: WorkflowHarness;
  let dir: string;
  let wav: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vnt-wf-fast-'));
    wav = await makeAudio('wav', dir);
    harness = await WorkflowHarness.start();
  });
  afterAll(async () => {
    expect(await harness.jobsLeftInFlight()).toEqual([]);
    expect(await harness.transcribeStreamsInFlight()).toBe(0);
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('transcribes and translates a short note on the fast path, pushing every status change', async () => {
    const run = await harness.runNote(wav, { targetLanguage: 'es', subscribe: true });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(FAST_PATH);
    expect(run.job.status).toBe('completed');
    expect(run.job.result).toEqual({
      transcript: GOFORWARD_TEXT,
      detectedLanguage: 'en',
      translation: expect.stringMatching(/diez metros/i),
      cached: false,
    });
    expect(run.job).toMatchObject({ sourceLanguage: 'en', audioHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(run.job.durationSeconds).toBeCloseTo(2.9, 0);
    expect(await harness.workObjectExists(`normalized/${run.job.jobId}.wav`)).toBe(true);
    expect(run.job.timings).toEqual({
      normalize: expect.any(Number),
      transcribe: expect.any(Number),
      translate: expect.any(Number),
      total: expect.any(Number),
    });
    expect(run.progress.map((m) => m.status)).toEqual(['queued', 'normalizing', 'transcribing', 'translating', 'completed']);
    expect(run.progress.at(-1)).toMatchObject({ type: 'job', progress: 100, result: run.job.result });
    console.info(`fast path: ${run.elapsedMs} ms end to end`, run.job.timings);
  }, 120_000);

  it('sends a short note to the batch path when the stage’s Transcribe streams are all taken', async () => {
    const ogg = await makeAudio('ogg', dir); // other bytes, other PCM hash: not a cache hit
    const busy = await harness.takeAllTranscribeStreams();
    const chunkSpy = vi.spyOn(LocalChunkSpeechToText.prototype, 'transcribeChunk');

    const run = await harness.runNote(ogg, { targetLanguage: 'es', subscribe: true });
    await busy.release();

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(BATCH_FALLBACK);
    expect(chunkSpy).not.toHaveBeenCalled();
    expect(run.job.result).toMatchObject({ transcript: GOFORWARD_TEXT, detectedLanguage: 'en', cached: false });
    // The note enters `transcribing` once, on the path that transcribes it.
    expect(run.progress.map((m) => m.status)).toEqual(['queued', 'normalizing', 'transcribing', 'translating', 'completed']);
    expect(await harness.transcribeStreamsInFlight()).toBe(0);
  }, 120_000);

  it('answers an identical second note from the audio-result cache without calling any engine', async () => {
    const engineCalls = [
      vi.spyOn(LocalChunkSpeechToText.prototype, 'transcribeChunk'),
      vi.spyOn(LocalBatchSpeechToText.prototype, 'start'),
      vi.spyOn(ApertiumTranslator.prototype, 'translate'),
    ];

    const run = await harness.runNote(wav, { targetLanguage: 'es', subscribe: true });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(['NormalizeAudio', 'CachedResult?', 'CompletedFromCache']);
    expect(run.job.result).toMatchObject({ transcript: GOFORWARD_TEXT, detectedLanguage: 'en', cached: true });
    expect(run.job.timings).toEqual({ normalize: expect.any(Number), total: expect.any(Number) });
    for (const spy of engineCalls) expect(spy).not.toHaveBeenCalled();
    // Normalize found the hit before uploading: no WAV was stored for this job.
    expect(await harness.workObjectExists(`normalized/${run.job.jobId}.wav`)).toBe(false);
    expect(run.progress.map((m) => m.status)).toEqual(['queued', 'normalizing', 'completed']);
    console.info(`cache hit: ${run.elapsedMs} ms end to end`);
  }, 120_000);

  it('starts one execution for duplicate notifications of the same upload', async () => {
    const job = await harness.createJob({ targetLanguage: 'es' });
    const [record] = await harness.upload(job, wav);

    // S3 delivers at least once: the same record twice in one batch, then once more after the run.
    const first = await harness.deliverToStarter([record!, record!]);
    await harness.waitForExecution(job.jobId);
    const late = await harness.deliverToStarter([record!]);

    expect(first).toEqual({ batchItemFailures: [] });
    expect(late).toEqual({ batchItemFailures: [] });
    expect(harness.executionsOf(job.jobId)).toHaveLength(1);
    expect((await harness.terminalJob(job.jobId)).status).toBe('completed');
  }, 120_000);

  it('sends a short note to the batch path when the engine throttles its streams', async () => {
    const mp3 = await makeAudio('mp3', dir); // other bytes, other PCM hash: not a cache hit
    vi.spyOn(LocalChunkSpeechToText.prototype, 'transcribeChunk').mockRejectedValueOnce(
      new RetryableError('ENGINE_THROTTLED', 'Rate exceeded'),
    );

    const run = await harness.runNote(mp3, { targetLanguage: 'es' });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(BATCH_FALLBACK);
    expect(run.job.result).toMatchObject({ transcript: GOFORWARD_TEXT, cached: false });
    expect(await harness.transcribeStreamsInFlight()).toBe(0);
  }, 120_000);

  it('retries a throttled translator with backoff, then succeeds', async () => {
    // Other bytes and a target no other note asks for: neither audio nor text is in a cache yet.
    const m4a = await makeAudio('m4a', dir);
    vi.spyOn(ApertiumTranslator.prototype, 'translate').mockRejectedValueOnce(new RetryableError('ENGINE_THROTTLED', 'Rate exceeded'));

    const run = await harness.runNote(m4a, { targetLanguage: 'ca' });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(harness.retries(run.execution.executionArn)).toEqual(['TranslateTranscript']);
    expect(run.path).toEqual(FAST_PATH);
    expect(run.job.result).toMatchObject({ transcript: GOFORWARD_TEXT, cached: false });
  }, 120_000);

  it('keeps a note of the fast path’s full length, a few encoder samples over, on the fast path within the lease', async () => {
    // 30 s and 3 samples (what an AAC encoder's padding adds), ~2.8 s of speech every 5 s: cuts in the pauses
    // nearest each 6 s mark would make 6 chunks, one more than the lease holds for a note of exactly 30 s.
    const maxSeconds = TIERS.free.fastPathMaxSeconds;
    const speech = Array.from({ length: maxSeconds / 5 }, () => GOFORWARD_RAW);
    const wav = await makeSpeechWithPauses(dir, speech, 2.2, 'full-length', maxSeconds * 16_000 + 3);
    // The path and the chunks are under test, not the recogniser: 30 s of pocketsphinx would only add CPU.
    const chunkSpy = vi.spyOn(LocalChunkSpeechToText.prototype, 'transcribeChunk').mockResolvedValue({ text: GOFORWARD_TEXT, languageCode: 'en' });

    const run = await harness.runNote(wav, { tier: 'free', targetLanguage: 'es' });

    expect(run.job.durationSeconds).toBe(maxSeconds);
    expect(run.path).toEqual(FAST_PATH);
    expect(chunkSpy.mock.calls.length).toBeLessThanOrEqual(fastPathStreams(maxSeconds));
    expect(await harness.transcribeStreamsInFlight()).toBe(0);
  }, 120_000);

  it('transcribes the 7 s of speech in a 90 s video on the free tier: the audio’s length counts, not the container’s', async () => {
    const run = await harness.runNote(await makeVideoWithSpeech(dir, 90, 7), { targetLanguage: 'es' });

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(FAST_PATH);
    expect(run.job.durationSeconds).toBeCloseTo(7, 0);
    expect(run.job.result?.transcript).toMatch(/^go forward ten meters go forward/);
  }, 120_000);
});
