import { TIER_NAMES } from '../../lib/config/tiers';
import { TRANSCRIBE_STREAMING } from '../../lib/config/limits';
import {
  COST_COMPONENTS,
  DEFAULT_USAGE,
  billedTranscribeSeconds,
  estimateCost,
  fastPathChunkLengths,
  fastPathRecognitionSeconds,
  notesStreamingAtOnce,
  type CostEstimate,
  type UsageProfile,
} from '../cost/cost-model';
import { US_EAST_1_PRICES, type PriceList } from '../cost/prices';
import { round } from '../lib/stats';
import type { SuiteContext, SuiteResult, Table } from '../lib/types';

const NOTES = 1_000;
const NOTE_SECONDS = 30;
const HIT_RATIOS = [0, 0.3, 0.6] as const;

const usd = (v: number) => (v >= 1 ? `$${v.toFixed(2)}` : v >= 0.01 ? `$${v.toFixed(3)}` : `$${v.toFixed(4)}`);

/** Chunks the real splitter made for a note of this length (from the pipeline suite, when it ran). */
export interface MeasuredChunks {
  readonly noteSeconds: number;
  readonly chunks: number;
}

/**
 * Cost per 1,000 notes of 30 s by component, tier and cache-hit ratio, and the fast path's cost and speed by
 * chunk length and note length (pure model, no measurement).
 */
