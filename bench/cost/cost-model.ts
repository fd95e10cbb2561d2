import { planChunks } from '../../functions/audio/silence-plan';
import { AUDIO, CACHE_TTLS, DAY_SECONDS, STORAGE, TRANSCRIBE_STREAMING } from '../../lib/config/limits';
import { TIERS, type TierName } from '../../lib/config/tiers';
import type { PriceList } from './prices';

/**
 * Cost of voice notes by AWS component, from list prices and a per-path usage profile. Pure: no I/O, so the
 * report and its unit test compute the same table. The profile numbers are engineering estimates of what
 * the pipeline does per note (requests, item sizes, Lambda memory and duration); each is named and
 * documented so a reader can challenge one without reverse-engineering a total.
 */

export type RecognitionPath = 'fast' | 'batch';
export type NotePath = RecognitionPath | 'cache-hit';

export const COST_COMPONENTS = [
  'transcribe',
  'translate',
  'lambda',
  'stepFunctions',
  'dynamoDb',
  's3',
  'apiGateway',
  'sqs',
  'cloudWatchLogs',
  'xRay',
] as const;
export type CostComponent = (typeof COST_COMPONENTS)[number];
export type ComponentCosts = Readonly<Record<CostComponent, number>>;

export interface LambdaRun {
  readonly fn: string;
  readonly memoryMb: number;
  readonly durationMs: number;
}

/**
 * How long the fast path's recognition takes once streams are paced at real time (AWS: pre-recorded audio
 * must be sent at its real-time rate). The chunks stream in parallel, so a note takes its longest chunk plus
 * what comes before and after. The three figures are assumptions to check in AWS, not measurements.
 */
export interface StreamingLatencyProfile {
  /** Download the WAV from S3 and find its pauses (≈ 0.2–0.3 s for 30 s locally). */
  readonly prepareSeconds: number;
  /** Open a stream (TLS, HTTP/2, StartStreamTranscription): all chunks open theirs at once. */
  readonly streamSetupSeconds: number;
  /** From the last audio event to the stream's final results. */
  readonly finalisationSeconds: number;
}

/**
 * What one note consumes besides the engines: estimates read off the pipeline's code and state machine
 * (lib/constructs/pipeline-workflow.ts, functions/pipeline/**); see DEFAULT_USAGE for the reasoning.
 */
export interface UsageProfile {
  /** Transcript characters per second of speech (≈150 words/min × 6 chars incl. space). */
  readonly charsPerSpeechSecond: number;
  /** Fast path chunk length the splitter aims for. */
  readonly fastPathChunkSeconds: number;
  readonly streaming: StreamingLatencyProfile;
  /** Memory of the fast-path function; it runs for the recognition time (see fastPathRecognitionSeconds). */
  readonly fastTranscribeMemoryMb: number;
  /** Lambda runs per path, plus the client-facing API calls every note makes (the fast path's own run aside). */
  readonly lambda: Readonly<Record<'api' | NotePath, readonly LambdaRun[]>>;
  /** Standard-workflow state transitions per path. */
  readonly stateTransitions: Readonly<Record<NotePath, number>>;
  /** Job item size: each write costs ceil(kb) WRU, doubled because the GSI (history) is written too. */
  readonly jobItemKb: number;
  /** Job writes per path (create, queued, normalizing, stage patch, transcribing, translating, completed). */
  readonly jobWrites: Readonly<Record<NotePath, number>>;
  /**
   * Writes to GSI2, the sweeper's sparse index of jobs in flight (KEYS_ONLY, under 1 KB): a status change
   * moves the job from one `INFLIGHT#<status>` partition to the next (a delete and a put), the first puts it in,
   * the terminal one takes it out.
   */
  readonly inFlightIndexWrites: Readonly<Record<NotePath, number>>;
  /** Other single-unit writes: usage meter, stats, caches, WebSocket connection and subscription items. */
  readonly otherWrites: Readonly<Record<NotePath, number>>;
  /** Read units: key record, job reads, cache lookups, subscription queries per progress push. */
  readonly reads: Readonly<Record<NotePath, number>>;
  /** Raw upload size per second of audio (m4a/opus at ~32 kbit/s). */
  readonly rawBytesPerSecond: number;
  /** Client calls: POST /uploads plus GET /jobs/{id} reads (progress arrives over the WebSocket). */
  readonly restRequests: number;
  /** WebSocket messages (subscribe + one per status change) and connection minutes per note. */
  readonly webSocketMessages: number;
  readonly webSocketConnectionMinutes: number;
  /** S3 → SQS notification send, Lambda receive, delete. */
  readonly sqsRequests: number;
  /** Log bytes per Lambda invocation (START/END/REPORT + a few Powertools JSON lines). */
  readonly logBytesPerInvocation: number;
  /** Share of requests X-Ray records at scale (default sampling rule: 1/s reservoir + 5 %). */
  readonly xRaySampleRate: number;
}

