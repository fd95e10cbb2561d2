import { availableParallelism } from 'node:os';
import { median, round } from '../lib/stats';
import type { SuiteResult } from '../lib/types';
import type { FunctionColdStart } from '../suites/cold-start';
import type { ConversionCell } from '../suites/conversion';
import type { StageRow } from '../suites/pipeline';

const dataOf = <T>(results: readonly SuiteResult[], suite: string): T | undefined => {
  const r = results.find((x) => x.suite === suite && x.status === 'ok');
  return (r?.data ?? undefined) as T | undefined;
};

/**
 * Findings computed from this run's numbers, so the report's "what is slow" follows the data rather than
 * an opinion written once. The hand analysis with code-level fixes is in bench/README.md.
 */
export function deriveFindings(results: readonly SuiteResult[]): string[] {
  const findings: string[] = [];

  const conversion = dataOf<{ cells: ConversionCell[] }>(results, 'conversion');
  if (conversion) {
    const over = conversion.cells.filter((c) => c.ratioToDecode > 1.3);
    if (over.length > 0) {
      const resampleBound = over.filter((c) => c.ratioToFloor <= 1.3);
      findings.push(
        `Conversion: ${over.length}/${conversion.cells.length} cells exceed 1.3× bare decode; in ${resampleBound.length} of them normalize is within 1.3× of ffmpeg's own decode+resample floor, i.e. the gap is resampling to 16 kHz (work the engines need), not our wrapper. ` +
          `Median cost of ours over the floor on the shortest notes: ${round(median(conversion.cells.filter((c) => c.seconds === conversion.cells[0]!.seconds).map((c) => c.normalizeMs - c.floorMs)), 1)} ms.`,
      );
    }
  }

  const cold = dataOf<{ functions: FunctionColdStart[] }>(results, 'cold-start');
  if (cold) {
    const api = cold.functions.filter((f) => f.api);
    const byInput = new Map<string, { bytes: number; count: number }>();
    for (const f of cold.functions) {
      for (const i of f.topInputs) {
        const e = byInput.get(i.path) ?? { bytes: 0, count: 0 };
        byInput.set(i.path, { bytes: Math.max(e.bytes, i.bytes), count: e.count + 1 });
      }
    }
    const top = [...byInput.entries()].sort((a, b) => b[1].bytes * b[1].count - a[1].bytes * a[1].count).slice(0, 4);
    findings.push(
      `Bundles: ${api.filter((f) => f.bundleBytes >= 150 * 1024).length}/${api.length} API bundles are ≥ 150 KB. Biggest contributors: ${top
        .map(([p, v]) => `${p} (${round(v.bytes / 1024, 0)} KB, in ${v.count} bundles' top inputs)`)
        .join('; ')}.`,
    );
  }

  const pipeline = dataOf<{ rows: StageRow[]; concurrency: { inFlight: number; medianPipelineMs: number; notesPerMinute: number }[] }>(results, 'pipeline');
  if (pipeline && pipeline.rows.length > 0) {
    const short = pipeline.rows[0]!;
    const parts: [string, number][] = [
      ['intake (S3 event → SQS → starter → Step Functions)', short.phases.intake],
      ['normalize stage', short.phases.normalize],
      ['transcribe stage beyond the engine', short.phases.transcribe - Math.min(short.speechEngineMs, short.phases.transcribe)],
      ['translate + complete beyond the engine', short.phases.translate - Math.min(short.translateEngineMs, short.phases.translate)],
    ];
    parts.sort((a, b) => b[1] - a[1]);
    findings.push(
      `Pipeline overhead on a ${short.seconds} s note is ${Math.round(short.overheadMs)} ms (${round(short.overheadShare * 100, 1)} % of engine time); largest parts: ${parts
        .slice(0, 3)
        .map(([n, v]) => `${n} ${Math.round(v)} ms`)
        .join(', ')}.`,
    );
    const c = pipeline.concurrency;
    if (c.length > 1) {
      const last = c[c.length - 1]!;
      findings.push(
        `Throughput: ${round(c[0]!.notesPerMinute, 1)} notes/min with 1 in flight, ${round(last.notesPerMinute, 1)} with ${last.inFlight}; per-note latency grows ${round(last.medianPipelineMs / c[0]!.medianPipelineMs, 2)}× (CPU-bound recognition on ${availableParallelism()} cores).`,
      );
    }
  }
  return findings;
}
