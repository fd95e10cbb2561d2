import { TRANSCRIBE_STREAMING } from '../../lib/config/limits';
import { DAY_SECONDS } from '../../lib/config/limits';
import {
  DEFAULT_USAGE,
  fastPathChunkLengths,
  fastPathRecognitionSeconds,
  lambdaGbSeconds,
  lambdaRuns,
  type NotePath,
  type UsageProfile,
  writeUnitsPerNote,
} from '../cost/cost-model';
import { DEFAULT_QUOTAS } from './quotas';
import type { StatePath } from './template-facts';

/**
 * Which AWS quota or hot item binds first as daily volume grows. Pure: per-note figures come from the
 * synthesised state machine (transitions per path) and the cost model's usage profile (Lambda runs, write
 * units), quotas from quotas.ts; `npm run capacity` prints the tables docs/capacity.md quotes.
 */

/** The ways a note goes through the state machine, named by the states that tell them apart. */
export type WorkflowPath = NotePath | 'fast-fallback';

/** State names from lib/constructs/pipeline-workflow.ts that tell the paths apart. */
const STATES = { streamed: 'StreamedTranscript', fast: 'FastTranscribe', batch: 'TranscribeBatch', fromCache: 'CompletedFromCache' } as const;

export function classifyPath(path: StatePath): WorkflowPath {
  const has = (s: string) => path.states.includes(s);
  if (path.states.at(-1) === STATES.fromCache) return 'cache-hit';
  if (has(STATES.streamed)) return 'fast';
  if (has(STATES.fast) && has(STATES.batch)) return 'fast-fallback';
  if (has(STATES.batch)) return 'batch';
  throw new Error(`unrecognised path: ${path.states.join(' > ')}`);
}

/** State transitions per path, one per state entered (no retries): what Step Functions bills a Standard workflow. */
export function transitionsByPath(paths: readonly StatePath[]): Record<WorkflowPath, number> {
  const out: Partial<Record<WorkflowPath, number>> = {};
  for (const p of paths) {
    const name = classifyPath(p);
    if (out[name] !== undefined && out[name] !== p.states.length) throw new Error(`two ${name} paths of different lengths`);
    out[name] = p.states.length;
  }
  for (const name of ['fast', 'fast-fallback', 'batch', 'cache-hit'] as const) {
    if (out[name] === undefined) throw new Error(`no ${name} path in the state machine`);
  }
  return out as Record<WorkflowPath, number>;
}

export interface PerNoteFigures {
  readonly transitions: number;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  /** Seconds of Lambda run time: each second holds one unit of concurrency. */
  readonly lambdaBusySeconds: number;
  readonly dynamoWriteUnits: number;
}

/**
 * One note's footprint on a path, API calls included. A fast-path note refused by the stream lease pays the
 * batch path plus a short fast-transcribe run (it reads the lease, no audio).
 */
export function perNoteFigures(
  path: WorkflowPath,
  noteSeconds: number,
  transitions: Readonly<Record<WorkflowPath, number>>,
  usage: UsageProfile = DEFAULT_USAGE,
): PerNoteFigures {
  const refusedFastRun = { fn: 'fast-transcribe (refused)', memoryMb: usage.fastTranscribeMemoryMb, durationMs: 100 };
  const runs = path === 'fast-fallback' ? [...lambdaRuns('batch', noteSeconds, usage), refusedFastRun] : lambdaRuns(path, noteSeconds, usage);
  return {
    transitions: transitions[path],
    lambdaInvocations: runs.length,
    lambdaGbSeconds: runs.reduce((sum, r) => sum + lambdaGbSeconds(r), 0),
    lambdaBusySeconds: runs.reduce((sum, r) => sum + r.durationMs / 1000, 0),
    // A refusal is one conditional write on the lease item that fails (billed all the same).
    dynamoWriteUnits: path === 'fast-fallback' ? writeUnitsPerNote('batch', usage) + 1 : writeUnitsPerNote(path, usage),
  };
}

export interface CapacityAssumptions {
  /** Every note this long (the cost model's reference note; within every tier's fast-path ceiling). */
  readonly noteSeconds: number;
  /** Peak-hour rate over the day's average rate. */
  readonly peakToAverage: number;
  readonly cacheHitRatio: number;
  /** Wall time of one batch Transcribe job for such a note, from StartTranscriptionJob to its event. */
  readonly batchJobSeconds: number;
  /** Write units of one update to the STATS item: its flat counters grow with the languages seen. */
  readonly statsItemWriteUnits: number;
  /** Transcribe streams one stage may hold (the lease's bound). */
  readonly maxStreamsPerStage: number;
  /** REST requests per second the stage's throttle allows (lib/config/stages.ts). */
  readonly stageRestRateLimit: number;
}

