import { availableParallelism } from 'node:os';
import { AUDIO } from '../../lib/config/limits';
import { US_EAST_1_PRICES } from '../cost/prices';
import type { ProfileShare } from '../lib/cpu-profile';
import { median, round } from '../lib/stats';
import type { SuiteResult } from '../lib/types';
import type { LoadRun } from '../suites/api';
import type { FunctionColdStart } from '../suites/cold-start';
import type { ConversionCell } from '../suites/conversion';
import type { Phase, StageRow } from '../suites/pipeline';

const dataOf = <T>(results: readonly SuiteResult[], suite: string): T | undefined => {
  const r = results.find((x) => x.suite === suite && x.status === 'ok');
  return (r?.data ?? undefined) as T | undefined;
};

const ms = (v: number) => `${Math.round(v)} ms`;

/**
 * Findings computed from this run's numbers, so "what is slow" follows the data of the run it sits in. The
 * code-level fixes that follow from them are argued in bench/README.md.
 */
export function deriveFindings(results: readonly SuiteResult[]): string[] {
  const findings: string[] = [];

  const conversion = dataOf<{ cells: ConversionCell[] }>(results, 'conversion');
  if (conversion && conversion.cells.length > 0) {
    const over = conversion.cells.filter((c) => c.ratioToDecode > 1.3);
    const floorBound = over.filter((c) => c.ratioToFloor <= 1.3);
    const shortest = Math.min(...conversion.cells.map((c) => c.seconds));
    const short = conversion.cells.filter((c) => c.seconds === shortest);
    findings.push(
      `Conversion: ${over.length}/${conversion.cells.length} cells exceed 1.3× bare decode, but ${floorBound.length} of those are within 1.3× of ffmpeg's own decode + resample to 16 kHz: the gap is the resampling the engines need (worst on wav/flac, whose decode is nearly free). ` +
        `Our wrapper adds a median ${ms(median(short.map((c) => c.normalizeMs - c.floorMs)))} over that floor on ${shortest} s notes; the pipeline step's separate probe adds ${ms(median(short.map((c) => c.probeAndNormalizeMs - c.normalizeMs)))} more.`,
    );
  }

  const cold = dataOf<{ functions: FunctionColdStart[] }>(results, 'cold-start');
  if (cold && cold.functions.length > 0) {
    const api = cold.functions.filter((f) => f.api);
    const contributors = new Map<string, { bytes: number; count: number }>();
    for (const f of cold.functions) {
      for (const i of f.topInputs) {
        const e = contributors.get(i.path) ?? { bytes: 0, count: 0 };
        contributors.set(i.path, { bytes: Math.max(e.bytes, i.bytes), count: e.count + 1 });
      }
    }
    const top = [...contributors.entries()].sort((a, b) => b[1].bytes * b[1].count - a[1].bytes * a[1].count).slice(0, 4);
    const withMaps = api.filter((f) => f.importNoSourceMapsMs !== undefined);
    findings.push(
      `Bundles: ${api.filter((f) => f.bundleBytes >= 150 * 1024).length}/${api.length} API bundles are ≥ 150 KB; ${api.filter((f) => f.initMs >= 100).length}/${api.length} need ≥ 100 ms to init. Largest inputs across all functions: ${top
        .map(([p, v]) => `${p} ${round(v.bytes / 1024, 0)} KB (in ${v.count})`)
        .join(', ')}.` +
        (withMaps.length > 0 ? ` NODE_OPTIONS=--enable-source-maps costs a median ${ms(median(withMaps.map((f) => f.importMs - f.importNoSourceMapsMs!)))} per API cold start.` : ''),
    );
  }

  const pipeline = dataOf<{ rows: StageRow[]; concurrency: { inFlight: number; medianPipelineMs: number; notesPerMinute: number }[]; cache: { seconds: number; hitMs: number; hitPhases: Record<Phase, number> }[] }>(
    results,
    'pipeline',
  );
  if (pipeline && pipeline.rows.length > 0) {
    const r = pipeline.rows[0]!;
    const parts: [string, number][] = [
      ['intake (S3 event → SQS → starter → Step Functions)', r.phases.intake],
      ['normalize stage', r.phases.normalize],
      ['transcribe stage beyond pocketsphinx', r.phases.transcribe - r.speechEngineMs],
      ['translate + complete beyond apertium', r.phases.translate - r.translateEngineMs],
    ];
    parts.sort((a, b) => b[1] - a[1]);
    findings.push(
      `Pipeline: on a ${r.seconds} s note the engines take ${ms(r.engineMs)} and everything else ${ms(r.overheadMs)} (${round(r.overheadShare * 100, 1)} %): ${parts.map(([n, v]) => `${n} ${ms(v)}`).join(', ')}.`,
    );
    const c = pipeline.concurrency;
    if (c.length > 1) {
      const last = c[c.length - 1]!;
      findings.push(
        `Notes in flight: ${round(c[0]!.notesPerMinute, 1)} notes/min with 1, ${round(last.notesPerMinute, 1)} with ${last.inFlight}; per-note latency grows ${round(last.medianPipelineMs / c[0]!.medianPipelineMs, 2)}× — pocketsphinx is CPU-bound on ${availableParallelism()} cores, so the local stack's throughput is the CPU's.`,
      );
    }
    for (const hit of pipeline.cache) {
      findings.push(
        `Cache hit (${hit.seconds} s note): ${ms(hit.hitMs)} after upload, of which intake ${ms(hit.hitPhases.intake)} and normalize with its cache check ${ms(hit.hitMs - hit.hitPhases.intake)}: the audio hash is of the decoded PCM, so a hit still downloads and decodes the note (no WAV upload, no further task).`,
      );
    }
  }

  const api = dataOf<{ runs: LoadRun[]; profile?: { requests: number; busyMs: number; categories: ProfileShare[] } }>(results, 'api');
  if (api) {
    const sat = api.runs.find((r) => r.name === 'uploads-max');
    const half = api.runs.find((r) => r.name === 'uploads');
    if (sat && half) {
      findings.push(
        `POST /uploads: the stack serves ${round(sat.throughputRps, 0)} req/s flat out (50 clients wait p50 ${sat.p50Ms} ms, i.e. queueing), and at half that rate p50 ${half.p50Ms} ms / p99 ${half.p99Ms} ms.` +
          (api.profile
            ? ` CPU per request in the stack process ${round(api.profile.busyMs / api.profile.requests, 2)} ms: ${api.profile.categories
                .slice(0, 5)
                .map((c) => `${c.name} ${round(c.share * 100, 0)} %`)
                .join(', ')}.`
            : ''),
      );
    }
  }

  const cost = results.find((r) => r.suite === 'cost' && r.status === 'ok');
  if (cost) {
    const estimates = (cost.data as { estimates: { tier: string; cacheHitRatio: number; total: number; components: Record<string, number> }[] }).estimates;
    const fresh = estimates.find((e) => e.tier === 'basic' && e.cacheHitRatio === 0);
    if (fresh) {
      findings.push(
        `Cost: Transcribe is ${round((fresh.components.transcribe! / fresh.total) * 100, 0)} % of a fresh note's cost, and the fast path's ~${AUDIO.fastPathChunkSeconds} s chunks each pay the ${US_EAST_1_PRICES.transcribeStreaming.minimumSecondsPerRequest} s streaming minimum (see the cost suite's path table).`,
      );
    }
  }
  return findings;
}
