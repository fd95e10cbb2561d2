/**
 * The embedded local stack for end-to-end tests, driven over real HTTP only: a fresh stack on a free port
 * with a temporary state directory, and small clients for the calls the tests make.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TierName } from '../../lib/config/tiers';
import type { JobView } from '../../functions/jobs/job-view';
import type { PresignedUpload } from '../../functions/jobs/upload-presigner';
import { audioContentType } from '../../local/cli/audio-content-type';
import { LocalKeyProvisioner } from '../../local/gateway/local-key-provisioner';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack';

export interface TestStack {
  readonly url: string;
  readonly webSocketUrl: string;
  readonly keys: Readonly<Record<TierName, string>>;
  readonly stateDir: string;
  /** The key admin endpoint's bearer token. */
  readonly adminToken: string;
  /** Any API call; returns status, headers and the parsed JSON body. */
  request(method: string, route: string, options?: { key?: string; body?: unknown }): Promise<ApiAnswer>;
  /** A new key of `tier` through the loopback admin endpoint (what `npm run keys -- create` does). */
  createKey(tier: TierName, name?: string): Promise<{ apiKeyId: string; value: string }>;
  /** POST /uploads for `file`: the job (awaiting its upload) and its presigned POST. */
  createUpload(file: string, key: string, options?: SubmitOptions): Promise<{ jobId: string; upload: PresignedUpload }>;
  /** The presigned POST of `file`, as a browser form upload. */
  upload(upload: PresignedUpload, file: string, options?: SubmitOptions): Promise<void>;
  /** Both: returns the job id. */
  submit(file: string, key: string, options?: SubmitOptions): Promise<string>;
  /** Polls GET /jobs/{id} until the job is completed or failed. */
  waitForJob(jobId: string, key: string, timeoutMs?: number): Promise<JobView>;
  stop(): Promise<void>;
}

export interface SubmitOptions {
  /** @default 'es' */
  readonly targetLanguage?: string;
  /** @default - from the file extension */
  readonly contentType?: string;
}

export interface ApiAnswer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

function contentTypeOf(file: string, options: SubmitOptions): string {
  return options.contentType ?? audioContentType(file) ?? 'application/octet-stream';
}

export async function startTestStack(options: Omit<LocalStackOptions, 'port' | 'stateDir'> = {}): Promise<TestStack> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'vnt-e2e-'));
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ ...options, port: 0, stateDir, fresh: true, quiet: true });
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }

  const request = async (method: string, route: string, opts: { key?: string; body?: unknown } = {}) => {
    const response = await fetch(`${stack.url}${route}`, {
      method,
      headers: {
        ...(opts.key !== undefined && { 'x-api-key': opts.key }),
        ...(opts.body !== undefined && { 'content-type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  };

  const createUpload: TestStack['createUpload'] = async (file, key, opts = {}) => {
    const { size } = await stat(file);
    const created = await request('POST', '/uploads', {
      key,
      body: { contentType: contentTypeOf(file, opts), sizeBytes: Math.max(size, 1), targetLanguage: opts.targetLanguage ?? 'es' },
    });
    if (created.status !== 201) throw new Error(`POST /uploads: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body as { jobId: string; upload: PresignedUpload };
  };

  const upload: TestStack['upload'] = async (presigned, file, opts = {}) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
    form.append('file', new Blob([await readFile(file)], { type: contentTypeOf(file, opts) }), path.basename(file));
    const stored = await fetch(presigned.url, { method: 'POST', body: form });
    if (!stored.ok) throw new Error(`presigned POST: ${stored.status} ${await stored.text()}`);
  };

  return {
    url: stack.url,
    webSocketUrl: stack.webSocketUrl,
    keys: stack.keys,
    stateDir,
    adminToken: stack.adminToken,
    request,
    createKey: (tier, name = `e2e-${tier}`) =>
      new LocalKeyProvisioner({ apiUrl: stack.url, adminToken: stack.adminToken }).create(name, tier),
    createUpload,
    upload,
    async submit(file, key, opts = {}) {
      const { jobId, upload: presigned } = await createUpload(file, key, opts);
      await upload(presigned, file, opts);
      return jobId;
    },
    async waitForJob(jobId, key, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = await request('GET', `/jobs/${jobId}`, { key });
        if (answer.status !== 200) throw new Error(`GET /jobs/${jobId}: ${answer.status} ${JSON.stringify(answer.body)}`);
        const job = answer.body as JobView;
        if (job.status === 'completed' || job.status === 'failed') return job;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