export const DEFAULT_ASSUMPTIONS: Omit<CapacityAssumptions, 'stageRestRateLimit'> = {
  noteSeconds: 30,
  peakToAverage: 3,
  cacheHitRatio: 0,
  batchJobSeconds: 30,
  statsItemWriteUnits: 2,
  maxStreamsPerStage: TRANSCRIBE_STREAMING.maxStreamsPerStage,
};

export interface Constraint {
  readonly name: string;
  /** Demand at the peak rate, in the limit's unit. */
  readonly demand: number;
  /** NaN when AWS publishes none. */
  readonly limit: number;
  readonly unit: string;
  /** demand / limit; NaN without a limit. */
  readonly utilisation: number;
  /** What happens past the limit, in this code. */
  readonly past: string;
  readonly raise: string;
}

export interface CapacityAt {
  readonly notesPerDay: number;
  readonly peakNotesPerSecond: number;
  /** Fresh notes per second at peak the stream lease can take on the fast path; the rest fall back to batch. */
  readonly fastPathNotesPerSecond: number;
  readonly fallbackNotesPerSecond: number;
  /** Constraints by utilisation, highest first (those without a published limit last). */
  readonly constraints: readonly Constraint[];
}

/** Notes per second the stream lease lets through the fast path (Little's law: streams = rate × streams per note × hold). */
export function fastPathCapacity(a: Pick<CapacityAssumptions, 'noteSeconds' | 'maxStreamsPerStage'>, usage: UsageProfile = DEFAULT_USAGE): number {
  const streams = fastPathChunkLengths(a.noteSeconds, usage.fastPathChunkSeconds).length;
  const hold = fastPathRecognitionSeconds(a.noteSeconds, usage.fastPathChunkSeconds, usage.streaming).worst;
  return streams > a.maxStreamsPerStage ? 0 : a.maxStreamsPerStage / (streams * hold);
}