const api = (fn: string, durationMs: number): LambdaRun => ({ fn, memoryMb: 512, durationMs });
// Memory as set in lib/constructs/pipeline-workflow.ts (normalize 1769 MB = one vCPU, fast-transcribe 1024 MB).
const starter = api('start-pipeline', 60);
// Normalize also looks up the audio-result cache; on a hit it completes the job and uploads no WAV.
const normalize: LambdaRun = { fn: 'normalize', memoryMb: 1769, durationMs: 400 };

export const DEFAULT_USAGE: UsageProfile = {
  charsPerSpeechSecond: 15,
  fastPathChunkSeconds: AUDIO.fastPathChunkSeconds,
  streaming: { prepareSeconds: 0.3, streamSetupSeconds: 0.3, finalisationSeconds: 1.5 },
  fastTranscribeMemoryMb: 1024,
  lambda: {
    api: [api('create-upload', 40), api('get-job', 25), api('progress connect+subscribe+disconnect', 60)],
    // Plus fast-transcribe itself, which streams every chunk in parallel for the recognition time.
    fast: [starter, normalize, api('translate', 200), api('complete', 60)],
    // The Transcribe job runs outside Lambda; the state machine waits on a task token at no cost.
    batch: [starter, normalize, api('start-transcription', 80), api('transcribe-events', 80), api('translate', 200), api('complete', 60)],
    'cache-hit': [starter, normalize],
  },
  // Normalize, CachedResult?, ShortNote?, then FastTranscribe, StreamsGranted?, StreamedTranscript or
  // TranscribeBatch, then Translate, Complete, Completed; a hit ends at CompletedFromCache.
  stateTransitions: { fast: 9, batch: 7, 'cache-hit': 3 },
  jobItemKb: 1.5,
  jobWrites: { fast: 7, batch: 7, 'cache-hit': 5 },
  // awaiting_upload, queued, normalizing, transcribing, translating: 5 in-flight statuses, each entered and left;
  // a cache hit leaves from normalizing.
  inFlightIndexWrites: { fast: 10, batch: 10, 'cache-hit': 6 },
  otherWrites: { fast: 7, batch: 7, 'cache-hit': 5 },
  reads: { fast: 11, batch: 11, 'cache-hit': 8 },
  rawBytesPerSecond: 4_000,
  restRequests: 2,
  webSocketMessages: 7,
  webSocketConnectionMinutes: 1,
  sqsRequests: 3,
  logBytesPerInvocation: 1_500,
  xRaySampleRate: 0.05,
};

/** Same rule as the pipeline: notes up to the tier's fast-path ceiling are chunked and streamed. */
export function recognitionPathFor(tier: TierName, noteSeconds: number): RecognitionPath {
  const max = TIERS[tier].fastPathMaxSeconds;
  return max > 0 && noteSeconds <= max ? 'fast' : 'batch';
}

/**
 * The chunks the splitter cuts a note into when it finds no pause (it then cuts at the target, and the last
 * chunk absorbs a remainder under half a target): the model's chunks are the real planner's.
 */
export function fastPathChunkLengths(noteSeconds: number, chunkSeconds: number): number[] {
  return planChunks(noteSeconds, chunkSeconds, []).map((range) => range.end - range.start);
}

/**
 * The fast path's recognition time in seconds for a note of `noteSeconds` cut into chunks of about
 * `chunkSeconds`, on streams paced at real time: prepare + setup + the longest chunk + finalisation. `best`
 * is the splitter's cut without pauses; `worst` is a chunk stretched to 1.5 targets by where the pauses
 * fall (the most functions/audio/silence-plan.ts allows).
 */
