/**
 * `npm run bench [-- --smoke] [-- --only a,b]`: runs the benchmark suites and writes bench/results/
 * (report.md, report.json, stage-breakdown.svg). A smoke run (< 2 min, for CI) writes bench/results/smoke/
 * so it never overwrites the full report. Goals are reported as pass/fail, never asserted: the process
 * exits non-zero only when a suite could not run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEngineProbe, type EngineProbe } from './lib/engine-probe';
import { startBenchStack, type BenchStack } from './lib/local-stack';
import { machineInfo } from './lib/machine';
import type { SuiteContext, SuiteResult } from './lib/types';
import { deriveFindings } from './report/findings';
import { renderReport, type BenchReport } from './report/markdown';
import { stageCharts } from './report/stage-chart';
import { apiSuite } from './suites/api';
import { coldStartSuite } from './suites/cold-start';
import { conversionSuite } from './suites/conversion';
import { costSuite, type MeasuredChunks } from './suites/cost';
import { experimentsSuite } from './suites/experiments';
import { pipelineSuite } from './suites/pipeline';
import { translationSuite } from './suites/translation';

// Cost last: it prices the chunk counts the pipeline suite measured.
const SUITES = ['cold-start', 'conversion', 'translation', 'pipeline', 'api', 'cost', 'experiments'] as const;
type SuiteName = (typeof SUITES)[number];
const NEEDS_STACK: readonly SuiteName[] = ['pipeline', 'api'];

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const smoke = values.smoke ?? false;
const selected = (values.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? [...SUITES]) as SuiteName[];
const unknown = selected.filter((s) => !SUITES.includes(s));
if (unknown.length > 0) {
  console.error(`Unknown suite(s): ${unknown.join(', ')}. Known: ${SUITES.join(', ')}`);
  process.exit(2);
}
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(values.out ?? path.join(benchDir, 'results', smoke ? 'smoke' : ''));

const started = performance.now();
const log = (message: string) => console.log(`[bench +${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`);
const ctx: SuiteContext = { smoke, log };
const machine = machineInfo();
log(`${smoke ? 'smoke' : 'full'} run of ${selected.join(', ')} on ${machine.cores} × ${machine.cpuModel}, ${machine.node}`);

let stack: BenchStack | undefined;
// The engine probe's wrappers time every pocketsphinx/apertium run the stack makes.
let engineProbe: EngineProbe | undefined;
const needStack = async (): Promise<BenchStack> => {
  engineProbe ??= await createEngineProbe();
  return (stack ??= await startBenchStack(log, { pathPrefix: [engineProbe.binDir] }));
};

async function runSuite(name: SuiteName): Promise<SuiteResult> {
  const suiteStarted = performance.now();
  try {
    switch (name) {
      case 'cost':
        return await costSuite(ctx, measuredChunks(results));
      case 'experiments':
        return await experimentsSuite(ctx);
      case 'cold-start':
        return await coldStartSuite(ctx);
      case 'conversion':
        return await conversionSuite(ctx);
      case 'translation':
        return await translationSuite(ctx);
      case 'pipeline':
        return await pipelineSuite(ctx, await needStack(), engineProbe!);
      case 'api':
        return await apiSuite(ctx, await needStack());
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${name} FAILED: ${message}`);
    return { suite: name, title: name, status: 'failed', durationMs: performance.now() - suiteStarted, goals: [], tables: [], notes: [], data: null, error: message };
  }
}

/** Fast-path chunk counts per note length: the pocketsphinx runs the pipeline suite saw per note. */
function measuredChunks(done: readonly SuiteResult[]): MeasuredChunks[] {
  const pipeline = done.find((r) => r.suite === 'pipeline' && r.status === 'ok');
  const rows = (pipeline?.data as { rows?: { seconds: number; speechRuns: number }[] } | null)?.rows ?? [];
  return rows.filter((r) => Number.isFinite(r.speechRuns)).map((r) => ({ noteSeconds: r.seconds, chunks: Math.round(r.speechRuns) }));
}

const results: SuiteResult[] = [];
try {
  for (const name of SUITES.filter((s) => selected.includes(s))) {
    log(`suite ${name}${NEEDS_STACK.includes(name) ? ' (local stack)' : ''}`);
    results.push(await runSuite(name));
  }
} finally {
  await stack?.stop();
  await engineProbe?.dispose();
}

const goals = results.flatMap((r) => r.goals);
const charts = stageCharts(results);
const report: BenchReport = {
  generatedAt: new Date().toISOString(),
  mode: smoke ? 'smoke' : 'full',
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  durationMs: performance.now() - started,
  machine,
  loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
  goals,
  suites: results,
  charts: charts ? ['stage-breakdown.svg', 'overhead-breakdown.svg'] : [],
  findings: deriveFindings(results),
};
await mkdir(outDir, { recursive: true });
await writeFile(path.join(outDir, 'report.md'), renderReport(report));
await writeFile(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
if (charts) {
  await writeFile(path.join(outDir, 'stage-breakdown.svg'), charts.stages);
  await writeFile(path.join(outDir, 'overhead-breakdown.svg'), charts.overhead);
}

log(`wrote ${path.relative(process.cwd(), outDir) || '.'}/report.md: ${goals.filter((g) => g.pass).length}/${goals.length} goals pass`);
for (const g of goals) log(`  ${g.pass ? 'PASS' : 'FAIL'} ${g.description}: ${g.measured} ${g.unit} (goal ${g.comparator} ${g.threshold})`);
const failed = results.filter((r) => r.status === 'failed');
if (failed.length > 0) {
  log(`suites that could not run: ${failed.map((f) => `${f.suite} (${f.error})`).join('; ')}`);
  process.exitCode = 1;
}
