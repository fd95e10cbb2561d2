import { openAsBlob } from 'node:fs';
import { availableParallelism } from 'node:os';
import { audioContentType, VoiceNoteClient } from '../../client';
import type { JobStatus, StageTimings } from '../../functions/jobs/job';
import { PIPELINE_TARGETS_MS } from '../../lib/config/latency-targets';
import { coveredMs, type EngineInterval, type EngineProbe } from '../lib/engine-probe';
import { formatByLabel, makeNote, type NoteFormat } from '../lib/fixtures';
import type { BenchStack } from '../lib/local-stack';
import { median, round } from '../lib/stats';
import { PHASES, type Phase, phasesFrom, type StatusEvent } from '../../smoke/stage-phases';
import { timed } from '../lib/timing';
import { goal, type GoalResult, type SuiteContext, type SuiteResult, type Table } from '../lib/types';

/** Client-observed phases, in pipeline order (smoke/stage-phases.ts). */
export { PHASES, type Phase };

export interface NoteRun {
  readonly seconds: number;
  readonly variant: number;
  readonly inFlight: number;
  readonly createMs: number;
  readonly uploadMs: number;
  /** Upload stored → completed seen over the WebSocket: the pipeline's whole time. */
  readonly pipelineMs: number;
  /** POST /uploads sent → completed seen: what the user waits for. */
  readonly endToEndMs: number;
  /** Client-observed time in each phase (status change to status change). */
  readonly phases: Readonly<Record<Phase, number>>;
  readonly statuses: readonly JobStatus[];
  /** The pipeline's own stage timings from the job record. */
  readonly timings?: StageTimings;
  /** Wall time pocketsphinx / apertium ran for this note (parallel chunks counted once); notes one at a time only. */
  readonly speechEngineMs?: number;
  readonly translateEngineMs?: number;
  /** pocketsphinx runs for this note: the fast path's chunk count. */
  readonly speechRuns?: number;
  readonly cached: boolean;
  readonly status: JobStatus;
  readonly error?: string;
}

const NOTE_TIMEOUT_MS = 180_000;
const FORMAT = 'm4a/aac';
const OVERHEAD_GOAL = 0.1;
const CACHE_GOAL = 20;
const SPEECH = 'pocketsphinx_continuous';
const TRANSLATION = 'apertium';

/** performance.now() → epoch ms, the clock the engine probe's bash wrappers log in. */
const epoch = (at: number) => performance.timeOrigin + at;

class NoteRunner {
  private variant = 1;
  constructor(
    private readonly stack: BenchStack,
    private readonly client: VoiceNoteClient,
    private readonly probe: EngineProbe,
    private readonly format: NoteFormat,
  ) {}

  /** A note nobody sent before (its PCM hash is new), so the audio cache cannot answer. */
  async freshFile(seconds: number): Promise<{ file: string; variant: number }> {
    const variant = this.variant++;
    return { file: await makeNote(this.format, seconds, variant), variant };
  }

