import { AUDIO } from '../../lib/config/limits';
import type { TierLimits } from '../../lib/config/tiers';
import { PipelineFailureError } from '../shared/errors';
import { type AudioProbe, type AudioTools, AudioToolsError, type NormalizedAudio } from './audio-tools';

export type AudioLimits = Pick<TierLimits, 'maxUploadBytes' | 'maxAudioSeconds'>;

export interface NormalizeUploadRequest {
  /** The upload, downloaded to a local file (m4a/3gp cannot be streamed through ffmpeg). */
  readonly inputPath: string;
  /** The real object size from S3, not what the client claimed. */
  readonly sizeBytes: number;
  readonly limits: AudioLimits;
  readonly outputWavPath: string;
}

export interface ValidatedAudio {
  readonly probe: AudioProbe;
  readonly audio: NormalizedAudio;
}

/**
 * A container that announces this much more audio than decodes is a truncated upload. The slack covers
 * encoder priming/padding and duration estimates from bitrate.
 */
const TRUNCATION_TOLERANCE = { ratio: 0.9, seconds: 0.5 } as const;

/**
 * Turns what ffmpeg saw into the pipeline's failure codes, each a PipelineFailureError with a message a user can
 * act on. Every length is the audio's own: the decoded samples, or what the container announces only where
 * that is a count of the audio's frames (never a movie or segment length, which a video track or padding sets).
 */
export class AudioValidationService {
  constructor(
    private readonly tools: AudioTools,
    private readonly silenceThresholdDb: number = AUDIO.silenceThresholdDb,
  ) {}

  /** EMPTY_AUDIO / UPLOAD_TOO_LARGE from the object's real size; call it before downloading. */
  checkUploadSize(sizeBytes: number, limits: Pick<AudioLimits, 'maxUploadBytes'>): void {
    if (sizeBytes <= 0) {
      throw new PipelineFailureError('EMPTY_AUDIO', 'The uploaded file is empty (0 bytes).');
    }
    if (sizeBytes > limits.maxUploadBytes) {
      throw new PipelineFailureError(
        'UPLOAD_TOO_LARGE',
        `The uploaded file is ${formatMib(sizeBytes)}; your plan accepts up to ${formatMib(limits.maxUploadBytes)}.`,
        { sizeBytes, maxUploadBytes: limits.maxUploadBytes },
      );
    }
  }

  /**
   * Probes, checks and normalises an upload to 16 kHz mono 16-bit WAV, decoding with the demuxer the probe saw.
   * Throws PipelineFailureError with EMPTY_AUDIO, UPLOAD_TOO_LARGE, NOT_AUDIO, CORRUPT_AUDIO, AUDIO_TOO_LONG or
   * SILENT_AUDIO; AudioToolsError 'TOOL_FAILED' (our fault, not the input's) is rethrown as INTERNAL_ERROR.
   */
  async normalizeUpload(request: NormalizeUploadRequest): Promise<ValidatedAudio> {
    const { limits } = request;
    this.checkUploadSize(request.sizeBytes, limits);

    const probe = await this.tools.probe(request.inputPath).catch(rethrowAsFailure);
    const announced = probe.announcedAudioSeconds;
    // Cheap early answer where the container's length is the audio's; otherwise the capped decode tells.
    if (announced !== undefined && announced > limits.maxAudioSeconds) {
      throw tooLong(announced, limits.maxAudioSeconds);
    }

    const audio = await this.tools
      .normalize(request.inputPath, request.outputWavPath, { container: probe.container, maxSeconds: limits.maxAudioSeconds })
      .catch(rethrowAsFailure);
    if (audio.durationSeconds <= 0) {
      throw new PipelineFailureError('CORRUPT_AUDIO', 'The audio could not be decoded: it contains no samples.');
    }
    if (audio.durationSeconds > limits.maxAudioSeconds) {
      throw tooLong(audio.durationSeconds, limits.maxAudioSeconds);
    }
    if (audio.containerErrors.length > 0) {
      throw new PipelineFailureError(
        'CORRUPT_AUDIO',
        `The audio file is damaged or incomplete: only ${audio.durationSeconds.toFixed(1)} s could be read. Please upload it again.`,
        { decodedSeconds: audio.durationSeconds, reason: audio.containerErrors[0] },
      );
    }
    if (announced !== undefined && audio.durationSeconds < announced * TRUNCATION_TOLERANCE.ratio - TRUNCATION_TOLERANCE.seconds) {
      throw new PipelineFailureError(
        'CORRUPT_AUDIO',
        `The audio looks truncated: the file announces ${announced.toFixed(1)} s but only ${audio.durationSeconds.toFixed(1)} s could be decoded. Please upload it again.`,
        { announcedSeconds: announced, decodedSeconds: audio.durationSeconds },
      );
    }
    if (audio.meanVolumeDb < this.silenceThresholdDb) {
      throw new PipelineFailureError(
        'SILENT_AUDIO',
        'The recording is silent: check that the microphone was on and not muted.',
        { meanVolumeDb: Number.isFinite(audio.meanVolumeDb) ? audio.meanVolumeDb : null, thresholdDb: this.silenceThresholdDb },
      );
    }
    return { probe, audio };
  }
}

function rethrowAsFailure(error: unknown): never {
  if (!(error instanceof AudioToolsError)) throw error;
  switch (error.failure) {
    case 'NOT_MEDIA':
      throw new PipelineFailureError('NOT_AUDIO', 'The file is not an audio recording (its content is not a media format).');
    case 'UNSUPPORTED_CONTAINER':
      throw new PipelineFailureError(
        'NOT_AUDIO',
        'The file is not in an audio format we accept (m4a, mp3, ogg, webm, 3gp, amr, aac, wav or flac).',
        { reason: 'unsupported-container' },
      );
    case 'NO_AUDIO_STREAM':
      throw new PipelineFailureError('NOT_AUDIO', 'The file is a media file without any audio in it.');
    case 'UNDECODABLE':
      throw new PipelineFailureError(
        'CORRUPT_AUDIO',
        'The audio file is damaged or incomplete (perhaps the upload was cut short). Please upload it again.',
        { reason: error.message },
      );
    case 'TOOL_FAILED':
      throw new PipelineFailureError('INTERNAL_ERROR', 'The audio could not be processed because of an internal error.', {
        reason: error.message,
      });
  }
}

function tooLong(seconds: number, maxSeconds: number): PipelineFailureError {
  return new PipelineFailureError(
    'AUDIO_TOO_LONG',
    `The recording is longer than ${maxSeconds} s, the most your plan accepts.`,
    // The decode stops just past the limit, so `atLeastSeconds` is a lower bound.
    { maxAudioSeconds: maxSeconds, atLeastSeconds: Math.floor(seconds) },
  );
}

function formatMib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
