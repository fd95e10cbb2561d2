import type {
  CreatedUpload,
  HealthView,
  HistoryPage,
  JobUpdate,
  JobView,
  PresignedUpload,
  StatsView,
  UploadRequest,
  UsageReport,
} from './api-types';
import { ApiError } from './api-error';
import { ApiTransport, type FetchLike, type RequestOptions, type ThrottleRetryOptions } from './api-transport';
import { audioContentType } from './audio-content-type';
import { type JobWatch, type WatchJobOptions, type WebSocketConstructor, watchJob } from './job-watcher';
import {
  type UploadAudio,
  type UploadOptions,
  type UploadProgress,
  uploadToPresignedPost,
  type XhrConstructor,
} from './presigned-upload';

export interface VoiceNoteClientOptions {
  /**
   * Where the HTTP API answers: an absolute URL (`https://…/prod`, `http://127.0.0.1:3000`), a path
   * prefix on the page's origin (`/api` behind CloudFront) or `''` for the page's origin itself.
   */
  readonly baseUrl: string;
  /** The API key, or a function read on every call (a page whose user can change the key). */
  readonly apiKey?: string | (() => string | undefined);
  /** Absolute `ws://`/`wss://` URL of the progress channel. @default none: jobs are followed by polling */
  readonly webSocketUrl?: string;
  /** @default the platform's fetch */
  readonly fetch?: FetchLike;
  /** @default the platform's WebSocket (browsers, Node 22, React Native) */
  readonly WebSocket?: WebSocketConstructor;
  /** Used for uploads with progress. @default the platform's XMLHttpRequest, where there is one */
  readonly XMLHttpRequest?: XhrConstructor;
  /** How answers of `429 THROTTLED` are waited out. @default 3 retries, no single wait over 30 s */
  readonly throttle?: ThrottleRetryOptions;
}

export interface ListJobsOptions extends RequestOptions {
  /** 1–100. @default the API's page size (20) */
  readonly limit?: number;
  /** The previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface TranslateOptions {
  /** @default from the Blob's type or the file name */
  readonly contentType?: string;
  /** Used to tell the content type by extension. @default the File's or React Native file's name */
  readonly fileName?: string;
  /** @default the service's default (English) */
  readonly targetLanguage?: string;
  /** The spoken language, when known; else the service identifies it. */
  readonly sourceLanguage?: string;
  readonly onUploadProgress?: (progress: UploadProgress) => void;
  readonly onUpdate?: WatchJobOptions['onUpdate'];
  /** `translate` rejects with TIMEOUT when the job has not ended by then. @default no limit */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * The one client of the Voice Note Translator API, for browsers, Node 22 and React Native: nothing but the
 * platform's fetch, FormData, WebSocket and (for upload progress) XMLHttpRequest. Every method maps to a
 * route of docs/openapi.json and fails with an ApiError carrying the API's stable code.
 */
export class VoiceNoteClient {
  private readonly http: ApiTransport;
  private readonly apiKey: () => string | undefined;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: VoiceNoteClientOptions) {
    const key = options.apiKey;
    this.apiKey = typeof key === 'function' ? key : () => key;
    // Bound late: a detached window.fetch throws "Illegal invocation".
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    this.http = new ApiTransport({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      apiKey: this.apiKey,
      fetch: this.fetchImpl,
      throttle: options.throttle,
    });
  }

  /** GET /health: liveness, no key needed. */
  health(options?: RequestOptions): Promise<HealthView> {
    return this.http.request('GET', '/health', { ...options, keyed: false });
  }

  /** POST /uploads: a new job awaiting its audio, and the presigned POST to send it with. Metered. */
  createUpload(request: UploadRequest, options?: RequestOptions): Promise<CreatedUpload> {
    return this.http.request('POST', '/uploads', { ...options, body: request });
  }

  /** Sends the audio with the presigned POST of `createUpload`; the job starts when it lands. */
  upload(upload: PresignedUpload, audio: UploadAudio, options?: UploadOptions): Promise<void> {
    const Xhr = this.options.XMLHttpRequest ?? (globalThis as { XMLHttpRequest?: XhrConstructor }).XMLHttpRequest;
    return uploadToPresignedPost(upload, audio, { fetch: this.fetchImpl, XMLHttpRequest: Xhr }, options);
  }

