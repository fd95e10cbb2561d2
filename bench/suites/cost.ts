import { TIER_NAMES } from '../../lib/config/tiers';
import {
  COST_COMPONENTS,
  DEFAULT_USAGE,
  billedTranscribeSeconds,
  estimateCost,
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

/** Cost per 1,000 notes of 30 s, by component, tier and cache-hit ratio (pure model, no measurement). */
/** Chunks the real splitter made for a note of this length (from the pipeline suite, when it ran). */
export interface MeasuredChunks {
  readonly noteSeconds: number;
  readonly chunks: number;
}

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

  // The fast path's price: each chunk is its own stream and pays the 15 s minimum. Longer chunks bill less
  // but a stream runs at about real time, so the longest chunk sets the recognition latency.
  const perThousand = (s: number) => usd(((s / 60) * prices.transcribeStreaming.perMinute) * NOTES);
  const chunkOptions = [...new Set([usage.fastPathChunkSeconds, 10, 15, NOTE_SECONDS])].sort((a, b) => a - b);
  const batchSeconds = billedTranscribeSeconds('batch', NOTE_SECONDS, usage.fastPathChunkSeconds, prices);
  const whatIf: Table = {
    title: `Transcribe cost of ${NOTES.toLocaleString('en-US')} fresh ${NOTE_SECONDS} s notes by recognition path`,
    header: ['path', 'requests per note', 'billed seconds per note', 'USD per 1,000', 'vs batch', 'recognition latency'],
    rows: [
      ...chunkOptions.map((chunk) => {
        const billed = billedTranscribeSeconds('fast', NOTE_SECONDS, chunk, prices);
        return [
          `fast path, ${chunk} s chunks${chunk === usage.fastPathChunkSeconds ? ' (today: AUDIO.fastPathChunkSeconds)' : ''}`,
          String(Math.ceil(NOTE_SECONDS / chunk)),
          String(billed),
          perThousand(billed),
          `${round(billed / batchSeconds, 2)}×`,
          `≈ ${Math.min(chunk, NOTE_SECONDS)} s (streams in parallel, each at about real time)`,
        ];
      }),
      ...measured
        .filter((m) => m.noteSeconds === NOTE_SECONDS)
        .map((m) => {
          // Every chunk of a ~6 s target is shorter than the 15 s minimum.
          const billed = Math.max(m.chunks * prices.transcribeStreaming.minimumSecondsPerRequest, NOTE_SECONDS);
          return [`fast path as the splitter really cut the benchmark speech (${m.chunks} chunks)`, String(m.chunks), String(billed), perThousand(billed), `${round(billed / batchSeconds, 2)}×`, `≈ ${usage.fastPathChunkSeconds} s`];
        }),
      ['batch job', '1', String(batchSeconds), perThousand(batchSeconds), '1×', 'a queued job: not real time'],
    ],
    note: 'Streaming bills every request at least 15 s, so chunks shorter than 15 s multiply the Transcribe bill. The splitter cuts at pauses, often more often than duration ÷ target (see the pipeline suite\'s chunk counts), which makes it worse.',
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
    tables: [totals, byComponent, whatIf],
    notes: [
      `Prices: ${prices.asOf}. Transcribe $${prices.transcribeBatch.perMinute}/min (batch and streaming, 15 s minimum per request), Translate $${prices.translate.perMillionCharacters}/M chars, Lambda arm64 $${prices.lambdaArm64.perGbSecond}/GB-s + $${prices.lambdaArm64.perMillionRequests}/M requests, Step Functions standard $${prices.stepFunctionsStandard.perThousandTransitions}/1k transitions, DynamoDB on-demand $${prices.dynamoDbOnDemand.perMillionWriteUnits}/M WRU, $${prices.dynamoDbOnDemand.perMillionReadUnits}/M RRU, S3 $${prices.s3Standard.perThousandPuts}/1k PUT, API Gateway REST $${prices.apiGatewayRest.perMillionRequests}/M, SQS $${prices.sqsStandard.perMillionRequests}/M, CloudWatch Logs $${prices.cloudWatchLogs.perGbIngested}/GB, X-Ray $${prices.xRay.perMillionTracesRecorded}/M traces. CloudFront ($${prices.cloudFront.perGbOutNorthAmerica}/GB) serves only the web client and is not per note. Free tiers are ignored.`,
      `Usage assumptions (bench/cost/cost-model.ts DEFAULT_USAGE): ${usage.charsPerSpeechSecond} transcript chars per speech second, ${usage.fastPathChunkSeconds} s fast-path chunks, job item ${usage.jobItemKb} KB written ${usage.jobWrites.fast}× (+GSI), ${usage.restRequests} REST calls per note with progress over WebSocket, X-Ray sampling ${usage.xRaySampleRate * 100}%.`,
      'A cache hit still pays the upload, the normaliser (the audio hash is of decoded PCM) and the bookkeeping, but no engine.',
    ],
    data: { prices, usage, estimates: estimates.map((e) => ({ ...e, total: e.total })) },
  };
}
