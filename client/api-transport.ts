import { abortedError, ApiError } from './api-error';
import { delay } from './delay';
import { errorFromResponse } from './error-response';
import { parseJson } from './json';

/** The fetch the client needs: the platform's (browser, Node 22, React Native) or a test's. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface ThrottleRetryOptions {
  /** Retries of a request answered 429 THROTTLED. @default 3 */
  readonly retries?: number;
  /** Longest single wait; an answer asking for longer is returned to the caller as the error. @default 30 */
  readonly maxWaitSeconds?: number;
}

export interface ApiTransportOptions {
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly apiKey: () => string | undefined;
  readonly fetch: FetchLike;
  readonly throttle?: ThrottleRetryOptions;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
}

interface ExchangeOptions extends RequestOptions {
  readonly body?: unknown;
  /** @default true */
  readonly keyed?: boolean;
}

/** Spreads clients throttled together so they do not come back in one burst. */
const JITTER_MS = 250;

/**
 * One exchange with the HTTP API: the key header, JSON both ways, every failure as an ApiError, and
 * `429 THROTTLED` waited out. A throttled request was refused by the gateway before any handler ran, so
 * retrying it is safe for every method, POST /uploads included. QUOTA_EXCEEDED is never retried: its wait
 * lasts until the quota resets, so it goes to the caller with its `retryAfterSeconds`.
 */
export class ApiTransport {
  private readonly retries: number;
  private readonly maxWaitSeconds: number;

  constructor(private readonly options: ApiTransportOptions) {
    this.retries = options.throttle?.retries ?? 3;
    this.maxWaitSeconds = options.throttle?.maxWaitSeconds ?? 30;
  }

  /** The parsed JSON answer; undefined for 204. */
  async request<T>(method: string, path: string, options: ExchangeOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status === 204) return undefined as T;
    const text = await response.text().catch((error: unknown) => {
      throw options.signal?.aborted ? abortedError(options.signal) : unreachable(this.options.baseUrl, error);
    });
    const body = parseJson(text);
    if (body === undefined) {
      throw new ApiError('UNEXPECTED_RESPONSE', `${method} ${path} answered ${response.status} without JSON.`, {
        status: response.status,
      });
    }
    return body as T;
  }

  private async send(method: string, path: string, options: ExchangeOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.keyed ?? true) {
      const key = this.options.apiKey();
      if (!key) throw new ApiError('MISSING_API_KEY', 'No API key is set for this client.');
      headers['x-api-key'] = key;
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    };
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.options.fetch(`${this.options.baseUrl}${path}`, init);
      } catch (error) {
        throw options.signal?.aborted ? abortedError(options.signal) : unreachable(this.options.baseUrl, error);
      }
      if (response.ok) return response;
      const error = await errorFromResponse(response);
      const waitSeconds = error.retryAfterSeconds ?? 2 ** attempt;
      if (error.code !== 'THROTTLED' || attempt >= this.retries || waitSeconds > this.maxWaitSeconds) throw error;
      await delay(waitSeconds * 1000 + Math.random() * JITTER_MS, options.signal);
    }
  }
}

function unreachable(baseUrl: string, cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError('API_UNREACHABLE', `Cannot reach the API at ${baseUrl || 'this origin'}: ${reason}`, { cause });
}
