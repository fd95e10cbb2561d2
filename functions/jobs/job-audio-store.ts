/** Where a job's audio lives: the raw upload and the pipeline's working files. */
export interface JobAudioStore {
  /** Deletes every stored object of the job; idempotent (missing objects are not an error). */
  deleteJobAudio(job: { readonly jobId: string; readonly uploadKey: string }): Promise<void>;
}