export function capacityAt(
  notesPerDay: number,
  transitions: Readonly<Record<WorkflowPath, number>>,
  a: CapacityAssumptions,
  usage: UsageProfile = DEFAULT_USAGE,
): CapacityAt {
  const peak = (notesPerDay / DAY_SECONDS) * a.peakToAverage;
  const fresh = peak * (1 - a.cacheHitRatio);
  const hits = peak * a.cacheHitRatio;
  const fast = Math.min(fresh, fastPathCapacity(a, usage));
  const fallback = fresh - fast;
  const figures = (p: WorkflowPath) => perNoteFigures(p, a.noteSeconds, transitions, usage);
  const mix: readonly [WorkflowPath, number][] = [['fast', fast], ['fast-fallback', fallback], ['cache-hit', hits]];
  const total = (f: (x: PerNoteFigures) => number) => mix.reduce((sum, [p, rate]) => sum + rate * f(figures(p)), 0);
  const streamsPerNote = fastPathChunkLengths(a.noteSeconds, usage.fastPathChunkSeconds).length;
  const hold = fastPathRecognitionSeconds(a.noteSeconds, usage.fastPathChunkSeconds, usage.streaming).worst;
  const Q = DEFAULT_QUOTAS;

  const constraint = (c: Omit<Constraint, 'utilisation'>): Constraint => ({ ...c, utilisation: c.demand / c.limit });
  const constraints = [
    constraint({
      name: 'Transcribe streams (the stage lease)',
      demand: fresh * streamsPerNote * hold,
      limit: a.maxStreamsPerStage,
      unit: 'streams in flight',
      past: 'the notes that find no streams take the batch path (slower, not failed); FastPathStreamsBusy counts them',
      raise: `the account's concurrent-stream quota (default ${Q.transcribeConcurrentStreams.value}, shared by stages), then TRANSCRIBE_STREAMING.maxStreamsPerStage`,
    }),
    constraint({
      name: 'Transcribe batch jobs in flight',
      demand: fallback * a.batchJobSeconds,
      limit: Q.transcribeConcurrentBatchJobs.value,
      unit: 'jobs',
      past: 'StartTranscriptionJob throttles: ENGINE_THROTTLED retried with backoff for about 4 minutes, then SERVICE_BUSY',
      raise: 'the concurrent batch jobs quota; or enable Transcribe job queueing in start-transcription (a code change)',
    }),
    constraint({
      name: 'Lambda concurrency',
      demand: total((f) => f.lambdaBusySeconds),
      limit: Q.lambdaConcurrentExecutions.value,
      unit: 'concurrent executions',
      past: 'invocations throttle: tasks retry Lambda.TooManyRequestsException, the API answers 5xx',
      raise: 'the account concurrency quota (shared by every function in the Region)',
    }),
    constraint({
      name: 'Step Functions state transitions',
      demand: total((f) => f.transitions),
      limit: Q.stepFunctionsStateTransitionsPerSecond.value,
      unit: 'transitions/s',
      past: 'transitions are throttled (executions slow down)',
      raise: 'the StateTransition quota',
    }),
    constraint({
      name: 'Step Functions StartExecution',
      demand: fresh + hits,
      limit: Q.stepFunctionsStartExecutionPerSecond.value,
      unit: 'executions/s',
      past: 'the starter fails the batch item; SQS redelivers it (3 receives, then the DLQ and the job fails)',
      raise: 'the StartExecution quota',
    }),
    constraint({
      name: 'DynamoDB hot item: STATS (every finished note)',
      demand: (fresh + hits) * a.statsItemWriteUnits,
      limit: Q.dynamoDbPartitionWritesPerSecond.value,
      unit: 'WCU/s on one item',
      past: 'Complete throttles on the counter; the task retries, then the note fails',
      raise: 'shard the counter (STATS#<n>, summed by GET /stats, which caches 10 minutes)',
    }),
    constraint({
      name: 'DynamoDB hot partition: GSI2 INFLIGHT#<status>',
      // Every note enters and leaves each in-flight status partition once (KEYS_ONLY entries, 1 WCU each).
      demand: (fresh + hits) * 2,
      limit: Q.dynamoDbPartitionWritesPerSecond.value,
      unit: 'WCU/s on one index partition',
      past: "the index throttles, and a GSI's throttling throttles the table's job writes (retried, then the note fails)",
      raise: 'shard the status partitions (INFLIGHT#<status>#<n>; the sweeper queries each)',
    }),
    constraint({
      name: 'DynamoDB hot item: the stream lease',
      demand: fast * 2 + fallback,
      limit: Q.dynamoDbPartitionWritesPerSecond.value,
      unit: 'WCU/s on one item',
      past: 'lease writes throttle: fast-transcribe fails over to ENGINE_THROTTLED retries',
      raise: 'never near it: the lease itself caps the fast path at a few notes per second',
    }),
    constraint({
      name: 'DynamoDB table writes',
      demand: total((f) => f.dynamoWriteUnits),
      limit: Q.dynamoDbTableWritesPerSecond.value,
      unit: 'WRU/s',
      past: 'on-demand throttles above the table quota or twice the previous peak',
      raise: 'the table throughput quota; warm a new table (or set a minimum warm throughput) before a launch',
    }),
    constraint({
      name: 'WebSocket new connections',
      demand: fresh + hits,
      limit: Q.apiGatewayWebSocketNewConnectionsPerSecond.value,
      unit: 'connections/s',
      past: 'connects are refused 429; clients fall back to polling GET /jobs/{id}',
      raise: 'the API Gateway WebSocket quota',
    }),
    constraint({
      name: 'REST API stage throttle',
      demand: (fresh + hits) * usage.restRequests,
      limit: a.stageRestRateLimit,
      unit: 'requests/s',
      past: 'the gateway answers 429 to every key',
      raise: 'lib/config/stages.ts apiThrottle (the account limit is 10,000 requests/s per Region)',
    }),
    constraint({
      name: 'Amazon Translate TranslateText',
      demand: fresh,
      limit: Q.translateTextRequestsPerSecond.value,
      unit: 'requests/s',
      past: 'ENGINE_THROTTLED retried with backoff, then SERVICE_BUSY',
      raise: 'AWS Support (no published rate); the text cache absorbs repeats',
    }),
  ];
  const rank = (c: Constraint) => (Number.isNaN(c.utilisation) ? -1 : c.utilisation);
  return {
    notesPerDay,
    peakNotesPerSecond: peak,
    fastPathNotesPerSecond: fast,
    fallbackNotesPerSecond: fallback,
    constraints: [...constraints].sort((x, y) => rank(y) - rank(x)),
  };
}
