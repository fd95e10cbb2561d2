import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One run of a local engine binary, in epoch milliseconds. */
export interface EngineInterval {
  readonly engine: string;
  readonly start: number;
  readonly end: number;
}

export interface EngineProbe {
  /** Put first on the stack process's PATH: the wrappers shadow the real binaries. */
  readonly binDir: string;
  intervals(): Promise<EngineInterval[]>;
  dispose(): Promise<void>;
}

/** The local engines' binaries, as the adapters call them (PocketsphinxRecognizer, ApertiumTranslator). */
export const ENGINE_BINARIES = ['pocketsphinx_continuous', 'apertium'] as const;

/**
 * Times the speech and translation engines inside the real pipeline: a bash wrapper per binary, first on the
 * stack's PATH, logs start and end (bash's $EPOCHREALTIME, no extra process) around the real binary. The
 * engine time of a note is then measured on its own invocations, under the same load, not re-run apart.
 * Cost: one bash start per engine call (~2 ms).
 */
export async function createEngineProbe(): Promise<EngineProbe> {
  const binDir = await mkdtemp(path.join(tmpdir(), 'vnt-bench-engines-'));
  const logFile = path.join(binDir, 'engine-times.log');
  await writeFile(logFile, '');
  for (const name of ENGINE_BINARIES) {
    const real = execFileSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    await writeFile(
      path.join(binDir, name),
      [
        '#!/bin/bash',
        `start=$EPOCHREALTIME`,
        `${JSON.stringify(real)} "$@"`,
        'rc=$?',
        `printf '%s %s %s\\n' ${name} "$start" "$EPOCHREALTIME" >> ${JSON.stringify(logFile)}`,
        'exit $rc',
        '',
      ].join('\n'),
    );
    await chmod(path.join(binDir, name), 0o755);
  }
  return {
    binDir,
    async intervals() {
      return parseEngineLog(await readFile(logFile, 'utf8'));
    },
    dispose: () => rm(binDir, { recursive: true, force: true }),
  };
}

/** Lines `name start end` with times in epoch seconds (decimal, locale-independent `.` or `,`). */
export function parseEngineLog(text: string): EngineInterval[] {
  const toMs = (s: string) => Number(s.replace(',', '.')) * 1000;
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length === 3)
    .map(([engine, start, end]) => ({ engine: engine!, start: toMs(start!), end: toMs(end!) }))
    .filter((i) => Number.isFinite(i.start) && Number.isFinite(i.end) && i.end >= i.start);
}

/** Wall time covered by at least one interval within [from, to]: parallel chunks count once. */
export function coveredMs(intervals: readonly EngineInterval[], from: number, to: number): number {
  const clipped = intervals
    .map((i) => ({ start: Math.max(i.start, from), end: Math.min(i.end, to) }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let cursorEnd = Number.NEGATIVE_INFINITY;
  for (const i of clipped) {
    if (i.start >= cursorEnd) {
      total += i.end - i.start;
      cursorEnd = i.end;
    } else if (i.end > cursorEnd) {
      total += i.end - cursorEnd;
      cursorEnd = i.end;
    }
  }
  return total;
}
