import { ApiError, type JobResult, type VoiceNoteClient } from '../client';
import { CheckList, type CheckResult, expectThat } from './check-list';
import { type NoteRun, type NoteRunOptions, runNote } from './note-run';
import { signedMaxBytes } from './upload-policy';

/** The bundled speech sample the smoke test sends, and what a working deployment must make of it. */
export interface SmokeSample {
  readonly audio: Blob;
  /** The language spoken in it. */
  readonly language: string;
}

/** Client-observed timings the latency table compares with the targets (ms). */
export interface SmokeTimings {
  readonly health: readonly number[];
  readonly uploadUrl: readonly number[];
  /** The first note, when it was processed fresh (a cached answer says nothing about the stages). */
  readonly freshNote?: NoteRun;
}

export interface SmokeChecks {
  readonly checks: readonly CheckResult[];
  readonly timings: SmokeTimings;
}

/** Extra /health calls after the first, so one cold connection does not decide the health latency. */
const HEALTH_SAMPLES = 5;
/** Uploads one run meters: the note, its repeat, the bad file, the over-size upload. */
const NOTES_PER_RUN = 4;
/** What the pipeline answers for a file that is no media at all (a stable code of the API). */
const BAD_FILE_CODE = 'NOT_AUDIO';
/**
 * A text document declared as audio, the usual wrong file. Not random bytes: ffprobe takes some random
 * buffers for a broken MP4 (no moov atom) and the note then fails CORRUPT_AUDIO, so the code would vary.
 */
const NOT_AUDIO_BYTES = new TextEncoder().encode('This is not a voice note: the smoke test checks that the service refuses it.\n'.repeat(50));

/**
 * The functional checks, in the order a user meets the features: health, a real note over the WebSocket, the
 * cache, history, usage, delete, then the two refusals (a file that is not audio, an upload over the size
 * the presigned POST allows). Every job it creates is deleted again (deleting also drops the note's cache
 * entries, so the next run is fresh again).
 */
