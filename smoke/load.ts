import { toApiError, type VoiceNoteClient } from '../client';
import { type LoadOutcome, type LoadSummary, summariseLoad } from './load-stats';
import { type NoteRunOptions, runNote } from './note-run';

/**
 * N notes at once, the way N phones would send them (an LMA-style load simulator): each its own upload
 * and WebSocket, the samples taken in turn. Answers of 429 THROTTLED are waited out by the client
 * (Retry-After, with jitter); every job is deleted afterwards.
 */
export async function runLoad(client: VoiceNoteClient, samples: readonly Blob[], notes: number, options: NoteRunOptions): Promise<LoadSummary> {
  const created: string[] = [];
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: notes }, (_, i): Promise<LoadOutcome> =>
      runNote(client, samples[i % samples.length]!, options, (jobId) => created.push(jobId)).then(
        (run) => ({ run }),
        (error: unknown) => ({ error: `${toApiError(error).code}: ${toApiError(error).message}` }),
      ),
    ),
  );
  const makespanMs = performance.now() - started;
  await Promise.allSettled(created.map((jobId) => client.deleteJob(jobId)));
  return summariseLoad(outcomes, makespanMs);
}
