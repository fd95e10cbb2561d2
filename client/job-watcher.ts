import { JOB_STATUSES, TERMINAL_STATUSES } from '../lib/config/job-statuses';
import type { JobProgressMessage, JobStatus, JobUpdate } from './api-types';
import { abortedError, ApiError, toApiError } from './api-error';
import { isRecord, parseJson } from './json';

export type Transport = 'websocket' | 'polling';

/** Function-typed members that accept the platform's own handlers (whose event types are richer). */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the WebSocket API (browsers, Node 22's global, React Native) the watcher uses. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WatchJobOptions {
  /** Every step forward of the job, from either transport; repeats and stale answers are dropped. */
  readonly onUpdate?: (update: JobUpdate, via: Transport) => void;
  /** The transport in use: `websocket` once subscribed, `polling` when the socket is unavailable or drops. */
  readonly onTransport?: (transport: Transport) => void;
  /** A poll that failed but will be retried (API unreachable, 5xx, still throttled). */
  readonly onError?: (error: ApiError) => void;
  readonly signal?: AbortSignal;
  /** `done` rejects with TIMEOUT when the job has not ended by then. @default no limit */
  readonly timeoutMs?: number;
  /** Poll instead when the socket is not subscribed by then. @default 4000 */
  readonly connectTimeoutMs?: number;
  /** First polling interval; each next one is 1.5× longer. @default 1500 */
  readonly pollIntervalMs?: number;
  /** @default 8000 */
  readonly maxPollIntervalMs?: number;
  /** With the socket open but silent this long, check the job once over HTTP. @default 20000 */
  readonly quietCheckMs?: number;
}

export interface JobWatch {
  /**
   * Settles once no further step can be missed: the subscription is confirmed (the service pushes the
   * job's current state right away), or polling has started. Upload after it to see every stage.
   */
  readonly ready: Promise<Transport>;
  /**
   * The terminal update (`completed` or `failed`, a failed job is not an error here). Rejects with an
   * ApiError: TIMEOUT, ABORTED, or what made polling impossible (JOB_NOT_FOUND, API_KEY_INVALID…).
   */
  readonly done: Promise<JobUpdate>;
  /** Stops following and releases the socket and timers; `done` rejects with ABORTED if still pending. */
  stop(): void;
}

export interface JobWatcherDeps {
  readonly jobId: string;
  /** The progress channel's URL, key included; undefined: poll. */
  readonly socketUrl?: string;
  readonly createSocket?: (url: string) => WebSocketLike;
  readonly getJob: (jobId: string, signal: AbortSignal) => Promise<JobUpdate>;
}

/** Stage order (the lifecycle's, every terminal status last): an update is news only if it moves the job forward. */
const RANK = Object.fromEntries(
  JOB_STATUSES.map((status, index) => [status, isTerminal(status) ? JOB_STATUSES.length : index]),
) as Readonly<Record<JobStatus, number>>;

function isTerminal(status: JobStatus): boolean {
  return (TERMINAL_STATUSES as readonly JobStatus[]).includes(status);
}
const SOCKET_OPEN = 1;

/**
 * Follows one job to its end: progress pushed over the WebSocket (`?apiKey=`, then
 * `{"action":"subscribe","jobId"}`), with polling of GET /jobs/{id} backing off when the socket cannot
 * open, is refused or drops. The service answers a subscription with the job's current state, so nothing
 * that happened before it is lost. Polling counts against the key's daily request quota, so it is the
 * fallback only; an open but silent socket costs one GET every `quietCheckMs`.
 */