export function fastPathRecognitionSeconds(
  noteSeconds: number,
  chunkSeconds: number,
  latency: StreamingLatencyProfile = DEFAULT_USAGE.streaming,
): { readonly best: number; readonly worst: number } {
  const around = latency.prepareSeconds + latency.streamSetupSeconds + latency.finalisationSeconds;
  const lengths = fastPathChunkLengths(noteSeconds, chunkSeconds);
  const longest = Math.max(...lengths);
  const stretched = lengths.length === 1 ? longest : Math.max(longest, 1.5 * chunkSeconds);
  return { best: around + longest, worst: around + stretched };
}

/** Fast-path notes that can stream at once under the stage's bound, each holding one stream per chunk. */
export function notesStreamingAtOnce(noteSeconds: number, chunkSeconds: number, maxStreams: number = TRANSCRIBE_STREAMING.maxStreamsPerStage): number {
  return Math.floor(maxStreams / fastPathChunkLengths(noteSeconds, chunkSeconds).length);
}

/** Seconds Transcribe bills for one note on a path: per second, each request rounded up to its minimum. */
export function billedTranscribeSeconds(
  path: RecognitionPath,
  noteSeconds: number,
  chunkSeconds: number,
  prices: PriceList,
): number {
  if (path === 'batch') return Math.max(noteSeconds, prices.transcribeBatch.minimumSecondsPerRequest);
  const minimum = prices.transcribeStreaming.minimumSecondsPerRequest;
  return fastPathChunkLengths(noteSeconds, chunkSeconds).reduce((billed, length) => billed + Math.max(Math.ceil(length), minimum), 0);
}

/** Every Lambda run one note on `path` makes, the client's API calls included. */
export function lambdaRuns(path: NotePath, noteSeconds: number, usage: UsageProfile = DEFAULT_USAGE): LambdaRun[] {
  // fast-transcribe runs for the recognition time (the worst case: its Lambda bill is per millisecond it runs).
  const fastRun: LambdaRun = {
    fn: 'fast-transcribe',
    memoryMb: usage.fastTranscribeMemoryMb,
    durationMs: fastPathRecognitionSeconds(noteSeconds, usage.fastPathChunkSeconds, usage.streaming).worst * 1000,
  };
  return [...usage.lambda.api, ...usage.lambda[path], ...(path === 'fast' ? [fastRun] : [])];
}

/** GB-seconds Lambda bills for one run (per millisecond, at its memory). */
export function lambdaGbSeconds(run: LambdaRun): number {
  return (run.memoryMb / 1024) * (Math.ceil(run.durationMs) / 1000);
}

/** DynamoDB write units one note on `path` consumes: job writes (base table + GSI) and the other items. */
export function writeUnitsPerNote(path: NotePath, usage: UsageProfile = DEFAULT_USAGE): number {
  const jobWriteUnits = Math.ceil(usage.jobItemKb) * 2; // base table + GSI
  return usage.jobWrites[path] * jobWriteUnits + usage.inFlightIndexWrites[path] + usage.otherWrites[path];
}

const GB = 1024 ** 3;
const zero = (): Record<CostComponent, number> =>
  Object.fromEntries(COST_COMPONENTS.map((c) => [c, 0])) as Record<CostComponent, number>;