  /** One note through the API like the app sends it; `alone` = nothing else in flight, so engine runs are its own. */
  async run(seconds: number, file: string, variant: number, inFlight: number): Promise<NoteRun> {
    const contentType = audioContentType(undefined, file)!;
    const t0 = performance.now();
    const created = await this.client.createUpload({ contentType, targetLanguage: 'es' });
    const t1 = performance.now();
    const events: StatusEvent[] = [];
    const watch = this.client.watchJob(created.jobId, {
      timeoutMs: NOTE_TIMEOUT_MS,
      onUpdate: (update) => events.push({ status: update.status, at: performance.now() }),
    });
    // Phases are read off pushed updates: a watcher that fell back to polling would blur them.
    if ((await watch.ready) !== 'websocket') throw new Error(`job ${created.jobId}: no progress WebSocket`);
    const t2 = performance.now();
    await this.client.upload(created.upload, await openAsBlob(file, { type: contentType }));
    const uploadDone = performance.now();
    const snapshot = await watch.done;
    const end = events[events.length - 1]!.at;
    const record = await this.stack.jobRecord(created.jobId);
    let engines = {};
    if (inFlight === 1) {
      const within = (await this.probe.intervals()).filter((i) => i.start >= epoch(uploadDone) && i.end <= epoch(end));
      const of = (engine: string): EngineInterval[] => within.filter((i) => i.engine === engine);
      engines = {
        speechEngineMs: coveredMs(of(SPEECH), epoch(uploadDone), epoch(end)),
        translateEngineMs: coveredMs(of(TRANSLATION), epoch(uploadDone), epoch(end)),
        speechRuns: of(SPEECH).length,
      };
    }
    return {
      seconds,
      variant,
      inFlight,
      createMs: t1 - t0,
      uploadMs: uploadDone - t2,
      pipelineMs: end - uploadDone,
      endToEndMs: end - t0,
      phases: phasesFrom(uploadDone, events),
      statuses: events.map((e) => e.status),
      ...(record?.timings ? { timings: record.timings } : {}),
      ...engines,
      cached: snapshot.result?.cached ?? false,
      status: snapshot.status,
      ...(snapshot.error ? { error: `${snapshot.error.code}: ${snapshot.error.message}` } : {}),
    };
  }
}

const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : String(Math.round(v)));

interface ConcurrencyRow {
  inFlight: number;
  makespanMs: number;
  medianPipelineMs: number;
  maxPipelineMs: number;
  notesPerMinute: number;
}

/**
 * Fresh notes through the local stack with the real engines (pocketsphinx, apertium), observed like the app
 * observes them, and the engines' own run time taken from inside the same runs (bench/lib/engine-probe.ts):
 * what remains is the pipeline's overhead. Then notes in flight at once, and the audio-result cache.
 */
export async function pipelineSuite(ctx: SuiteContext, stack: BenchStack, probe: EngineProbe): Promise<SuiteResult> {
  const started = performance.now();
  const lengths = ctx.smoke ? [5, 20] : [5, 10, 15, 20, 30];
  const reps = ctx.smoke ? 1 : 3;
  const inFlightLevels = ctx.smoke ? [1, 4] : [1, 2, 4, 8];
  const concurrencyNoteSeconds = ctx.smoke ? 5 : 10;
  const format = formatByLabel(FORMAT);
  const client = new VoiceNoteClient({ baseUrl: stack.url, apiKey: stack.keys.premium, webSocketUrl: stack.webSocketUrl });
  const runner = new NoteRunner(stack, client, probe, format);
  const failures: string[] = [];
  const check = (run: NoteRun) => {
    if (run.status !== 'completed') failures.push(`${run.seconds} s note v${run.variant}: ${run.status} ${run.error ?? ''}`);
    return run;
  };

  // Warm-up: the first note loads every task handler module and pages in pocketsphinx's model.
  const warm = await runner.freshFile(5);
  check(await runner.run(5, warm.file, warm.variant, 1));
  ctx.log('pipeline: warm-up note done');

  // 1. Fresh notes by length, one at a time.
  const sequential: NoteRun[] = [];
  const firstFile = new Map<number, { file: string; variant: number }>();
  for (const seconds of lengths) {
    for (let r = 0; r < reps; r++) {
      const fresh = await runner.freshFile(seconds);
      if (!firstFile.has(seconds)) firstFile.set(seconds, fresh);
      const run = check(await runner.run(seconds, fresh.file, fresh.variant, 1));
      sequential.push(run);
      ctx.log(
        `pipeline ${seconds} s note: ${Math.round(run.pipelineMs)} ms after upload, engines ${Math.round((run.speechEngineMs ?? 0) + (run.translateEngineMs ?? 0))} ms (${run.speechRuns} pocketsphinx runs)`,
      );
    }
  }

  // 2. Notes in flight at once.
  const concurrency: ConcurrencyRow[] = [];
  for (const inFlight of inFlightLevels) {
    const files = await Promise.all(Array.from({ length: inFlight }, () => runner.freshFile(concurrencyNoteSeconds)));
    const batch = await timed(() => Promise.all(files.map((f) => runner.run(concurrencyNoteSeconds, f.file, f.variant, inFlight))));
    batch.value.forEach(check);
    const pipelineTimes = batch.value.map((r) => r.pipelineMs);
    concurrency.push({
      inFlight,
      makespanMs: batch.ms,
      medianPipelineMs: median(pipelineTimes),
      maxPipelineMs: Math.max(...pipelineTimes),
      notesPerMinute: (inFlight / batch.ms) * 60_000,
    });
    ctx.log(`pipeline ${inFlight} in flight: median ${Math.round(median(pipelineTimes))} ms, all done in ${Math.round(batch.ms)} ms`);
  }

  // 3. Cache: the same bytes again (same decoded PCM → audio-result cache hit) vs their own fresh run above.
  const cacheRuns: { fresh: NoteRun; hits: NoteRun[] }[] = [];
  for (const seconds of [lengths[0]!, lengths[lengths.length - 1]!]) {
    const { file, variant } = firstFile.get(seconds)!;
    const fresh = sequential.find((r) => r.variant === variant)!;
    const hits: NoteRun[] = [];
    for (let r = 0; r < 3; r++) hits.push(check(await runner.run(seconds, file, variant, 1)));
    cacheRuns.push({ fresh, hits });
    ctx.log(`cache ${seconds} s: fresh ${Math.round(fresh.pipelineMs)} ms, hit ${Math.round(median(hits.map((h) => h.pipelineMs)))} ms (cached=${hits.map((h) => h.cached).join(',')})`);
  }

  return report({ lengths, reps, sequential, concurrency, cacheRuns, failures, started, concurrencyNoteSeconds });
}

