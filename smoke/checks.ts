import { ApiError, type JobResult, type PresignedUpload, type VoiceNoteClient } from '../client';
import { CheckList, type CheckResult, expectThat } from './check-list';
import { type NoteRun, type NoteRunOptions, runNote } from './note-run';

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
export const NOTES_PER_RUN = 4;
/** What the pipeline answers for bytes that are no audio at all (a stable code of the API). */
const BAD_FILE_CODE = 'NOT_AUDIO';

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
    const run = await runNote(client, audio, options);
    created.push(run.jobId);
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
    const garbage = new Blob([randomBytes(4096)], { type: sample.audio.type });
    const run = await note(garbage);
    expectThat(run.final.error?.code === BAD_FILE_CODE, `random bytes ended ${run.final.status} ${run.final.error?.code ?? ''}, expected failed ${BAD_FILE_CODE}`);
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

  // Leaves nothing behind; the first job was deleted by its check (or stays when that check failed, for a look).
  await Promise.allSettled(created.filter((id) => id !== first?.jobId).map((id) => client.deleteJob(id)));
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

/** The upper bound of the POST policy's content-length-range: what storage itself will refuse above. */
export function signedMaxBytes(upload: PresignedUpload): number | undefined {
  const policy = upload.fields.Policy ?? upload.fields.policy;
  if (policy === undefined) return undefined;
  const { conditions } = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as { conditions?: unknown[] };
  const range = conditions?.find((c): c is [string, number, number] => Array.isArray(c) && c[0] === 'content-length-range');
  return range === undefined ? undefined : Number(range[2]);
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A transcript or translation shortened for a table cell. */
function quote(text: string, max = 60): string {
  return `"${text.length > max ? `${text.slice(0, max - 1)}…` : text}"`;
}