/** Cost in USD of ONE note that takes `path` (API calls included). */
export function costOfOneNote(
  path: NotePath,
  tier: TierName,
  noteSeconds: number,
  prices: PriceList,
  usage: UsageProfile = DEFAULT_USAGE,
): ComponentCosts {
  const c = zero();

  if (path !== 'cache-hit') {
    const perMinute = path === 'fast' ? prices.transcribeStreaming.perMinute : prices.transcribeBatch.perMinute;
    c.transcribe = (billedTranscribeSeconds(path, noteSeconds, usage.fastPathChunkSeconds, prices) / 60) * perMinute;
    c.translate = ((noteSeconds * usage.charsPerSpeechSecond) / 1e6) * prices.translate.perMillionCharacters;
  }

  const runs = lambdaRuns(path, noteSeconds, usage);
  const invocations = runs.length;
  for (const run of runs) {
    c.lambda += lambdaGbSeconds(run) * prices.lambdaArm64.perGbSecond + prices.lambdaArm64.perMillionRequests / 1e6;
  }

  c.stepFunctions = (usage.stateTransitions[path] / 1000) * prices.stepFunctionsStandard.perThousandTransitions;

  const wru = writeUnitsPerNote(path, usage);
  const tierRetentionMonths = TIERS[tier].historyRetentionDays / 30;
  // The job stays for its history retention (table + GSI); the cache entry for the audio-result TTL.
  const storedGbMonths =
    ((usage.jobItemKb * 2 * 1024) / GB) * tierRetentionMonths +
    (path === 'cache-hit' ? 0 : (usage.jobItemKb * 1024) / GB) * (CACHE_TTLS.audioResultSeconds / DAY_SECONDS / 30);
  c.dynamoDb =
    (wru / 1e6) * prices.dynamoDbOnDemand.perMillionWriteUnits +
    (usage.reads[path] / 1e6) * prices.dynamoDbOnDemand.perMillionReadUnits +
    storedGbMonths * prices.dynamoDbOnDemand.perGbMonth;

  // PUT-class: upload, normalised WAV (none on a cache hit), Transcribe's output. GET-class: HEAD + GET of the
  // upload, the WAV read by fast-transcribe (chunks stay in its /tmp) or by Transcribe, the transcript read.
  const puts = 1 + (path === 'cache-hit' ? 0 : 1) + (path === 'batch' ? 1 : 0);
  const gets = 2 + (path === 'fast' ? 1 : path === 'batch' ? 2 : 0);
  const wavBytes = noteSeconds * AUDIO.sampleRateHz * (AUDIO.bitsPerSample / 8) * AUDIO.channels;
  const s3GbMonths =
    ((noteSeconds * usage.rawBytesPerSecond) / GB) * (STORAGE.rawAudioRetentionDays / 30) +
    (path === 'cache-hit' ? 0 : wavBytes / GB) * (STORAGE.normalizedAudioRetentionDays / 30);
  c.s3 =
    (puts / 1000) * prices.s3Standard.perThousandPuts +
    (gets / 1000) * prices.s3Standard.perThousandGets +
    s3GbMonths * prices.s3Standard.perGbMonth;

  c.apiGateway =
    (usage.restRequests / 1e6) * prices.apiGatewayRest.perMillionRequests +
    (usage.webSocketMessages / 1e6) * prices.apiGatewayWebSocket.perMillionMessages +
    (usage.webSocketConnectionMinutes / 1e6) * prices.apiGatewayWebSocket.perMillionConnectionMinutes;
  c.sqs = (usage.sqsRequests / 1e6) * prices.sqsStandard.perMillionRequests;
  c.cloudWatchLogs = ((invocations * usage.logBytesPerInvocation) / GB) * prices.cloudWatchLogs.perGbIngested;
  // One trace per client request plus one for the pipeline execution.
  c.xRay = ((usage.restRequests + 1) * usage.xRaySampleRate * prices.xRay.perMillionTracesRecorded) / 1e6;
  return c;
}

export interface CostScenario {
  readonly tier: TierName;
  readonly noteSeconds: number;
  /** Share of notes whose audio hash is already cached, in [0, 1]. */
  readonly cacheHitRatio: number;
  readonly notes: number;
  /** Price fresh notes on this path. @default - the tier's rule (recognitionPathFor) */
  readonly path?: RecognitionPath;
}

export interface CostEstimate extends CostScenario {
  readonly path: RecognitionPath;
  readonly billedTranscribeSecondsPerNote: number;
  readonly components: ComponentCosts;
  readonly total: number;
}

/** Cost of `notes` notes of one length for one tier, blending fresh and cache-hit notes by the hit ratio. */
export function estimateCost(scenario: CostScenario, prices: PriceList, usage: UsageProfile = DEFAULT_USAGE): CostEstimate {
  const { tier, noteSeconds, cacheHitRatio, notes } = scenario;
  if (cacheHitRatio < 0 || cacheHitRatio > 1) throw new RangeError('cacheHitRatio must be within [0, 1]');
  if (noteSeconds <= 0 || notes < 0) throw new RangeError('noteSeconds must be > 0 and notes ≥ 0');
  const path = scenario.path ?? recognitionPathFor(tier, noteSeconds);
  const fresh = costOfOneNote(path, tier, noteSeconds, prices, usage);
  const hit = costOfOneNote('cache-hit', tier, noteSeconds, prices, usage);
  const components = zero();
  for (const k of COST_COMPONENTS) {
    components[k] = notes * ((1 - cacheHitRatio) * fresh[k] + cacheHitRatio * hit[k]);
  }
  const total = COST_COMPONENTS.reduce((sum, k) => sum + components[k], 0);
  return {
    ...scenario,
    path,
    billedTranscribeSecondsPerNote: billedTranscribeSeconds(path, noteSeconds, usage.fastPathChunkSeconds, prices),
    components,
    total,
  };
}
