/**
 * End to end on the embedded local stack, over real HTTP only: real recorded speech (pocketsphinx-testdata's
 * "go forward ten meters") through POST /uploads, the presigned POST to S3, the queue, the synthesised state
 * machine and the local engines, back as a completed job with a Spanish translation.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GOFORWARD_TEXT,
  makeAudio,
  makeEmptyFile,
  makeImageFile,
  makeSilence,
  makeTextFile,
  makeTruncatedWithoutIndex,
} from '../helpers/audio-fixtures';
import { startTestStack, type TestStack } from '../helpers/local-stack';

const execFileAsync = promisify(execFile);
/** apertium eng-spa translates "go forward ten meters" as "Va de frente diez metros". */
const SPANISH = /diez metros/i;

let stack: TestStack;
let dir: string;
let premium: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vnt-e2e-audio-'));
  stack = await startTestStack();
  premium = stack.keys.premium;
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a recorded English voice note', () => {
  let firstRunMs = 0;
  let m4a: string;

  it('comes back completed with its transcript and a Spanish translation (m4a)', async () => {
    m4a = await makeAudio('m4a', dir);
    const started = Date.now();
    const job = await stack.waitForJob(await stack.submit(m4a, premium), premium);
    firstRunMs = Date.now() - started;

    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ transcript: GOFORWARD_TEXT, detectedLanguage: 'en', cached: false });
    expect(job.result?.translation).toMatch(SPANISH);
    expect(job.progress).toBe(100);
  });

  it('is answered from the cache the second time, much faster', async () => {
    const started = Date.now();
    const job = await stack.waitForJob(await stack.submit(m4a, premium), premium);
    const cachedMs = Date.now() - started;

    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ transcript: GOFORWARD_TEXT, cached: true });
    expect(job.result?.translation).toMatch(SPANISH);
    expect(cachedMs).toBeLessThan(firstRunMs / 2);
  });

  it('works in the other formats phones and browsers record (ogg/opus, mp3, webm)', async () => {
    const files = await Promise.all((['ogg', 'mp3', 'webm'] as const).map((format) => makeAudio(format, dir)));
    const jobs = await Promise.all(
      files.map(async (file) => stack.waitForJob(await stack.submit(file, premium), premium)),
    );
    for (const job of jobs) {
      expect(job.status).toBe('completed');
      expect(job.result?.transcript).toBe(GOFORWARD_TEXT);
      expect(job.result?.translation).toMatch(SPANISH);
    }
  });
});

describe('bad files', () => {
  it('end failed, each with its code', async () => {
    const cases: Array<[string, Promise<string>, string]> = [
      ['text', makeTextFile(dir), 'NOT_AUDIO'],
      ['image', makeImageFile(dir), 'NOT_AUDIO'],
      ['truncated', makeTruncatedWithoutIndex(dir), 'CORRUPT_AUDIO'],
      ['silence', makeSilence(dir), 'SILENT_AUDIO'],
    ];
    const outcomes = await Promise.all(
      cases.map(async ([name, file, code]) => {
        const job = await stack.waitForJob(await stack.submit(await file, premium), premium);
        return { name, expected: code, status: job.status, code: job.error?.code, message: job.error?.message };
      }),
    );
    for (const outcome of outcomes) {
      expect(outcome, outcome.name).toMatchObject({ status: 'failed', code: outcome.expected });
      expect(outcome.message, outcome.name).toEqual(expect.any(String));
    }
  });

  it('an empty file is refused by S3 at upload time (the policy signs 1..max bytes), as in AWS', async () => {
    const file = await makeEmptyFile(dir);
    const { jobId, upload } = await stack.createUpload(file, premium);

    await expect(stack.upload(upload, file)).rejects.toMatchObject({ status: 400, code: 'EMPTY_AUDIO', message: expect.stringMatching(/^Storage answered EntityTooSmall/) });
    await expect(stack.client(premium).getJob(jobId)).resolves.toMatchObject({ status: 'awaiting_upload' });
  });
});

describe('tenancy', () => {
  it("one key cannot see or delete another key's jobs or history", async () => {
    const jobId = await stack.submit(await makeAudio('mp3', dir, { name: 'tenancy' }), premium);
    const other = await stack.createKey('basic', 'e2e-other-tenant');

    const intruder = stack.client(other.value);
    const owner = stack.client(premium);

    await expect(intruder.getJob(jobId)).rejects.toMatchObject({ status: 404, code: 'JOB_NOT_FOUND' });
    // DELETE answers 204 whatever the job is (it must not reveal other tenants' jobs) and touches nothing.
    await expect(intruder.deleteJob(jobId)).resolves.toBeUndefined();
    await expect(intruder.listJobs()).resolves.toMatchObject({ items: [] });
    expect((await owner.listJobs()).items.map((job) => job.jobId)).toContain(jobId);
    await expect(owner.getJob(jobId)).resolves.toMatchObject({ jobId });
  });
});