export async function costSuite(
  _ctx: SuiteContext,
  measured: readonly MeasuredChunks[] = [],
  usage: UsageProfile = DEFAULT_USAGE,
  prices: PriceList = US_EAST_1_PRICES,
): Promise<SuiteResult> {
  const started = performance.now();
  const estimates: CostEstimate[] = [];
  for (const tier of TIER_NAMES) {
    for (const cacheHitRatio of HIT_RATIOS) {
      estimates.push(estimateCost({ tier, noteSeconds: NOTE_SECONDS, cacheHitRatio, notes: NOTES }, prices, usage));
    }
  }
  const at = (tier: string, h: number) => estimates.find((e) => e.tier === tier && e.cacheHitRatio === h)!;

  const byComponent: Table = {
    title: `Cost per ${NOTES.toLocaleString('en-US')} notes of ${NOTE_SECONDS} s by component (USD, ${prices.region})`,
    header: ['component', ...TIER_NAMES.flatMap((t) => HIT_RATIOS.map((h) => `${t} ${h * 100}%`))],
    rows: [
      ...COST_COMPONENTS.map((c) => [c, ...TIER_NAMES.flatMap((t) => HIT_RATIOS.map((h) => usd(at(t, h).components[c])))]),
      ['**total**', ...TIER_NAMES.flatMap((t) => HIT_RATIOS.map((h) => `**${usd(at(t, h).total)}**`))],
      ['path / billed Transcribe s per fresh note', ...TIER_NAMES.flatMap((t) => HIT_RATIOS.map((h) => `${at(t, h).path} / ${at(t, h).billedTranscribeSecondsPerNote}`))],
    ],
    note: `Columns: tier and audio-cache hit ratio. ${prices.asOf}.`,
  };

  // The fast path's price and speed: each chunk is its own stream with its own 15 s minimum, and a stream runs
  // at real time, so the longest chunk sets the recognition time (the chunks stream in parallel).
  /** Transcribe's minimum bill per request, in seconds (streams and batch jobs alike). */
  const minimum = prices.transcribeStreaming.minimumSecondsPerRequest;
  const perThousand = (s: number) => usd(((s / 60) * prices.transcribeStreaming.perMinute) * NOTES);
  const seconds = (v: number) => `${round(v, 1)} s`;
  const recognition = (note: number, chunk: number) => {
    const { best, worst } = fastPathRecognitionSeconds(note, chunk, usage.streaming);
    return best === worst ? `≈ ${seconds(best)}` : `${seconds(best)} – ${seconds(worst)}`;
  };
  const chunkOptions = [...new Set([3, 4, 5, usage.fastPathChunkSeconds, 10, 15])].sort((a, b) => a - b);
  const batchSeconds = billedTranscribeSeconds('batch', NOTE_SECONDS, usage.fastPathChunkSeconds, prices);
  const byChunk: Table = {
    title: `Fast path by chunk length: ${NOTES.toLocaleString('en-US')} fresh ${NOTE_SECONDS} s notes, streams paced at real time`,
    header: ['path', 'streams per note', 'billed seconds per note', 'Transcribe USD per 1,000', 'vs batch', 'recognition (no pause – worst pauses)', `notes streaming at once (${TRANSCRIBE_STREAMING.maxStreamsPerStage} streams)`],
    rows: [
      ...chunkOptions.map((chunk) => {
        const billed = billedTranscribeSeconds('fast', NOTE_SECONDS, chunk, prices);
        return [
          `fast path, ${chunk} s chunks${chunk === usage.fastPathChunkSeconds ? ' (default: AUDIO.fastPathChunkSeconds)' : ''}`,
          String(fastPathChunkLengths(NOTE_SECONDS, chunk).length),
          String(billed),
          perThousand(billed),
          `${round(billed / batchSeconds, 2)}×`,
          recognition(NOTE_SECONDS, chunk),
          String(notesStreamingAtOnce(NOTE_SECONDS, chunk)),
        ];
      }),
      ...measured
        .filter((m) => m.noteSeconds === NOTE_SECONDS)
        .map((m) => {
          // Every chunk of the default target is shorter than the 15 s minimum.
          const billed = Math.max(m.chunks * minimum, NOTE_SECONDS);
          return [`fast path as the splitter really cut the benchmark speech (${m.chunks} chunks)`, String(m.chunks), String(billed), perThousand(billed), `${round(billed / batchSeconds, 2)}×`, recognition(NOTE_SECONDS, usage.fastPathChunkSeconds), String(Math.floor(TRANSCRIBE_STREAMING.maxStreamsPerStage / m.chunks))];
        }),
      ['batch job', '0', String(batchSeconds), perThousand(batchSeconds), '1×', 'a queued job: not real time', 'Transcribe\'s own job quota'],
    ],
    note:
      `Recognition = ${usage.streaming.prepareSeconds} s download and split + ${usage.streaming.streamSetupSeconds} s stream setup + the longest chunk + ${usage.streaming.finalisationSeconds} s finalisation (assumptions: measure them in AWS). ` +
      'The splitter cuts at pauses within half a target of it, so a chunk can stretch to 1.5 targets; a remainder under half a target joins the last chunk. ' +
      `Under ${minimum} s a stream bills ${minimum} s whatever its length: shorter chunks buy speed with the bill and with streams, of which the stage holds a fixed number.`,
  };

  const noteLengths = [5, 9, 10, 15, 20, NOTE_SECONDS];
  const byNote: Table = {
    title: `Fast path by note length, ${usage.fastPathChunkSeconds} s chunks`,
    header: ['note', 'streams', 'billed seconds (fast / batch)', 'recognition'],
    rows: noteLengths.map((note) => [
      `${note} s`,
      String(fastPathChunkLengths(note, usage.fastPathChunkSeconds).length),
      `${billedTranscribeSeconds('fast', note, usage.fastPathChunkSeconds, prices)} / ${billedTranscribeSeconds('batch', note, usage.fastPathChunkSeconds, prices)}`,
      recognition(note, usage.fastPathChunkSeconds),
    ]),
    note: `A note of up to 1.5 chunks is one stream: it bills what a batch job bills (${minimum} s minimum either way) and takes its own length.`,
  };

  const totals: Table = {
    title: `Total per ${NOTES.toLocaleString('en-US')} notes of ${NOTE_SECONDS} s (USD)`,
    header: ['tier', ...HIT_RATIOS.map((h) => `${h * 100}% cache hits`), 'engines share at 0%'],
    rows: TIER_NAMES.map((t) => {
      const fresh = at(t, 0);
      const engines = fresh.components.transcribe + fresh.components.translate;
      return [t, ...HIT_RATIOS.map((h) => usd(at(t, h).total)), `${round((engines / fresh.total) * 100, 1)}%`];
    }),
  };

  return {
    suite: 'cost',
    title: 'Cost model',
    status: 'ok',
    durationMs: performance.now() - started,
    goals: [],
    tables: [totals, byComponent, byChunk, byNote],
    notes: [
      `Prices: ${prices.asOf}. Transcribe $${prices.transcribeBatch.perMinute}/min (batch and streaming, ${minimum} s minimum per request), Translate $${prices.translate.perMillionCharacters}/M chars, Lambda arm64 $${prices.lambdaArm64.perGbSecond}/GB-s + $${prices.lambdaArm64.perMillionRequests}/M requests, Step Functions standard $${prices.stepFunctionsStandard.perThousandTransitions}/1k transitions, DynamoDB on-demand $${prices.dynamoDbOnDemand.perMillionWriteUnits}/M WRU, $${prices.dynamoDbOnDemand.perMillionReadUnits}/M RRU, S3 $${prices.s3Standard.perThousandPuts}/1k PUT, API Gateway REST $${prices.apiGatewayRest.perMillionRequests}/M, SQS $${prices.sqsStandard.perMillionRequests}/M, CloudWatch Logs $${prices.cloudWatchLogs.perGbIngested}/GB, X-Ray $${prices.xRay.perMillionTracesRecorded}/M traces. CloudFront ($${prices.cloudFront.perGbOutNorthAmerica}/GB) serves only the web client and is not per note. Free tiers are ignored.`,
      `Usage assumptions (bench/cost/cost-model.ts DEFAULT_USAGE): ${usage.charsPerSpeechSecond} transcript chars per speech second, ${usage.fastPathChunkSeconds} s fast-path chunks, job item ${usage.jobItemKb} KB written ${usage.jobWrites.fast}× (+GSI), ${usage.restRequests} REST calls per note with progress over WebSocket, X-Ray sampling ${usage.xRaySampleRate * 100}%.`,
      'A cache hit still pays the upload, the normaliser (the audio hash is of decoded PCM) and the bookkeeping, but no engine.',
      `Fast path default: ${usage.fastPathChunkSeconds} s chunks, notes up to 30 s, ${TRANSCRIBE_STREAMING.maxStreamsPerStage} streams per stage. Paced streams cannot meet a < 5 s recognition target for a 30 s note at any chunk length (3 s chunks: ${recognition(NOTE_SECONDS, 3)} for 5× the batch bill, and one note at a time); ${usage.fastPathChunkSeconds} s chunks keep the bill at ${round(billedTranscribeSeconds('fast', NOTE_SECONDS, usage.fastPathChunkSeconds, prices) / batchSeconds, 2)}× and two 30 s notes streaming at once, for ${recognition(NOTE_SECONDS, usage.fastPathChunkSeconds)} of recognition.`,
    ],
    data: { prices, usage, estimates: estimates.map((e) => ({ ...e, total: e.total })) },
  };
}
