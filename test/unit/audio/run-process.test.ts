import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../../functions/audio/run-process';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-run-process-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tool that a terminal signal ends the first time it runs (as a Ctrl-C in the instant of its spawn would). */
const interruptedOnce = (marker: string, signal: string) => [
  '-c',
  `if [ -e "${marker}" ]; then echo second run; else touch "${marker}"; kill -${signal} $$; fi`,
];

describe('runProcess', () => {
  it.each(['INT', 'TERM'])('runs a tool again when a terminal signal (SIG%s) ended it', async (signal) => {
    const result = await runProcess('sh', interruptedOnce(path.join(dir, `marker-${signal}`), signal));

    expect(result).toMatchObject({ exitCode: 0, signal: null, stdout: 'second run\n' });
  });

  it('does not run a tool again that its timeout killed', async () => {
    const marker = path.join(dir, 'marker-timeout');
    const result = await runProcess('sh', ['-c', `echo run >> "${marker}"; sleep 5`], { timeoutMs: 200 });

    expect(result.signal).toBe('SIGKILL');
    expect(await readFile(marker, 'utf8')).toBe('run\n');
  });
});
