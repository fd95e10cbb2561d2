import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WebSocket } from 'ws';
import type { JobResult, JobStatus } from '../../functions/jobs/job';
import { isTerminal } from '../../functions/jobs/job';

/**
 * A benchmark client that behaves like the mobile app: POST /uploads, subscribe to the job's progress over
 * the WebSocket, upload with the presigned POST, then read the finished job once. Status changes are
 * time-stamped as they arrive, which gives the per-stage breakdown from the client's side.
 */

export interface CreatedUpload {
  readonly jobId: string;
  readonly upload: { readonly url: string; readonly fields: Readonly<Record<string, string>> };
}

export interface JobSnapshot {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly result?: JobResult;
  readonly error?: { readonly code: string; readonly message: string };
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
  ) {}

  async createUpload(contentType: string, targetLanguage = 'es'): Promise<CreatedUpload> {
    const res = await fetch(`${this.baseUrl}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
      body: JSON.stringify({ contentType, targetLanguage }),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST /uploads answered ${res.status}: ${text}`);
    return JSON.parse(text) as CreatedUpload;
  }

  /** The presigned POST, file field last (S3 ignores fields after it). */
  async upload(created: CreatedUpload, file: string, contentType: string): Promise<void> {
    const form = new FormData();
    for (const [name, value] of Object.entries(created.upload.fields)) form.append(name, value);
    form.append('file', new Blob([await readFile(file)], { type: contentType }), path.basename(file));
    const res = await fetch(created.upload.url, { method: 'POST', body: form });
    if (res.status < 200 || res.status >= 300) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  }

  async getJob(jobId: string): Promise<JobSnapshot> {
    const res = await fetch(`${this.baseUrl}/jobs/${jobId}`, { headers: { 'x-api-key': this.apiKey } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /jobs/${jobId} answered ${res.status}: ${text}`);
    return JSON.parse(text) as JobSnapshot;
  }
}

export interface StatusEvent {
  readonly status: JobStatus;
  /** performance.now() when the message arrived. */
  readonly at: number;
}

interface Watch {
  readonly events: StatusEvent[];
  resolve(snapshot: JobSnapshot): void;
  reject(error: Error): void;
  subscribed?: () => void;
}

/** One WebSocket connection following many jobs; `follow` resolves when the job ends. */
export class ProgressWatcher {
  private readonly watches = new Map<string, Watch>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.onMessage(data.toString()));
    socket.on('close', () => {
      for (const watch of this.watches.values()) watch.reject(new Error('the progress WebSocket closed'));
    });
  }

  static open(webSocketUrl: string, apiKey: string): Promise<ProgressWatcher> {
    return new Promise((resolve, reject) => {
      // `?apiKey=`: browsers cannot set handshake headers, so the WebSocket API's authorizer reads the query.
      const url = new URL(webSocketUrl);
      url.searchParams.set('apiKey', apiKey);
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new ProgressWatcher(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode}`)));
    });
  }

  /**
   * Subscribes and waits for the subscription to be acknowledged, so no status change can be missed; the
   * returned promise settles when the job completes or fails, with every status change time-stamped.
   */
  async follow(jobId: string, timeoutMs: number): Promise<{ events: readonly StatusEvent[]; done: Promise<JobSnapshot> }> {
    const events: StatusEvent[] = [];
    let subscribed!: () => void;
    const acknowledged = new Promise<void>((r) => (subscribed = r));
    const done = new Promise<JobSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`job ${jobId} did not finish within ${timeoutMs} ms (saw ${events.map((e) => e.status).join(' → ')})`)), timeoutMs);
      this.watches.set(jobId, {
        events,
        subscribed,
        resolve: (s) => {
          clearTimeout(timer);
          this.watches.delete(jobId);
          resolve(s);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.watches.delete(jobId);
          reject(e);
        },
      });
    });
    done.catch(() => undefined);
    this.socket.send(JSON.stringify({ action: 'subscribe', jobId }));
    await Promise.race([acknowledged, new Promise((_, reject) => setTimeout(() => reject(new Error(`no subscription ack for ${jobId}`)), 10_000))]);
    return { events, done };
  }

  close(): void {
    this.socket.close();
  }

  private onMessage(text: string): void {
    const at = performance.now();
    let message: { type?: string; jobId?: string; status?: JobStatus; result?: JobResult; error?: JobSnapshot['error']; message?: string };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const watch = message.jobId === undefined ? undefined : this.watches.get(message.jobId);
    if (!watch) return;
    // The subscribe route answers with the job's current state as well as the ack; either means "subscribed".
    watch.subscribed?.();
    if (message.type !== 'job' || message.status === undefined) return;
    const last = watch.events[watch.events.length - 1];
    if (last?.status !== message.status) watch.events.push({ status: message.status, at });
    if (isTerminal(message.status)) {
      watch.resolve({ jobId: message.jobId!, status: message.status, ...(message.result ? { result: message.result } : {}), ...(message.error ? { error: message.error } : {}) });
    }
  }
}
