import { ApiError, apiErrorFromResponse } from './api-error';
import { SAVED_AT_HEADER } from './offline-history';
import type { CreateUploadRequest, CreateUploadResponse, HistoryPage, JobView, UsageView } from './api-types';

export interface ApiClientOptions {
  /** '' for the page's own origin, a path prefix behind CloudFront ('/api'), or an absolute URL. */
  readonly baseUrl: string;
  /** Read on every call so a newly saved key applies at once. */
  readonly apiKey: () => string | undefined;
  readonly fetch?: typeof fetch;
}

/** The HTTP API (docs/openapi.json) for the browser: one method per route, failures as ApiError. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly apiKey: () => string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    // Calling window.fetch detached from window throws "Illegal invocation".
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  createUpload(request: CreateUploadRequest): Promise<CreateUploadResponse> {
    return this.request('POST', '/uploads', request);
  }

  getJob(jobId: string): Promise<JobView> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}`);
  }

  /** `savedAt` is set when the service worker answered offline with the last saved first page. */
  async listJobs(options: { limit?: number; cursor?: string } = {}): Promise<HistoryPage & { savedAt?: string }> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.cursor) query.set('cursor', options.cursor);
    const suffix = query.size ? `?${query}` : '';
    const response = await this.send('GET', `/jobs${suffix}`);
    const page = await readJson<HistoryPage>(response);
    const savedAt = response.headers.get(SAVED_AT_HEADER) ?? undefined;
    return savedAt ? { ...page, savedAt } : page;
  }

  async deleteJob(jobId: string): Promise<void> {
    await this.request('DELETE', `/jobs/${encodeURIComponent(jobId)}`);
  }

  getUsage(): Promise<UsageView> {
    return this.request('GET', '/usage');
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    return response.status === 204 ? (undefined as T) : readJson<T>(response);
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const key = this.apiKey();
    if (!key) throw new ApiError('MISSING_API_KEY');
    const headers: Record<string, string> = { 'x-api-key': key, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await apiErrorFromResponse(response);
    return response;
  }
}

async function readJson<T>(response: Response): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError('UNEXPECTED_RESPONSE', 'The response was not JSON.', response.status);
  }
}