export function watchJob(deps: JobWatcherDeps, options: WatchJobOptions = {}): JobWatch {
  const pollBase = options.pollIntervalMs ?? 1_500;
  const pollMax = options.maxPollIntervalMs ?? 8_000;
  const quietMs = options.quietCheckMs ?? 20_000;
  const polls = new AbortController();
  const ready = settleable<Transport>();
  const done = settleable<JobUpdate>();
  let socket: WebSocketLike | undefined;
  let transport: Transport | undefined;
  let finished = false;
  let polling = false;
  let lastStatus: JobStatus | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let quietTimer: ReturnType<typeof setTimeout> | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;

  const finish = (outcome: { update: JobUpdate } | { error: ApiError }): void => {
    if (finished) return;
    finished = true;
    for (const timer of [pollTimer, quietTimer, connectTimer, deadline]) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    polls.abort();
    if (socket) release(socket);
    if ('update' in outcome) {
      ready.resolve(transport ?? 'polling');
      done.resolve(outcome.update);
    } else {
      ready.reject(outcome.error);
      done.reject(outcome.error);
    }
  };
  const onAbort = (): void => finish({ error: abortedError(options.signal) });

  const use = (via: Transport): void => {
    if (transport === via) return;
    transport = via;
    options.onTransport?.(via);
    ready.resolve(via);
  };

  const deliver = (update: JobUpdate, via: Transport): void => {
    if (finished || update.jobId !== deps.jobId) return;
    if (lastStatus !== undefined && RANK[update.status] <= RANK[lastStatus]) return;
    lastStatus = update.status;
    options.onUpdate?.(update, via);
    if (isTerminal(update.status)) finish({ update });
  };

  const checkOnce = async (): Promise<void> => {
    try {
      deliver(await deps.getJob(deps.jobId, polls.signal), 'polling');
    } catch (error) {
      if (finished) return;
      const apiError = toApiError(error);
      if (isTransient(apiError)) options.onError?.(apiError);
      else finish({ error: apiError });
    }
  };

  const startPolling = (): void => {
    if (finished || polling) return;
    polling = true;
    clearTimeout(quietTimer);
    clearTimeout(connectTimer);
    use('polling');
    let interval = pollBase;
    const tick = async (): Promise<void> => {
      await checkOnce();
      if (finished) return;
      pollTimer = setTimeout(tick, interval);
      interval = Math.min(pollMax, Math.round(interval * 1.5));
    };
    void tick();
  };

  const armQuietCheck = (): void => {
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => void checkOnce().then(() => !finished && !polling && armQuietCheck()), quietMs);
  };

  const subscribed = (): void => {
    if (polling) return;
    clearTimeout(connectTimer);
    use('websocket');
  };

  /** Done with this socket: no more events from it (Node's fires error again when closed after an error). */
  const release = (current: WebSocketLike): void => {
    current.onopen = current.onmessage = current.onclose = current.onerror = null;
    if (current.readyState <= SOCKET_OPEN) current.close(1000);
    if (socket === current) socket = undefined;
  };
  /** The socket failed, was refused or dropped: poll from now on. */
  const fallBack = (current: WebSocketLike): void => {
    release(current);
    startPolling();
  };

  const openSocket = (url: string, create: (url: string) => WebSocketLike): void => {
    let current: WebSocketLike;
    try {
      current = socket = create(url);
    } catch (error) {
      options.onError?.(toApiError(error));
      startPolling();
      return;
    }
    connectTimer = setTimeout(() => fallBack(current), options.connectTimeoutMs ?? 4_000);
    current.onopen = () => {
      current.send(JSON.stringify({ action: 'subscribe', jobId: deps.jobId }));
      armQuietCheck();
    };
    current.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (frame?.type === 'job' && frame.jobId === deps.jobId) {
        subscribed();
        armQuietCheck();
        const { type: _type, ...update } = frame;
        deliver(update, 'websocket');
      } else if (frame?.type === 'subscribed' && frame.jobId === deps.jobId) {
        subscribed();
      } else if (frame?.type === 'error') {
        // The subscription was refused (unknown job, revoked key): polling reports the real state.
        fallBack(current);
      }
    };
    // An error always ends the connection, and Node's WebSocket sends no close event after a refused handshake.
    current.onclose = current.onerror = () => fallBack(current);
  };

  if (options.signal?.aborted) {
    onAbort();
  } else {
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      const seconds = Math.round(options.timeoutMs / 1000);
      deadline = setTimeout(
        () => finish({ error: new ApiError('TIMEOUT', `Job ${deps.jobId} did not finish within ${seconds} s.`) }),
        options.timeoutMs,
      );
    }
    if (deps.socketUrl !== undefined && deps.createSocket) openSocket(deps.socketUrl, deps.createSocket);
    else startPolling();
  }
  return { ready: ready.promise, done: done.promise, stop: () => finish({ error: abortedError() }) };
}

type Frame = JobProgressMessage | { readonly type: 'subscribed'; readonly jobId: unknown } | { readonly type: 'error' };

/** A progress channel frame, or undefined for anything this client does not know. */
export function parseFrame(data: unknown): Frame | undefined {
  const parsed = typeof data === 'string' ? parseJson(data) : undefined;
  if (!isRecord(parsed)) return undefined;
  // A refusal is `{"error":{…}}`; a failed job's frame carries its failure in `error` too, and is a job frame.
  if (parsed.type !== 'job' && isRecord(parsed.error)) return { type: 'error' };
  if (parsed.type === 'subscribed') return { type: 'subscribed', jobId: parsed.jobId };
  const known = typeof parsed.status === 'string' && Object.prototype.hasOwnProperty.call(RANK, parsed.status);
  if (parsed.type !== 'job' || typeof parsed.jobId !== 'string' || !known) return undefined;
  return parsed as unknown as JobProgressMessage;
}

/** Failures a later poll may not see again; anything else (a 4xx) will not change by asking again. */
function isTransient(error: ApiError): boolean {
  return (
    ['API_UNREACHABLE', 'THROTTLED', 'SERVICE_UNAVAILABLE', 'UNEXPECTED_RESPONSE', 'TIMEOUT'].includes(error.code) ||
    (error.status ?? 0) >= 500
  );
}

interface Settleable<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise settled from outside, already handled: a caller awaiting only `done` must not see `ready` reject unhandled. */
function settleable<T>(): Settleable<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