  /** GET /jobs/{jobId}: status, progress, and the result or error once it ended. */
  getJob(jobId: string, options?: RequestOptions): Promise<JobView> {
    return this.http.request('GET', `/jobs/${encodeURIComponent(jobId)}`, options);
  }

  /** GET /jobs: one page of history, newest first; pass `nextCursor` back as `cursor` for the next one. */
  listJobs(options: ListJobsOptions = {}): Promise<HistoryPage> {
    // Built by hand: React Native's URL/URLSearchParams polyfill cannot set parameters.
    const query = [
      options.limit !== undefined ? `limit=${encodeURIComponent(options.limit)}` : '',
      options.cursor ? `cursor=${encodeURIComponent(options.cursor)}` : '',
    ].filter(Boolean);
    return this.http.request('GET', `/jobs${query.length ? `?${query.join('&')}` : ''}`, options);
  }

  /** DELETE /jobs/{jobId}: the job, its history entry and its audio. Idempotent. */
  async deleteJob(jobId: string, options?: RequestOptions): Promise<void> {
    await this.http.request('DELETE', `/jobs/${encodeURIComponent(jobId)}`, options);
  }

  /** GET /usage: today's metered uploads against the key's daily quota. */
  getUsage(options?: RequestOptions): Promise<UsageReport> {
    return this.http.request('GET', '/usage', options);
  }

  /** GET /stats: service-wide totals. */
  getStats(options?: RequestOptions): Promise<StatsView> {
    return this.http.request('GET', '/stats', options);
  }

  /**
   * Follows a job to its end over the progress WebSocket, polling GET /jobs/{id} with back-off when there
   * is no socket URL, no WebSocket, or the socket fails.
   */
  watchJob(jobId: string, options: WatchJobOptions = {}): JobWatch {
    const WebSocketImpl = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const key = this.apiKey();
    const socketUrl =
      this.options.webSocketUrl && key
        ? // Browsers cannot set headers on a WebSocket handshake, so the key travels in the query (TLS only).
          `${this.options.webSocketUrl}${this.options.webSocketUrl.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(key)}`
        : undefined;
    return watchJob(
      {
        jobId,
        socketUrl,
        createSocket: WebSocketImpl && ((url) => new WebSocketImpl(url)),
        getJob: (id, signal) => this.getJob(id, { signal }),
      },
      options,
    );
  }

  /**
   * A voice note from audio to its end, as an app sends one: createUpload, watchJob, upload. Resolves with
   * the terminal update: `completed` with the result, or `failed` with the job's error code (a note that
   * cannot be translated is an outcome, not an exception). Rejects with an ApiError when the API refuses
   * (QUOTA_EXCEEDED, UNSUPPORTED_AUDIO_TYPE…), the upload fails, or the signal fires.
   */
  async translate(audio: UploadAudio, options: TranslateOptions = {}): Promise<JobUpdate> {
    const { signal } = options;
    const fileName = options.fileName ?? (audio as { name?: string }).name ?? '';
    const contentType = options.contentType ?? audioContentType((audio as { type?: string }).type, fileName);
    if (!contentType) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Cannot tell the audio type of ${fileName || 'the note'}: pass contentType.`);
    }
    const size = (audio as { size?: number }).size;
    const created = await this.createUpload(
      {
        contentType,
        ...(size ? { sizeBytes: size } : {}),
        ...(options.targetLanguage ? { targetLanguage: options.targetLanguage } : {}),
        ...(options.sourceLanguage ? { sourceLanguage: options.sourceLanguage } : {}),
      },
      { signal },
    );
    // Watch while uploading: the subscription answers with the current state, so the end cannot be missed.
    const watch = this.watchJob(created.jobId, { onUpdate: options.onUpdate, signal, timeoutMs: options.timeoutMs });
    try {
      await this.upload(created.upload, audio, { onProgress: options.onUploadProgress, signal });
    } catch (error) {
      watch.stop();
      throw error;
    }
    return watch.done;
  }
}
