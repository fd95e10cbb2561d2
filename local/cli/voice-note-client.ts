import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { isTerminal, type JobError, type JobResult, type JobStatus } from '../../functions/jobs/job';
import type { JobView } from '../../functions/jobs/job-view';
import type { PresignedUpload } from '../../functions/jobs/upload-presigner';

/** An error answer of the API (`{"error":{code,message}}`) or of API Gateway itself (`{"message"}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CreatedUpload {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly upload: PresignedUpload;
}

export interface UploadRequest {
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly targetLanguage?: string;
  readonly sourceLanguage?: string;
}

export interface JobUpdate {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly result?: JobResult;
  readonly error?: JobError;
}

export interface WatchOptions {
  /** WebSocket progress URL; without it the client polls. */
  readonly webSocketUrl?: string;
  readonly timeoutMs: number;
  onUpdate(update: JobUpdate): void;
}

/** A small client of the public API: what the CLI (and any script) needs to translate one voice note. */
export class VoiceNoteClient {
  constructor(
    private readonly apiUrl: string,
    private readonly apiKey: string,
  ) {}

  createUpload(request: UploadRequest): Promise<CreatedUpload> {
    return this.call('POST', '/uploads', request) as Promise<CreatedUpload>;
  }

  getJob(jobId: string): Promise<JobView> {
    return this.call('GET', `/jobs/${encodeURIComponent(jobId)}`) as Promise<JobView>;
  }

  /**
   * Uploads the note with the presigned POST (form fields first, the file last), reporting bytes sent.
   * Built by hand rather than with fetch+FormData because fetch cannot report upload progress.
   */
  async upload(upload: PresignedUpload, file: Buffer, contentType: string, onProgress: (sent: number) => void): Promise<void> {
    const boundary = `----vnt${randomBytes(12).toString('hex')}`;
    const parts = Object.entries(upload.fields).map(
      ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    );
    const head = Buffer.from(
      `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="note"\r\n` +
        `Content-Type: ${contentType}\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL(upload.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    await new Promise<void>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': head.length + file.length + tail.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else {
              const body = Buffer.concat(chunks).toString('utf8');
              const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `HTTP_${status}`;
              const message = /<Message>([^<]+)<\/Message>/.exec(body)?.[1] ?? body.slice(0, 200);
              reject(new ApiError(status, `UPLOAD_${code}`, `The storage service refused the upload: ${message}`));
            }
          });
        },
      );
      req.on('error', reject);
      req.write(head);
      const chunkSize = 64 * 1024;
      const writeFrom = (offset: number): void => {
        while (offset < file.length) {
          const end = Math.min(offset + chunkSize, file.length);
          const flushed = req.write(file.subarray(offset, end));
          offset = end;
          onProgress(offset);
          if (!flushed) {
            req.once('drain', () => writeFrom(offset));
            return;
          }
        }
        req.end(tail);
      };
      writeFrom(0);
    });
  }

  /**
   * Follows a job to its end: WebSocket updates when a URL is given (the server pushes the current state on
   * subscribe, then every change), with polling of GET /jobs/{id} as the fallback and as a slow safety net.
   */
  async watch(jobId: string, options: WatchOptions): Promise<JobUpdate> {
    const deadline = Date.now() + options.timeoutMs;
    let last: JobUpdate | undefined;
    const seen = (update: JobUpdate) => {
      if (last?.status !== update.status) options.onUpdate(update);
      last = update;
      return isTerminal(update.status);
    };

    let socket: WebSocket | undefined;
    const pushed = new Promise<JobUpdate | undefined>((resolve) => {
      if (options.webSocketUrl === undefined) {
        resolve(undefined);
        return;
      }
      // The key goes in the query string: that is where the WebSocket API's authorizer reads it (browsers
      // cannot set headers on a WebSocket handshake).
      const url = new URL(options.webSocketUrl);
      url.searchParams.set('apiKey', this.apiKey);
      socket = new WebSocket(url);
      socket.on('open', () => socket!.send(JSON.stringify({ action: 'subscribe', jobId })));
      socket.on('message', (data) => {
        let message: Partial<JobUpdate> & { type?: string };
        try {
          message = JSON.parse(data.toString()) as typeof message;
        } catch {
          return;
        }
        if (message.type === 'job' && message.jobId === jobId && message.status && seen(message as JobUpdate)) {
          resolve(message as JobUpdate);
        }
      });
      // Any WebSocket trouble just leaves the job to the poller.
      socket.on('error', () => resolve(undefined));
      socket.on('close', () => resolve(undefined));
    });

    try {
      // While the WebSocket is up, poll only as a slow safety net; without it, poll briskly with backoff.
      let webSocketUp = options.webSocketUrl !== undefined;
      // 500 ms: within the free tier's 2 requests/s; polls also count against the daily quota.
      let pollDelay = 500;
      let terminalPush: JobUpdate | undefined;
      void pushed.then((update) => {
        terminalPush = update;
        webSocketUp = false;
      });
      while (Date.now() < deadline) {
        const wait = webSocketUp ? 5_000 : pollDelay;
        const pause = new AbortController();
        await Promise.race([sleep(wait, pause.signal), webSocketUp ? pushed : new Promise(() => undefined)]);
        // A pending timer would keep the process alive after the answer arrived.
        pause.abort();
        if (terminalPush !== undefined) return terminalPush;
        if (!webSocketUp) pollDelay = Math.min(pollDelay * 1.5, 2_000);
        let job: JobView;
        try {
          job = await this.getJob(jobId);
        } catch (error) {
          // Throttled polls are not a failure of the note: wait longer and ask again.
          if (error instanceof ApiError && error.code === 'THROTTLED') continue;
          throw error;
        }
        if (seen(job)) return job;
      }
      throw new ApiError(0, 'TIMEOUT', `The job did not finish within ${Math.round(options.timeoutMs / 1000)} s.`);
    } finally {
      socket?.terminate();
    }
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { 'x-api-key': this.apiKey, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, 'API_UNREACHABLE', `Cannot reach ${this.apiUrl}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed;
    const answer = parsed as { error?: { code?: string; message?: string }; message?: string } | undefined;
    const code = answer?.error?.code ?? gatewayCode(response.status, answer?.message);
    throw new ApiError(response.status, code, answer?.error?.message ?? answer?.message ?? text.slice(0, 200));
  }
}

/** API Gateway's own refusals carry only a message; give them stable codes too. */
function gatewayCode(status: number, message: string | undefined): string {
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return message === 'Limit Exceeded' ? 'QUOTA_EXCEEDED' : 'THROTTLED';
  return `HTTP_${status}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
