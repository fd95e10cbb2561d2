/**
 * The embedded local stack for end-to-end tests, driven over real HTTP only: a fresh stack on a free port
 * with a temporary state directory, and the API client (client/) for the calls the tests make, as an app
 * makes them. HTTP API calls go through Prism, which judges them against docs/openapi.json
 * (contract-proxy.ts); the WebSocket and the presigned uploads go to the stack itself.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { audioContentType, type CreatedUpload, type JobView, type PresignedUpload, VoiceNoteClient } from '../../client';
import type { TierName } from '../../lib/config/tiers';
import { LocalKeyProvisioner } from '../../local/gateway/local-key-provisioner';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack';
import { type ContractProxy, startContractProxy } from './contract-proxy';

export interface TestStack {
  /** The stack itself: the web client, the admin endpoint, raw connections. */
  readonly url: string;
  /** The HTTP API through the contract proxy (Prism): what the client, request() and API-calling tools use. */
  readonly apiUrl: string;
  readonly webSocketUrl: string;
  readonly keys: Readonly<Record<TierName, string>>;
  readonly stateDir: string;
  /** The key admin endpoint's bearer token. */
  readonly adminToken: string;
  /** The API client with `key`, following jobs over the stack's WebSocket: how tests call the API. */
  client(key: string): VoiceNoteClient;
  /**
   * Raw HTTP, for tests about the wire itself (exact statuses, the error body shape, the gateway's own
   * answers); returns status, headers and the parsed JSON body.
   */
  request(method: string, route: string, options?: RequestOptions): Promise<ApiAnswer>;
  /** A new key of `tier` through the loopback admin endpoint (what `npm run keys -- create` does). */
  createKey(tier: TierName, name?: string): Promise<{ apiKeyId: string; value: string }>;
  /** POST /uploads for `file`: the job (awaiting its upload) and its presigned POST. */
  createUpload(file: string, key: string, options?: SubmitOptions): Promise<CreatedUpload>;
  /** The presigned POST of `file`. */
  upload(upload: PresignedUpload, file: string, options?: SubmitOptions): Promise<void>;
  /** Both: returns the job id. */
  submit(file: string, key: string, options?: SubmitOptions): Promise<string>;
  /** Follows the job (WebSocket, polling as the fallback) until it is completed or failed; then its full view. */
  waitForJob(jobId: string, key: string, timeoutMs?: number): Promise<JobView>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  readonly key?: string;
  readonly body?: unknown;
  /**
   * Straight to the stack, past the contract proxy, for requests Prism cannot forward: those that break the
   * contract on purpose (Prism answers them itself: 401 without a key, 404 off the contract, 422 for an invalid
   * request) and its quirks (HEAD answers 405; a malformed JSON body hangs). @default false
   */
  readonly direct?: boolean;
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
  return options.contentType ?? audioContentType(undefined, file) ?? 'application/octet-stream';
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

  let proxy: ContractProxy;
  try {
    proxy = await startContractProxy(stack.url);
  } catch (error) {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }

  const request = async (method: string, route: string, opts: RequestOptions = {}) => {
    const response = await (opts.direct ? fetch : proxy.fetch)(`${opts.direct ? stack.url : proxy.url}${route}`, {
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

  const clients = new Map<string, VoiceNoteClient>();
  const client = (key: string): VoiceNoteClient => {
    let known = clients.get(key);
    if (!known) {
      known = new VoiceNoteClient({ baseUrl: proxy.url, apiKey: key, webSocketUrl: stack.webSocketUrl, fetch: proxy.fetch });
      clients.set(key, known);
    }
    return known;
  };

  const createUpload: TestStack['createUpload'] = async (file, key, opts = {}) => {
    const { size } = await stat(file);
    // sizeBytes must be positive; an empty file is still sent, for the pipeline to refuse.
    return client(key).createUpload({ contentType: contentTypeOf(file, opts), sizeBytes: Math.max(size, 1), targetLanguage: opts.targetLanguage ?? 'es' });
  };

  // The presigned POST is its own credential: uploads need no key.
  const keyless = new VoiceNoteClient({ baseUrl: proxy.url });
  const upload: TestStack['upload'] = async (presigned, file, opts = {}) => {
    await keyless.upload(presigned, await openAsBlob(file, { type: contentTypeOf(file, opts) }));
  };

  return {
    url: stack.url,
    apiUrl: proxy.url,
    webSocketUrl: stack.webSocketUrl,
    keys: stack.keys,
    stateDir,
    adminToken: stack.adminToken,
    client,
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
      await client(key).watchJob(jobId, { timeoutMs }).done;
      return client(key).getJob(jobId);
    },
    async stop() {
      try {
        await proxy.stop();
      } finally {
        await stack.stop();
        await rm(stateDir, { recursive: true, force: true });
      }
    },
  };
}