interface Collected {
  lengths: number[];
  reps: number;
  sequential: NoteRun[];
  concurrency: ConcurrencyRow[];
  cacheRuns: { fresh: NoteRun; hits: NoteRun[] }[];
  failures: string[];
  started: number;
  concurrencyNoteSeconds: number;
}

/** Per-length medians: the rows of the stage table and the bars of the chart. */
export interface StageRow {
  readonly seconds: number;
  readonly pipelineMs: number;
  readonly endToEndMs: number;
  readonly createMs: number;
  readonly uploadMs: number;
  readonly phases: Readonly<Record<Phase, number>>;
  readonly timings: StageTimings;
  readonly speechEngineMs: number;
  readonly translateEngineMs: number;
  readonly speechRuns: number;
  /** Speech + translation engines (median over the notes). */
  readonly engineMs: number;
  /** After upload − engines, per note, median. */
  readonly overheadMs: number;
  readonly overheadShare: number;
}

function report(c: Collected): SuiteResult {
  const rows: StageRow[] = c.lengths.map((seconds) => {
    const runs = c.sequential.filter((r) => r.seconds === seconds && r.status === 'completed' && r.speechEngineMs !== undefined);
    const med = (f: (r: NoteRun) => number | undefined) => {
      const v = runs.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
      return v.length === 0 ? Number.NaN : median(v);
    };
    const engine = (r: NoteRun) => (r.speechEngineMs ?? 0) + (r.translateEngineMs ?? 0);
    return {
      seconds,
      pipelineMs: med((r) => r.pipelineMs),
      endToEndMs: med((r) => r.endToEndMs),
      createMs: med((r) => r.createMs),
      uploadMs: med((r) => r.uploadMs),
      phases: Object.fromEntries(PHASES.map((p) => [p, med((r) => r.phases[p])])) as Record<Phase, number>,
      timings: {
        normalize: med((r) => r.timings?.normalize),
        transcribe: med((r) => r.timings?.transcribe),
        translate: med((r) => r.timings?.translate),
        total: med((r) => r.timings?.total),
      },
      speechEngineMs: med((r) => r.speechEngineMs),
      translateEngineMs: med((r) => r.translateEngineMs),
      speechRuns: med((r) => r.speechRuns),
      engineMs: med(engine),
      overheadMs: med((r) => r.pipelineMs - engine(r)),
      overheadShare: med((r) => (r.pipelineMs - engine(r)) / engine(r)),
    };
  });
  const valid = rows.filter((r) => Number.isFinite(r.pipelineMs) && Number.isFinite(r.engineMs) && r.engineMs > 0);
  const totalOverhead = valid.reduce((s, r) => s + r.overheadMs, 0);
  const totalEngine = valid.reduce((s, r) => s + r.engineMs, 0);
  const worst = valid.reduce<StageRow | undefined>((a, b) => (!a || b.overheadShare > a.overheadShare ? b : a), undefined);

  const cacheRatios = c.cacheRuns.map(({ fresh, hits }) => ({
    seconds: fresh.seconds,
    freshMs: fresh.pipelineMs,
    hitMs: median(hits.map((h) => h.pipelineMs)),
    hitEndToEndMs: median(hits.map((h) => h.endToEndMs)),
    freshEndToEndMs: fresh.endToEndMs,
    hitPhases: Object.fromEntries(PHASES.map((p) => [p, median(hits.map((h) => h.phases[p]))])) as Record<Phase, number>,
    allCached: hits.every((h) => h.cached),
  }));
  const worstCache = cacheRatios.reduce<(typeof cacheRatios)[number] | undefined>(
    (a, b) => (!a || b.freshMs / b.hitMs < a.freshMs / a.hitMs ? b : a),
    undefined,
  );
  const longest = valid[valid.length - 1];

  const goals: GoalResult[] = [];
  if (valid.length > 0) {
    goals.push(
      goal('pipeline', 'overhead-share', 'our overhead < 10 % of engine time (5–30 s notes)', round((totalOverhead / totalEngine) * 100, 1), '%', '<', OVERHEAD_GOAL * 100,
        `Σ overhead / Σ engine time over ${valid.length} lengths, engine time timed on the pipeline's own pocketsphinx/apertium runs; worst ${worst!.seconds} s note: ${round(worst!.overheadShare * 100, 1)} %`),
    );
  }
  if (worstCache) {
    goals.push(
      goal('pipeline', 'cache-speedup', 'cache hit ≥ 20× faster than fresh (same note again)', round(worstCache.freshMs / worstCache.hitMs, 1), '×', '>=', CACHE_GOAL,
        `${worstCache.seconds} s note: fresh ${Math.round(worstCache.freshMs)} ms vs hit ${Math.round(worstCache.hitMs)} ms after upload${worstCache.allCached ? '' : ' (NOT all repeats were served from the cache)'}`),
    );
  }
  if (longest) {
    goals.push(
      goal('pipeline', 'seed-recognition', `seed: recognition < ${PIPELINE_TARGETS_MS.recognition / 1000} s (${longest.seconds} s note, transcribe stage)`, Math.round(longest.timings.transcribe ?? longest.phases.transcribe), 'ms', '<', PIPELINE_TARGETS_MS.recognition,
        `pocketsphinx itself: ${Math.round(longest.speechEngineMs)} ms in ${longest.speechRuns} runs on ${availableParallelism()} cores`),
      goal('pipeline', 'seed-translation', `seed: translation < ${PIPELINE_TARGETS_MS.translation / 1000} s (${longest.seconds} s note, translate stage)`, Math.round(longest.timings.translate ?? longest.phases.translate), 'ms', '<', PIPELINE_TARGETS_MS.translation),
      goal('pipeline', 'seed-conversion-stage', `seed: conversion < ${PIPELINE_TARGETS_MS.conversion / 1000} s (${longest.seconds} s note, normalize stage)`, Math.round(longest.timings.normalize ?? longest.phases.normalize), 'ms', '<', PIPELINE_TARGETS_MS.conversion),
      goal('pipeline', 'seed-whole-note', `seed: whole note < ${PIPELINE_TARGETS_MS.wholeNote / 1000} s (${longest.seconds} s note, POST /uploads → completed)`, Math.round(longest.endToEndMs), 'ms', '<', PIPELINE_TARGETS_MS.wholeNote),
    );
  }

  const stageTable: Table = {
    title: `Fresh notes (${FORMAT}), one at a time, median of ${c.reps} (ms)`,
    header: ['note', 'POST /uploads', 'upload', 'intake (S3→SQS→SFN)', 'normalize', 'transcribe', 'translate + complete', 'after upload', 'end to end', 'pocketsphinx', 'apertium', 'overhead', 'overhead / engines'],
    rows: rows.map((r) => [
      `${r.seconds} s`, ms(r.createMs), ms(r.uploadMs), ms(r.phases.intake), ms(r.phases.normalize), ms(r.phases.transcribe), ms(r.phases.translate),
      ms(r.pipelineMs), ms(r.endToEndMs), `${ms(r.speechEngineMs)} (${ms(r.speechRuns)} ${r.speechRuns === 1 ? 'run' : 'runs'})`, ms(r.translateEngineMs), ms(r.overheadMs),
      Number.isFinite(r.overheadShare) ? `${round(r.overheadShare * 100, 1)} %` : '–',
    ]),
    note: 'Phases as the client sees them over the WebSocket (status change to status change). pocketsphinx/apertium: wall time the engines ran during that note (parallel chunks counted once), logged by wrappers around the binaries on the stack\'s PATH. Overhead = after upload − engines, per note, median.',
  };
  const timingsTable: Table = {
    title: 'The pipeline\'s own stage timings (job record `timings`, median, ms)',
    header: ['note', 'normalize', 'transcribe', 'translate', 'total (execution start → complete)', 'transcribe − pocketsphinx'],
    rows: rows.map((r) => [`${r.seconds} s`, ms(r.timings.normalize), ms(r.timings.transcribe), ms(r.timings.translate), ms(r.timings.total), ms((r.timings.transcribe ?? Number.NaN) - r.speechEngineMs)]),
  };
  const concurrencyTable: Table = {
    title: `${c.concurrencyNoteSeconds} s notes in flight at once`,
    header: ['in flight', 'median after upload (ms)', 'slowest (ms)', 'all done (ms)', 'notes / minute', 'median vs 1 in flight'],
    rows: c.concurrency.map((x) => [String(x.inFlight), ms(x.medianPipelineMs), ms(x.maxPipelineMs), ms(x.makespanMs), String(round(x.notesPerMinute, 1)), `${round(x.medianPipelineMs / c.concurrency[0]!.medianPipelineMs, 2)}×`]),
  };
  const cacheTable: Table = {
    title: 'Audio-result cache: the same note again (median of 3 hits)',
    header: ['note', 'fresh after upload (ms)', 'hit after upload (ms)', 'speed-up', 'hit: intake', 'hit: normalize + cache check', 'fresh end to end', 'hit end to end', 'served from cache'],
    rows: cacheRatios.map((x) => [`${x.seconds} s`, ms(x.freshMs), ms(x.hitMs), `${round(x.freshMs / x.hitMs, 1)}×`, ms(x.hitPhases.intake), ms(x.hitPhases.normalize + x.hitPhases.transcribe + x.hitPhases.translate), ms(x.freshEndToEndMs), ms(x.hitEndToEndMs), x.allCached ? 'yes' : 'NO']),
  };

  return {
    suite: 'pipeline',
    title: 'Pipeline on the local stack (pocketsphinx + apertium)',
    status: c.failures.length > 0 && valid.length === 0 ? 'failed' : 'ok',
    durationMs: performance.now() - c.started,
    goals,
    tables: [stageTable, timingsTable, concurrencyTable, cacheTable],
    notes: [
      ...c.failures.map((f) => `Note did not complete: ${f}`),
      `Cores: ${availableParallelism()}; the local recogniser runs at most one pocketsphinx per core, so notes in flight queue for the CPU.`,
      'The seed\'s recognition target is about the engine: locally that is pocketsphinx on this CPU (about real time per core, plus ~0.4 s model load per run); in AWS it is Transcribe.',
    ],
    data: { rows, sequential: c.sequential, concurrency: c.concurrency, cache: cacheRatios },
  };
}
