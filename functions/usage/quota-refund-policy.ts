import type { PipelineFailureCode } from '../shared/errors';

/**
 * Which failed notes give their daily quota unit back: the one rule, applied by JobLifecycle.finish.
 *
 * A unit is refunded when the failure is ours or nothing was processed: a user who did everything right
 * should not lose a note to our outage, timeout or bug, nor to a note whose upload never arrived. A unit is
 * kept when the note itself is the problem (not audio, too long, silent, no speech, a language the
 * engines cannot handle): the quota exists to bound what a key can make the service do, and refunding
 * rejected input would let a client send bad uploads forever for free.
 *
 * A Record over every code, so adding a failure code does not compile until someone decides here.
 */
const REFUND_BY_CODE: Readonly<Record<PipelineFailureCode, boolean>> = {
  // The note is the problem.
  EMPTY_AUDIO: false,
  NOT_AUDIO: false,
  CORRUPT_AUDIO: false,
  AUDIO_TOO_LONG: false,
  UPLOAD_TOO_LARGE: false,
  SILENT_AUDIO: false,
  NO_SPEECH: false,
  UNSUPPORTED_LANGUAGE: false,
  UNSUPPORTED_LANGUAGE_PAIR: false,
  // Nothing was processed: the upload never came.
  UPLOAD_EXPIRED: true,
  // We are the problem: the engine failed on audio we normalised, or we were slow, busy or broken.
  TRANSCRIPTION_FAILED: true,
  TRANSLATION_FAILED: true,
  PIPELINE_TIMEOUT: true,
  SERVICE_BUSY: true,
  INTERNAL_ERROR: true,
};

export function refundsQuota(code: PipelineFailureCode): boolean {
  return REFUND_BY_CODE[code];
}
