import './workflow-env';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PipelineFailureCode } from '../../functions/shared/errors';
import { LocalChunkSpeechToText } from '../../local/engines/local-chunk-speech-to-text';
import { TIERS } from '../../lib/config/tiers';
import {
  makeAudio,
  makeEmptyFile,
  makeImageFile,
  makeLongAudio,
  makeSilence,
  makeTextFile,
  makeTruncatedWithoutIndex,
} from '../helpers/audio-fixtures';
import { type NoteOptions, TEST_TIMING, WorkflowHarness } from './workflow-harness';

interface FailureCase {
  readonly title: string;
  readonly code: PipelineFailureCode;
  readonly file: (dir: string) => Promise<string>;
  readonly options?: NoteOptions;
  /** The state whose error was caught. */
  readonly failedIn: string;
}

/** Bigger than the free tier allows; the content does not matter, the real object size is checked first. */
async function makeOversized(dir: string): Promise<string> {
  const file = path.join(dir, 'oversized.m4a');
  await writeFile(file, randomBytes(TIERS.free.maxUploadBytes + 1));
  return file;
}

const CASES: readonly FailureCase[] = [
  { title: 'an empty upload', code: 'EMPTY_AUDIO', file: (d) => makeEmptyFile(d), failedIn: 'NormalizeAudio' },
  { title: 'a text file named .m4a', code: 'NOT_AUDIO', file: (d) => makeTextFile(d), failedIn: 'NormalizeAudio' },
  { title: 'a picture named .mp3', code: 'NOT_AUDIO', file: (d) => makeImageFile(d), failedIn: 'NormalizeAudio' },
  { title: 'a truncated m4a', code: 'CORRUPT_AUDIO', file: (d) => makeTruncatedWithoutIndex(d), failedIn: 'NormalizeAudio' },
  { title: 'a note longer than the tier allows', code: 'AUDIO_TOO_LONG', file: (d) => makeLongAudio(d, 65), failedIn: 'NormalizeAudio' },
  { title: 'an upload larger than the tier allows', code: 'UPLOAD_TOO_LARGE', file: makeOversized, failedIn: 'NormalizeAudio' },
  { title: 'a silent recording', code: 'SILENT_AUDIO', file: (d) => makeSilence(d), failedIn: 'NormalizeAudio' },
  {
    title: 'a spoken-language hint the engine cannot recognise',
    code: 'UNSUPPORTED_LANGUAGE',
    file: (d) => makeAudio('wav', d),
    options: { sourceLanguage: 'fr' },
    failedIn: 'FastTranscribe',
  },
  {
    title: 'a target language the translator cannot produce',
    code: 'UNSUPPORTED_LANGUAGE_PAIR',
    file: (d) => makeAudio('wav', d, { name: 'to-japanese' }),
    options: { targetLanguage: 'ja' },
    failedIn: 'TranslateTranscript',
  },
];

describe('pipeline state machine: every failure ends the job failed with its code', () => {
  let harness: WorkflowHarness;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vnt-wf-failures-'));
    harness = await WorkflowHarness.start();
  });
  afterAll(async () => {
    expect(await harness.jobsLeftInFlight()).toEqual([]);
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(CASES)('$code: $title', async ({ code, file, options, failedIn }) => {
    const run = await harness.runNote(await file(dir), { targetLanguage: 'es', ...options });

    expect(run.job.status).toBe('failed');
    expect(run.job.error?.code).toBe(code);
    expect(run.job.error?.message).toMatch(/\w{3,}/);
    expect(run.job.error?.message).not.toMatch(/errorType|stack|at .*\.ts/);
    expect(run.execution).toMatchObject({ status: 'FAILED', error: code, cause: run.job.error?.message });
    expect(run.path).toContain(failedIn);
    expect(run.path.slice(-2)).toEqual(['MarkFailed', 'PipelineFailed']);
  }, 120_000);

  it('INTERNAL_ERROR: an unexpected error fails the job with a generic message and no internals', async () => {
    vi.spyOn(LocalChunkSpeechToText.prototype, 'transcribeChunk').mockRejectedValueOnce(
      new TypeError('Cannot read properties of undefined (reading "pcm")'),
    );

    const run = await harness.runNote(await makeAudio('ogg', dir), { targetLanguage: 'es' });

    expect(run.job.error).toEqual({ code: 'INTERNAL_ERROR', message: expect.stringMatching(/internal error/i) });
    expect(run.job.error?.message).not.toContain('pcm');
    expect(run.execution).toMatchObject({ status: 'FAILED', error: 'INTERNAL_ERROR' });
    expect(run.path.slice(-3)).toEqual(['FastTranscribe', 'MarkFailed', 'PipelineFailed']);
  }, 120_000);

  it('PIPELINE_TIMEOUT: an execution that runs out of time is failed by the watchdog', async () => {
    harness.useTiming({ ...TEST_TIMING, executionTimeoutSeconds: 0.5 });
    try {
      // Recognition takes over a second: the execution times out in FastTranscribe.
      const run = await harness.runNote(await makeAudio('webm', dir), { targetLanguage: 'es' });

      expect(run.execution.status).toBe('TIMED_OUT');
      expect(run.job.error).toEqual({ code: 'PIPELINE_TIMEOUT', message: expect.stringMatching(/too long/i) });
    } finally {
      harness.useTiming(TEST_TIMING);
    }
  }, 120_000);
});
