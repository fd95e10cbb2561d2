import { isRecord } from './api-error';
import type { JobProgressMessage, JobStatus, JobView } from './api-types';
import { isTerminal } from '../../functions/jobs/job';

/** The part of a job the page renders while it runs; both transports deliver it. */
export type JobUpdate = Pick<JobView, 'jobId' | 'status' | 'progress' | 'result' | 'error'>;
export type Transport = 'websocket' | 'polling';

export interface JobWatcherOptions {
  readonly jobId: string;
  /** Absolute ws:// or wss:// URL of the progress endpoint; undefined skips straight to polling. */
  readonly webSocketUrl?: string;
  readonly apiKey: string;
  readonly getJob: (jobId: string) => Promise<JobUpdate>;
  readonly onUpdate: (update: JobUpdate, via: Transport) => void;
  readonly onTransport?: (transport: Transport) => void;
  readonly onError?: (error: unknown) => void;
  /** Give up on the socket and poll if it has not opened by then. */
  readonly connectTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly maxPollIntervalMs?: number;
  /** With the socket open but silent this long, check the job once over HTTP. */
  readonly quietCheckMs?: number;
  readonly createSocket?: (url: string) => WebSocket;
}

export interface JobWatcher {
  /** Resolves with the terminal update (completed or failed). */
  readonly done: Promise<JobUpdate>;
  stop(): void;
}

/** Stage order: an update is news only if it moves the job forward. */
const RANK: Readonly<Record<JobStatus, number>> = {
  awaiting_upload: 0,
  queued: 1,
  normalizing: 2,
  transcribing: 3,
  translating: 4,
  completed: 5,
  failed: 5,
};

/**
 * Follows one job to the end: progress pushed over the WebSocket, with HTTP polling (backing off) when
 * the socket cannot open or drops. One GET right after subscribing catches up on anything that happened
 * before the subscription. Polling costs requests from the daily quota, so it is the fallback only.
 */
export function watchJob(options: JobWatcherOptions): JobWatcher {
  const pollBase = options.pollIntervalMs ?? 1_500;
  const pollMax = options.maxPollIntervalMs ?? 8_000;
  let stopped = false;
  let socket: WebSocket | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let quietTimer: ReturnType<typeof setTimeout> | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let polling = false;
  let lastStatus: JobStatus | undefined;
  let resolveDone!: (update: JobUpdate) => void;
  const done = new Promise<JobUpdate>((resolve) => (resolveDone = resolve));

  const stop = (): void => {
    stopped = true;
    clearTimeout(pollTimer);
    clearTimeout(quietTimer);
    clearTimeout(connectTimer);
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
    socket = undefined;
  };

  const deliver = (update: JobUpdate, via: Transport): void => {
    if (stopped || update.jobId !== options.jobId) return;
    // Ignore repeats and stale answers that arrive after a later stage (a poll racing the socket).
    if (lastStatus && RANK[update.status] <= RANK[lastStatus]) return;
    lastStatus = update.status;
    options.onUpdate(update, via);
    if (isTerminal(update.status)) {
      stop();
      resolveDone(update);
    }
  };

  const checkOnce = async (): Promise<void> => {
    try {
      deliver(await options.getJob(options.jobId), 'polling');
    } catch (error) {
      options.onError?.(error);
    }
  };

  const startPolling = (): void => {
    if (stopped || polling) return;
    polling = true;
    options.onTransport?.('polling');
    let interval = pollBase;
    const tick = async (): Promise<void> => {
      await checkOnce();
      if (stopped) return;
      interval = Math.min(pollMax, Math.round(interval * 1.5));
      pollTimer = setTimeout(tick, interval);
    };
    void tick();
  };

  const armQuietCheck = (): void => {
    clearTimeout(quietTimer);
    const quietMs = options.quietCheckMs ?? 20_000;
    quietTimer = setTimeout(() => {
      void checkOnce().then(() => !stopped && !polling && armQuietCheck());
    }, quietMs);
  };

  if (!options.webSocketUrl || typeof WebSocket === 'undefined') {
    startPolling();
    return { done, stop };
  }

  const url = new URL(options.webSocketUrl);
  // Browsers cannot set headers on a WebSocket handshake, so the key travels in the query string (TLS only).
  url.searchParams.set('apiKey', options.apiKey);
  try {
    socket = (options.createSocket ?? ((u) => new WebSocket(u)))(url.toString());
  } catch (error) {
    options.onError?.(error);
    startPolling();
    return { done, stop };
  }
  connectTimer = setTimeout(() => {
    if (socket?.readyState !== WebSocket.OPEN) {
      socket?.close();
      startPolling();
    }
  }, options.connectTimeoutMs ?? 4_000);

  socket.onopen = () => {
    clearTimeout(connectTimer);
    socket?.send(JSON.stringify({ action: 'subscribe', jobId: options.jobId }));
    options.onTransport?.('websocket');
    void checkOnce();
    armQuietCheck();
  };
  socket.onmessage = (event) => {
    const message = parseProgressMessage(event.data);
    if (!message) {
      // The subscribe route answers `{"error":{…}}` when it refuses; polling then reports the real state.
      if (isErrorFrame(event.data)) socket?.close();
      return;
    }
    armQuietCheck();
    deliver(message, 'websocket');
  };
  socket.onclose = () => {
    clearTimeout(quietTimer);
    if (!stopped) startPolling();
  };
  socket.onerror = () => {
    // A close event always follows and starts polling.
  };
  return { done, stop };
}

/** Accepts only well-formed `{type:'job', …}` frames; anything else is ignored. */
export function parseProgressMessage(data: unknown): JobProgressMessage | undefined {
  if (typeof data !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.type !== 'job') return undefined;
  if (typeof parsed.jobId !== 'string' || typeof parsed.status !== 'string') return undefined;
  return parsed as unknown as JobProgressMessage;
}

function isErrorFrame(data: unknown): boolean {
  if (typeof data !== 'string') return false;
  try {
    const parsed: unknown = JSON.parse(data);
    return isRecord(parsed) && isRecord(parsed.error);
  } catch {
    return false;
  }
}