describe('progress', () => {
  it('is pushed over the WebSocket, stage by stage, to the end', async () => {
    // flac: lossless, so a note no earlier test translated (no cache hit) and every stage runs.
    const file = await makeAudio('flac', dir, { name: 'progress' });
    const { jobId, upload } = await stack.createUpload(file, premium);
    const updates: string[] = [];
    const watch = stack.client(premium).watchJob(jobId, { timeoutMs: 60_000, onUpdate: (u, via) => updates.push(`${u.status}/${via}`) });
    // Subscribed before the upload, so no stage can be missed.
    expect(await watch.ready).toBe('websocket');
    await stack.upload(upload, file);
    const final = await watch.done;

    expect(final).toMatchObject({ status: 'completed', result: { transcript: GOFORWARD_TEXT } });
    expect(updates).toEqual(['awaiting_upload', 'queued', 'normalizing', 'transcribing', 'translating', 'completed'].map((s) => `${s}/websocket`));
  });

  it('refuses a connection without a valid key', async () => {
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${stack.webSocketUrl}?apiKey=not-a-key`);
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    expect([401, 403]).toContain(status);
  });
});

describe('npm run translate', () => {
  const cli = (args: string[]) =>
    execFileAsync('npx', ['tsx', 'local/translate-cli.ts', ...args, '--api', stack.apiUrl, '--ws', stack.webSocketUrl, '--json'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
    }).then(
      ({ stdout }) => ({ code: 0, output: JSON.parse(stdout) }),
      (error: { code: number; stdout: string }) => ({ code: error.code, output: JSON.parse(error.stdout) }),
    );

  it('translates a note end to end and prints JSON for scripts', async () => {
    const result = await cli([await makeAudio('mp3', dir, { name: 'cli' }), '--to', 'es', '--key', premium]);
    expect(result.code).toBe(0);
    expect(result.output).toMatchObject({ status: 'completed', result: { transcript: GOFORWARD_TEXT } });
    expect(result.output.result.translation).toMatch(SPANISH);
  });

  it('exits non-zero with the error code when the note fails', async () => {
    const result = await cli([await makeTextFile(dir, 'cli-not-audio.mp3'), '--key', premium]);
    expect(result.code).toBe(1);
    expect(result.output).toMatchObject({ status: 'failed', error: { code: 'NOT_AUDIO' } });
  });
});

describe('the README examples (client/examples/)', () => {
  const REPO = path.resolve(import.meta.dirname, '../..');
  const EXAMPLES = ['client/examples/translate-note.ts', 'client/examples/upload-and-follow.ts'];
  const run = (example: string, note: string) =>
    execFileAsync('npx', ['tsx', example, note, 'es'], {
      cwd: REPO,
      env: { ...process.env, VNT_API_URL: stack.apiUrl, VNT_WS_URL: stack.webSocketUrl, VNT_API_KEY: premium },
    });

  it.each(EXAMPLES)('%s is in the README exactly as it is in the repository', async (example) => {
    const [readme, code] = await Promise.all([readFile(path.join(REPO, 'README.md'), 'utf8'), readFile(path.join(REPO, example), 'utf8')]);
    expect(readme).toContain(code.trim());
  });

  it('translate-note.ts translates a note against the local stack', async () => {
    const { stdout, stderr } = await run(EXAMPLES[0]!, await makeAudio('webm', dir, { name: 'readme-example' }));
    expect(stdout.trim()).toMatch(new RegExp(`^${GOFORWARD_TEXT} → .*${SPANISH.source}`, 'i'));
    expect(stderr).toMatch(/uploaded 100%/);
    expect(stderr).toMatch(/completed \(100%\)/);
  });

  it('upload-and-follow.ts subscribes before it uploads and follows the note to its translation', async () => {
    const { stdout, stderr } = await run(EXAMPLES[1]!, await makeAudio('wav', dir, { name: 'readme-steps' }));
    expect(stdout.trim()).toMatch(new RegExp(`^${GOFORWARD_TEXT} → .*${SPANISH.source}`, 'i'));
    expect(stderr).toMatch(/following \S+ over websocket/);
    const stages = stderr.match(/^\w+(?= \(\d+%\)$)/gm);
    expect([stages?.at(0), stages?.at(-1)]).toEqual(['awaiting_upload', 'completed']);
  });
});

describe("the README's curl snippet", () => {
  /** The note the snippet sends: a pocketsphinx-testdata recording, encoded as a phone records it. */
  const readmeNote = () => makeAudio('m4a', dir, { name: 'readme-curl' });

  /** The first ```bash block under `### curl`, pointed at this stack, this key and this note. */
  async function curlSnippet(note: string): Promise<string> {
    const readme = await readFile(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /^### curl\n[\s\S]*?^```bash\n([\s\S]*?)^```$/m.exec(readme)?.[1];
    if (block === undefined) throw new Error('README.md has no ```bash block under "### curl"');
    const set = (script: string, name: string, value: string) => {
      const assignment = new RegExp(`^${name}=\\S+`, 'm');
      if (!assignment.test(script)) throw new Error(`the README's curl snippet no longer sets ${name}=`);
      return script.replace(assignment, `${name}='${value}'`);
    };
    return set(set(set(block, 'API', stack.apiUrl), 'KEY', premium), 'NOTE', note);
  }

  it('uploads a note with the presigned POST and follows it to its translation', async () => {
    const script = await curlSnippet(await readmeNote());
    // -e: a failing step fails the test, as it would stop a careful user.
    const { stdout, stderr } = await execFileAsync('bash', ['-e', '-o', 'pipefail', '-c', script], { timeout: 90_000 });
    const job = JSON.parse(stdout) as { status: string; result?: { transcript: string; translation: string } };
    expect(job).toMatchObject({ status: 'completed', result: { transcript: GOFORWARD_TEXT } });
    expect(job.result?.translation).toMatch(SPANISH);
    expect(stderr.trim().split('\n').at(-1)).toBe('completed');
  }, 120_000);
});
