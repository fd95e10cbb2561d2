import type { JobUpdate, VoiceNoteClient } from '../client';
import { type Phase, phasesFrom, type StatusEvent } from './stage-phases';

export interface NoteRunOptions {
  readonly targetLanguage: string;
  /** The watch gives up (TIMEOUT) when the note has not ended by then. */
  readonly timeoutMs: number;
}

/** One note through the API and how long each step took, as the client saw it (ms). */
export interface NoteRun {
  readonly jobId: string;
  /** POST /uploads. */
  readonly createMs: number;
  /** The presigned POST to storage. */
  readonly uploadMs: number;
  /** POST /uploads sent → terminal update received: what the user waits for. */
  readonly wholeNoteMs: number;
  readonly phases: Readonly<Record<Phase, number>>;
  /** Every update came over the WebSocket (no fallback to polling), so the phases are as pushed. */
  readonly pushed: boolean;
  readonly final: JobUpdate;
}

/**
 * A voice note as an app sends one (createUpload, watchJob, upload: what `VoiceNoteClient.translate` does),
 * taken step by step so each step can be timed. The watch is subscribed before the upload, so no status is
 * missed however fast the pipeline is. `onCreated` learns the job as soon as it exists, so a caller can
 * delete it even when the upload fails.
 */
export async function runNote(
  client: VoiceNoteClient,
  audio: Blob,
  options: NoteRunOptions,
  onCreated: (jobId: string) => void = () => {},
): Promise<NoteRun> {
  const started = performance.now();
  const created = await client.createUpload({ contentType: audio.type, sizeBytes: audio.size, targetLanguage: options.targetLanguage });
  const createMs = performance.now() - started;
  onCreated(created.jobId);
  const events: StatusEvent[] = [];
  let polled = false;
  const watch = client.watchJob(created.jobId, {
    timeoutMs: options.timeoutMs,
    onUpdate: (update, via) => {
      events.push({ status: update.status, at: performance.now() });
      if (via === 'polling') polled = true;
    },
    onTransport: (transport) => {
      if (transport === 'polling') polled = true;
    },
  });
  let uploadMs: number;
  let uploadDoneAt: number;
  try {
    if ((await watch.ready) !== 'websocket') polled = true;
    const uploadStarted = performance.now();
    await client.upload(created.upload, audio);
    uploadDoneAt = performance.now();
    uploadMs = uploadDoneAt - uploadStarted;
  } catch (error) {
    watch.stop();
    throw error;
  }
  const final = await watch.done;
  const endedAt = events.at(-1)?.at ?? performance.now();
  return {
    jobId: created.jobId,
    createMs,
    uploadMs,
    wholeNoteMs: endedAt - started,
    phases: phasesFrom(uploadDoneAt, events),
    pushed: !polled,
    final,
  };
}
