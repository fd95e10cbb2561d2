import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { PIPELINE_TARGETS_MS } from '../../lib/config/latency-targets';
import { ApertiumTranslator } from '../../local/engines/apertium-translator';
import { GOFORWARD_TEXT, POCKETSPHINX_TESTDATA as TESTDATA } from '../../test/helpers/audio-fixtures';
import { median, round } from '../lib/stats';
import { goal, type SuiteContext, type SuiteResult } from '../lib/types';

const NOTE_SECONDS = 30;
/** Seconds of speech in the source the notes loop: the five LibriVox clips (24.7 s) and goforward (2.8 s). */
const SOURCE_SECONDS = 27.5;
/** The seed's translation target, read on CPU time (see translationSuite). */
const GOAL_MS = PIPELINE_TARGETS_MS.translation;

export interface TargetTiming {
  readonly target: string;
  readonly route: string;
  /** Median wall time of one translate() of the whole transcript. */
  readonly wallMs: number;
  /** Median CPU time of the apertium processes it ran (user + system, all of them). */
  readonly cpuMs: number;
}

/**
 * Local translation time per target for a 30 s note's transcript: ApertiumTranslator.translate, as the
 * translate task calls it on a text-cache miss, one pair or two through a pivot. Targets run interleaved
 * (round by round) so background load hits them alike. The goal is read on CPU time (the kernel's count for
 * reaped children: every process of every pair): with the pairs' files in the page cache the work is CPU-bound
 * and its stages run concurrently, so on an idle machine the wall time is at most the CPU time, whereas on a
 * shared one the wall time mostly measures the other tenants.
 */
export async function translationSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const started = performance.now();
  const runs = ctx.smoke ? 3 : 7;
  const translator = new ApertiumTranslator();
  const routes = translator.routes().filter((route) => route.source === 'en');
  if (routes.length === 0) {
    return { suite: 'translation', title: 'Local translation per target', status: 'skipped', durationMs: 0, goals: [], tables: [], notes: ['No apertium pair from English is installed.'], data: null };
  }
  const text = await thirtySecondTranscript();
  ctx.log(`translation: ${routes.length} targets from en, ${text.split(' ').length} words, ${runs} runs each`);
  const samples = new Map(routes.map((route) => [route.target, { wall: [] as number[], cpu: [] as number[] }]));
  for (const route of routes) await translator.translate(text, 'en', route.target); // page cache warm-up
  for (let run = 0; run < runs; run++) {
    for (const route of routes) {
      const cpuBefore = childCpuMs();
      const wallStart = performance.now();
      await translator.translate(text, 'en', route.target);
      samples.get(route.target)!.wall.push(performance.now() - wallStart);
      samples.get(route.target)!.cpu.push(childCpuMs() - cpuBefore);
    }
  }
  const loadAverage = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  const timings: TargetTiming[] = routes.map((route) => ({
    target: route.target,
    route: route.via === undefined ? 'direct' : `via ${route.via}`,
    wallMs: round(median(samples.get(route.target)!.wall), 0),
    cpuMs: round(median(samples.get(route.target)!.cpu), 0),
  }));
  return {
    suite: 'translation',
    title: 'Local translation per target (apertium)',
    status: 'ok',
    durationMs: performance.now() - started,
    goals: timings.map((t) =>
      goal('translation', `translate-${t.target}`, `en → ${t.target} (${t.route}): a 30 s note's transcript in < ${GOAL_MS / 1000} s (CPU time, the idle wall time's bound)`,
        t.cpuMs, 'ms', '<', GOAL_MS, `median of ${runs}; wall ${t.wallMs} ms at load average ${loadAverage}`),
    ),
    tables: [
      {
        title: `Translating a ${NOTE_SECONDS} s note's transcript (${text.split(' ').length} words) from English`,
        header: ['target', 'route', 'wall (median)', 'CPU (median)'],
        rows: timings.map((t) => [t.target, t.route, `${t.wallMs} ms`, `${t.cpuMs} ms`]),
        note: `Median of ${runs} interleaved runs; load average ${loadAverage} at the end. A pivot runs two pairs one after the other.`,
      },
    ],
    notes: [],
    data: { runs, words: text.split(' ').length, timings },
  };
}

/** What pocketsphinx hears in a 30 s bench note: the reference transcripts, looped like the audio. */
async function thirtySecondTranscript(): Promise<string> {
  const lines = (await readFile(`${TESTDATA}/librivox/transcription`, 'utf8')).split('\n').filter(Boolean);
  const words = [...lines.map((line) => line.replace(/<\/?s>|\(.*\)/g, '').trim()), GOFORWARD_TEXT].join(' ').split(/\s+/);
  const wanted = Math.round((words.length * NOTE_SECONDS) / SOURCE_SECONDS);
  return Array.from({ length: wanted }, (_, i) => words[i % words.length]).join(' ');
}

/** CPU time of this process's reaped children, from /proc/self/stat (cutime + cstime, in 1/100 s). */
function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
