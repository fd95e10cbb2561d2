import { STORAGE } from '../../lib/config/limits';

/**
 * Keys of a job's working objects in the work bucket, named once: the normaliser writes the WAV, Transcribe
 * writes its JSON, and DELETE /jobs removes exactly these (no listing, so the delete function needs no
 * s3:ListBucket and can only touch these prefixes).
 */
export function normalizedAudioKey(jobId: string): string {
  return `${STORAGE.normalizedPrefix}${jobId}.wav`;
}

export function transcriptKey(jobId: string): string {
  return `${STORAGE.transcriptsPrefix}${jobId}.json`;
}

export function workObjectKeys(jobId: string): readonly string[] {
  return [normalizedAudioKey(jobId), transcriptKey(jobId)];
}