export async function runSmokeChecks(
  client: VoiceNoteClient,
  sample: SmokeSample,
  options: NoteRunOptions,
  onResult?: (result: CheckResult) => void,
): Promise<SmokeChecks> {
  const list = new CheckList(onResult);
  const health: number[] = [];
  const uploadUrl: number[] = [];
  /** Jobs to delete at the end. */
  const created: string[] = [];
  const note = async (audio: Blob) => {
    const run = await runNote(client, audio, options, (jobId) => created.push(jobId));
    uploadUrl.push(run.createMs);
    return run;
  };

  const up = await list.run('health', async () => {
    const answer = await client.health();
    expectThat(answer.status === 'ok', `GET /health answered status ${JSON.stringify(answer.status)}`);
    for (let i = 0; i < HEALTH_SAMPLES; i++) health.push(await timed(() => client.health()));
    return { detail: `ok, version ${answer.version}`, value: true };
  });

  const usageBefore = await list.run('usage readable', async () => {
    const usage = await client.getUsage();
    expectThat(usage.remaining >= NOTES_PER_RUN, `${usage.remaining} notes left of today's ${usage.dailyQuota}; the smoke test needs ${NOTES_PER_RUN}`);
    return { detail: `${usage.tier} tier, ${usage.used}/${usage.dailyQuota} used today`, value: usage };
  }, [up]);

  const first = await list.run('note completed', async () => {
    const run = await note(sample.audio);
    expectThat(run.final.status === 'completed', `ended ${run.final.status}${run.final.error ? ` ${run.final.error.code}: ${run.final.error.message}` : ''}`);
    return { detail: `${Math.round(run.wholeNoteMs)} ms, job ${run.jobId}${run.final.result?.cached ? ' (served from the cache of an earlier run)' : ''}`, value: run };
  }, [usageBefore]);
  const result: JobResult | undefined = first?.final.result;

  await list.run('followed over WebSocket', async () => {
    expectThat(first!.pushed, 'the progress WebSocket did not deliver every update: the client fell back to polling');
    return { detail: 'every status pushed', value: true };
  }, [first]);
  await list.run('transcript', async () => {
    expectThat(result!.transcript.trim().length > 0, 'empty transcript');
    return { detail: quote(result!.transcript), value: true };
  }, [result]);
  await list.run('language', async () => {
    expectThat(result!.detectedLanguage === sample.language, `detected ${result!.detectedLanguage}, the sample speaks ${sample.language}`);
    return { detail: result!.detectedLanguage, value: true };
  }, [result]);
  await list.run('translation', async () => {
    const translation = result!.translation.trim();
    expectThat(translation.length > 0, 'empty translation');
    expectThat(translation !== result!.transcript.trim(), 'the translation is the transcript unchanged');
    return { detail: `${options.targetLanguage}: ${quote(translation)}`, value: true };
  }, [result]);

  await list.run('usage +1', async () => {
    const after = await client.getUsage();
    expectThat(after.used === usageBefore!.used + 1, `used went from ${usageBefore!.used} to ${after.used} for one note`);
    return { detail: `${usageBefore!.used} → ${after.used}`, value: true };
  }, [usageBefore, first]);

  await list.run('cached repeat', async () => {
    const repeat = await note(sample.audio);
    expectThat(repeat.final.status === 'completed', `ended ${repeat.final.status} ${repeat.final.error?.code ?? ''}`);
    expectThat(repeat.final.result?.cached === true, 'the same audio again was not served from the cache');
    expectThat(repeat.final.result.transcript === result!.transcript, 'the cached transcript differs from the first');
    return { detail: `${Math.round(repeat.wholeNoteMs)} ms, cached: true`, value: true };
  }, [result]);

  await list.run('history', async () => {
    const page = await client.listJobs({ limit: 20 });
    expectThat(page.items.some((item) => item.jobId === first!.jobId), `GET /jobs does not list job ${first!.jobId}`);
    return { detail: `GET /jobs lists job ${first!.jobId}`, value: true };
  }, [first]);

  await list.run('delete', async () => {
    await client.deleteJob(first!.jobId);
    const code = await client.getJob(first!.jobId).then(() => 'still there', (error: unknown) => (error instanceof ApiError ? `${error.status} ${error.code}` : String(error)));
    expectThat(code.startsWith('404'), `GET after DELETE answered ${code}`);
    return { detail: `then GET → ${code}`, value: true };
  }, [first]);

  await list.run('bad file refused', async () => {
    const run = await note(new Blob([NOT_AUDIO_BYTES], { type: sample.audio.type }));
    expectThat(run.final.error?.code === BAD_FILE_CODE, `a text file sent as ${sample.audio.type} ended ${run.final.status} ${run.final.error?.code ?? ''}, expected failed ${BAD_FILE_CODE}`);
    return { detail: `failed ${BAD_FILE_CODE}: ${run.final.error.message}`, value: true };
  }, [usageBefore]);

  await list.run('over-size upload refused by storage', async () => {
    const started = performance.now();
    const { jobId, upload } = await client.createUpload({ contentType: sample.audio.type, targetLanguage: options.targetLanguage });
    uploadUrl.push(performance.now() - started);
    created.push(jobId);
    const maxBytes = signedMaxBytes(upload);
    expectThat(maxBytes !== undefined, 'the presigned POST has no content-length-range condition: storage would take any size');
    const refusal = await client.upload(upload, new Blob([new Uint8Array(maxBytes + 1)], { type: sample.audio.type })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expectThat(refusal instanceof ApiError && refusal.code === 'UPLOAD_TOO_LARGE', `${maxBytes + 1} bytes were ${refusal === undefined ? 'accepted' : `refused with ${String((refusal as ApiError).code ?? refusal)}`}`);
    return { detail: `${maxBytes + 1} bytes → ${refusal.status} UPLOAD_TOO_LARGE (limit ${maxBytes})`, value: true };
  }, [usageBefore]);

  // Leaves nothing behind (DELETE is idempotent: the first note's own check deleted it already).
  await Promise.allSettled(created.map((id) => client.deleteJob(id)));
  return {
    checks: list.results,
    timings: {
      health,
      uploadUrl,
      ...(first && !first.final.result?.cached ? { freshNote: first } : {}),
    },
  };
}

async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

/** A transcript or translation shortened for a table cell. */
function quote(text: string, max = 60): string {
  return `"${text.length > max ? `${text.slice(0, max - 1)}…` : text}"`;
}
