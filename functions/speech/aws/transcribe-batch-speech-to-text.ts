import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  GetTranscriptionJobCommand,
  type LanguageCode as TranscribeLocale,
  StartTranscriptionJobCommand,
  type StartTranscriptionJobCommandInput,
  type TranscribeClient,
} from '@aws-sdk/client-transcribe';
import type { LanguageCode } from '../../../lib/config/languages';
import { AUDIO, transcriptionJobName } from '../../../lib/config/limits';
import { PipelineFailureError } from '../../shared/errors';
import { transcriptKey } from '../../shared/work-objects';
import { candidateLocales, languageFromLocale, requireSpokenLocale } from '../locales';
import type { BatchSpeechToText, BatchTranscriptionRequest, BatchTranscriptionState } from '../speech-to-text';
import { errorName, toRetryable } from './transcribe-errors';

export interface TranscribeBatchOptions {
  /** The work bucket: Transcribe writes its JSON under STORAGE.transcriptsPrefix there. */
  readonly outputBucket: string;
  /** Deployment stage (ENV.stage): scopes the job names, which are account-wide. */
  readonly stage: string;
}

interface TranscribeOutput {
  results?: { transcripts?: Array<{ transcript?: string }> };
}

/** Amazon Transcribe batch jobs with automatic language identification (or the caller's hint). */
export class TranscribeBatchSpeechToText implements BatchSpeechToText {
  constructor(
    private readonly transcribe: TranscribeClient,
    private readonly s3: S3Client,
    private readonly options: TranscribeBatchOptions,
  ) {}

  async start(request: BatchTranscriptionRequest): Promise<void> {
    const input: StartTranscriptionJobCommandInput = {
      TranscriptionJobName: transcriptionJobName(this.options.stage, request.jobId),
      Media: { MediaFileUri: `s3://${request.audio.bucket}/${request.audio.key}` },
      MediaFormat: 'wav',
      MediaSampleRateHertz: AUDIO.sampleRateHz,
      OutputBucketName: this.options.outputBucket,
      OutputKey: transcriptKey(request.jobId),
      ...languageSelection(request.languageHint, request.candidates),
    };
    try {
      await this.transcribe.send(new StartTranscriptionJobCommand(input));
    } catch (error) {
      // The job exists: a retried or duplicated start. Its outcome arrives like the first one's would.
      if (errorName(error) === 'ConflictException') return;
      const retryable = toRetryable(error);
      if (retryable !== error) throw retryable;
      if (errorName(error) === 'BadRequestException') {
        throw new PipelineFailureError('TRANSCRIPTION_FAILED', `Amazon Transcribe rejected the job: ${(error as Error).message}`);
      }
      throw error;
    }
  }

  async fetch(jobId: string): Promise<BatchTranscriptionState> {
    let job;
    try {
      ({ TranscriptionJob: job } = await this.transcribe.send(
        new GetTranscriptionJobCommand({ TranscriptionJobName: transcriptionJobName(this.options.stage, jobId) }),
      ));
    } catch (error) {
      const retryable = toRetryable(error);
      if (retryable !== error) throw retryable;
      if (errorName(error) === 'BadRequestException') {
        return { status: 'FAILED', reason: `Transcription job ${transcriptionJobName(this.options.stage, jobId)} not found.` };
      }
      throw error;
    }
    switch (job?.TranscriptionJobStatus) {
      case 'COMPLETED':
        return { status: 'COMPLETED', transcript: { text: await this.readTranscript(jobId), languageCode: this.languageOf(job.LanguageCode) } };
      case 'FAILED':
        return { status: 'FAILED', reason: job.FailureReason ?? 'Amazon Transcribe did not say why.' };
      default:
        return { status: 'IN_PROGRESS' };
    }
  }

  private async readTranscript(jobId: string): Promise<string> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.options.outputBucket, Key: transcriptKey(jobId) }));
    const body = (await object.Body?.transformToString('utf8')) ?? '';
    const output = JSON.parse(body) as TranscribeOutput;
    return (output.results?.transcripts ?? []).map((t) => t.transcript ?? '').join(' ').trim();
  }

  private languageOf(locale: string | undefined): LanguageCode {
    const language = locale === undefined ? undefined : languageFromLocale(locale);
    if (language === undefined) {
      throw new PipelineFailureError('UNSUPPORTED_LANGUAGE', `Amazon Transcribe identified an unsupported language (${locale ?? 'none'}).`);
    }
    return language;
  }
}

/**
 * A hint pins the language; otherwise Transcribe identifies among the candidates (it needs at least two; one
 * candidate is as good as a hint).
 */
export function languageSelection(
  hint: LanguageCode | undefined,
  candidates: readonly LanguageCode[],
): Pick<StartTranscriptionJobCommandInput, 'LanguageCode' | 'IdentifyLanguage' | 'LanguageOptions'> {
  if (hint !== undefined) return { LanguageCode: requireSpokenLocale(hint) as TranscribeLocale };
  const locales = candidateLocales(candidates);
  if (locales.length === 0) {
    throw new PipelineFailureError('UNSUPPORTED_LANGUAGE', 'None of the candidate languages can be transcribed.', {
      candidates: [...candidates],
    });
  }
  if (locales.length === 1) return { LanguageCode: locales[0] as TranscribeLocale };
  return { IdentifyLanguage: true, LanguageOptions: locales as TranscribeLocale[] };
}
