import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AUDIO, transcriptionJobName } from '../../lib/config/limits';
import type { AudioTools } from '../../functions/audio/audio-tools';
import { bytesPerSecond, readWavLayout } from '../../functions/audio/wav';
import { AppError, isPipelineFailureCode } from '../../functions/shared/errors';
import { mapWithConcurrency } from '../../functions/speech/map-with-concurrency';
import type { BatchSpeechToText, BatchTranscriptionRequest, BatchTranscriptionState } from '../../functions/speech/speech-to-text';
import type { LocalLanguagePolicy } from './local-language-policy';
import { type TranscribeJobStateChangeListener, transcribeJobStateChange } from './transcribe-job-events';
import type { PocketsphinxRecognizer } from './pocketsphinx-recognizer';

/** Copies an object to a local file. */
export type ObjectDownloader = (bucket: string, key: string, destinationPath: string) => Promise<void>;

export interface LocalBatchOptions {
  readonly recognizer: PocketsphinxRecognizer;
  readonly languages: LocalLanguagePolicy;
  /** Splits long audio at pauses so every core recognises a part. */
  readonly audioTools: AudioTools;
  readonly download: ObjectDownloader;
  /** Deployment stage (ENV.stage): the emitted events carry Transcribe's stage-scoped job names. */
  readonly stage: string;
  /** Told when a job ends, with the event Transcribe sends to EventBridge. */
  readonly onJobStateChange: TranscribeJobStateChangeListener;
  /** @default os.availableParallelism() */
  readonly concurrency?: number;
  /** Finished jobs are forgotten after this long (the pipeline reads them within seconds). @default 1 h */
  readonly retentionMs?: number;
}

interface JobEntry {
  state: BatchTranscriptionState;
  readonly startedAt: number;
}

/**
 * The local stand-in for Transcribe batch jobs: `start` returns at once and recognition runs in the
 * background (chunked at pauses, one pocketsphinx per core); the outcome is kept in memory by job and
 * announced through `onJobStateChange` as Transcribe's EventBridge event. Same idempotency as Transcribe:
 * a second start of the same job is a no-op.
 */
export class LocalBatchSpeechToText implements BatchSpeechToText {
  private readonly jobs = new Map<string, JobEntry>();
  private readonly concurrency: number;
  private readonly retentionMs: number;
  /** Background runs, so tests and shutdown can wait for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: LocalBatchOptions) {
    this.concurrency = options.concurrency ?? availableParallelism();
    this.retentionMs = options.retentionMs ?? 60 * 60 * 1000;
  }

  async start(request: BatchTranscriptionRequest): Promise<void> {
    this.forgetOldJobs();
    if (this.jobs.has(request.jobId)) return;
    // Fails synchronously, like Transcribe's BadRequest, when the language cannot be recognised at all.
    this.options.languages.choose(request.languageHint, request.candidates);
    this.jobs.set(request.jobId, { state: { status: 'IN_PROGRESS' }, startedAt: Date.now() });
    const run = this.recognize(request).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async fetch(jobId: string): Promise<BatchTranscriptionState> {
    // Jobs live in memory: one started before a restart is gone (the job sweeper restarts its note anyway).
    return this.jobs.get(jobId)?.state ?? { status: 'FAILED', reason: 'The transcription was interrupted by a restart.' };
  }

  /** Resolves when every background recognition has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async recognize(request: BatchTranscriptionRequest): Promise<void> {
    const entry = this.jobs.get(request.jobId);
    if (!entry) return;
    const dir = await mkdtemp(path.join(tmpdir(), 'vnt-local-stt-'));
    try {
      const wavPath = path.join(dir, 'audio.wav');
      await this.options.download(request.audio.bucket, request.audio.key, wavPath);
      const text = await this.recognizeInParallel(wavPath, dir);
      const chosen = this.options.languages.choose(request.languageHint, request.candidates);
      entry.state = {
        status: 'COMPLETED',
        transcript: { text, languageCode: this.options.languages.confirm(text, chosen, request.languageHint) },
      };
    } catch (error) {
      const code = error instanceof AppError && isPipelineFailureCode(error.code) ? error.code : undefined;
      entry.state = { status: 'FAILED', reason: error instanceof Error ? error.message : String(error), ...(code ? { code } : {}) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const status = entry.state.status === 'COMPLETED' ? 'COMPLETED' : 'FAILED';
    this.options.onJobStateChange(transcribeJobStateChange(transcriptionJobName(this.options.stage, request.jobId), status));
  }

  /** Chunks of at least the fast-path length, and no more than one round of chunks per core. */
  private async recognizeInParallel(wavPath: string, dir: string): Promise<string> {
    const layout = await readWavLayout(wavPath);
    const duration = layout.dataBytes / bytesPerSecond(layout);
    const target = Math.max(AUDIO.fastPathChunkSeconds, duration / this.concurrency);
    const chunks = duration > target * 1.5 ? await this.options.audioTools.splitAtSilences(wavPath, target, dir) : [{ index: 0, wavPath }];
    const texts = await mapWithConcurrency(chunks, this.concurrency, (chunk) => this.options.recognizer.recognize(chunk.wavPath));
    return texts.filter((t) => t !== '').join(' ');
  }

  private forgetOldJobs(): void {
    const cutoff = Date.now() - this.retentionMs;
    for (const [jobId, entry] of this.jobs) {
      if (entry.startedAt < cutoff && entry.state.status !== 'IN_PROGRESS') this.jobs.delete(jobId);
    }
  }
}

/** ObjectDownloader over an S3 client (s3rver in the local stack). */
export function s3Downloader(client: S3Client): ObjectDownloader {
  return async (bucket, key, destinationPath) => {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    await writeFile(destinationPath, await object.Body.transformToByteArray());
  };
}
