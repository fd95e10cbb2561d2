import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type JobUpdate, VoiceNoteClient, type WebSocketConstructor } from '../../../client';
import { parseFrame } from '../../../client/job-watcher';

/** Just enough of a WebSocket for the watcher: the test drives open, messages and close. */
class FakeSocket {
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    sockets.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.readyState = 3;
    this.onclose?.();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  /** A progress frame (`{type:'job', …}`) or any other message as-is. */
  push(message: object): void {
    const frame = 'status' in message ? { type: 'job', ...message } : message;
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}
let sockets: FakeSocket[];

const update = (status: JobUpdate['status'], extra: Partial<JobUpdate> = {}): JobUpdate => ({ jobId: 'j1', status, progress: 0, ...extra });
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A client whose GET /jobs/j1 answers from `answers` in turn (the last one repeats). */
function clientAnswering(answers: Array<JobUpdate | Response>, { socket = true } = {}) {
  const fetch = vi.fn(async (url: string) => {
    expect(url).toBe('https://api.example.com/jobs/j1');
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    return next instanceof Response ? next.clone() : json(200, next);
  });
  const client = new VoiceNoteClient({
    baseUrl: 'https://api.example.com',
    apiKey: 'secret key',
    webSocketUrl: socket ? 'wss://ws.example.com/prod' : undefined,
    fetch,
    WebSocket: FakeSocket as unknown as WebSocketConstructor,
  });
  return { client, fetch };
}

function watch(client: VoiceNoteClient, options: Parameters<VoiceNoteClient['watchJob']>[1] = {}) {
  const seen: [string, string][] = [];
  const transports: string[] = [];
  const errors: string[] = [];
  const watcher = client.watchJob('j1', {
    onUpdate: (u, via) => seen.push([u.status, via]),
    onTransport: (t) => transports.push(t),
    onError: (e) => errors.push(e.code),
    ...options,
  });
  return { watcher, seen, transports, errors };
}

describe('watchJob', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('subscribes with the key in the query and follows pushed stages to the end, without polling', async () => {
    const { client, fetch } = clientAnswering([update('queued')]);
    const { watcher, seen, transports } = watch(client);
    const socket = sockets[0]!;
    expect(socket.url).toBe('wss://ws.example.com/prod?apiKey=secret%20key');

    socket.open();
    expect(JSON.parse(socket.sent[0]!)).toEqual({ action: 'subscribe', jobId: 'j1' });
    // The service answers a subscription with the current state, then the acknowledgement.
    socket.push(update('awaiting_upload'));
    socket.push({ type: 'subscribed', jobId: 'j1' });
    await expect(watcher.ready).resolves.toBe('websocket');
    for (const status of ['queued', 'normalizing', 'transcribing', 'translating'] as const) socket.push(update(status));
    socket.push(update('completed', { result: { transcript: 'go forward ten meters', translation: 'x', detectedLanguage: 'en', cached: false } }));

    await expect(watcher.done).resolves.toMatchObject({ status: 'completed', result: { transcript: 'go forward ten meters' } });
    expect(transports).toEqual(['websocket']);
    expect(seen.map(([status, via]) => `${status}/${via}`)).toEqual([
      'awaiting_upload/websocket',
      'queued/websocket',
      'normalizing/websocket',
      'transcribing/websocket',
      'translating/websocket',
      'completed/websocket',
    ]);
    expect(fetch).not.toHaveBeenCalled();
    expect(socket.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('follows a note that fails to its end over the socket (the failed frame carries the job’s error)', async () => {
    const { client, fetch } = clientAnswering([update('queued')]);
    const { watcher, seen, transports } = watch(client);
    const socket = sockets[0]!;
    socket.open();
    socket.push({ type: 'subscribed', jobId: 'j1' });
    socket.push(update('normalizing'));
    socket.push(update('failed', { error: { code: 'NOT_AUDIO', message: 'That file does not contain audio.' } }));

    await expect(watcher.done).resolves.toMatchObject({ status: 'failed', error: { code: 'NOT_AUDIO' } });
    expect(transports).toEqual(['websocket']);
    expect(seen).toEqual([['normalizing', 'websocket'], ['failed', 'websocket']]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('drops repeats, answers that would move the job backwards, and other jobs', async () => {
    const { client } = clientAnswering([update('queued')]);
    const { seen } = watch(client);
    const socket = sockets[0]!;
    socket.open();
    socket.push(update('transcribing'));
    socket.push(update('transcribing'));
    socket.push(update('queued'));
    socket.push({ ...update('translating'), jobId: 'someone-else' });
    socket.push({ type: 'job', jobId: 'j1', status: 'teleporting' });
    expect(seen).toEqual([['transcribing', 'websocket']]);
  });

  it('polls with back-off when the socket is refused', async () => {
    const { client, fetch } = clientAnswering([update('queued'), update('transcribing'), update('transcribing'), update('failed', { error: { code: 'NO_SPEECH', message: 'm' } })]);
    const { watcher, seen, transports } = watch(client);
    sockets[0]!.close(); // handshake refused (e.g. 403)

    await expect(watcher.ready).resolves.toBe('polling');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_499);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2_250);
    expect(fetch).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(3_375);
    await expect(watcher.done).resolves.toMatchObject({ status: 'failed', error: { code: 'NO_SPEECH' } });
    expect(transports).toEqual(['polling']);
    expect(seen).toEqual([
      ['queued', 'polling'],
      ['transcribing', 'polling'],
      ['failed', 'polling'],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('polls without a socket URL', async () => {
    const { client } = clientAnswering([update('completed')], { socket: false });
    const { watcher } = watch(client);
    expect(sockets).toHaveLength(0);
    await expect(watcher.ready).resolves.toBe('polling');
    await expect(watcher.done).resolves.toMatchObject({ status: 'completed' });
  });

  it('polls when the subscription is refused', async () => {
    const { client } = clientAnswering([update('queued')]);
    const { transports } = watch(client);
    sockets[0]!.open();
    sockets[0]!.push({ error: { code: 'JOB_NOT_FOUND', message: 'Job j1 was not found.' } });
    expect(sockets[0]!.closed).toBe(true);
    expect(transports).toEqual(['polling']);
  });

  it('switches to polling when the socket drops mid-job', async () => {
    const { client, fetch } = clientAnswering([update('completed')]);
    const { watcher, transports } = watch(client);
    sockets[0]!.open();
    sockets[0]!.push(update('queued'));
    sockets[0]!.close();
    await expect(watcher.done).resolves.toMatchObject({ status: 'completed' });
    expect(transports).toEqual(['websocket', 'polling']);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('falls back to polling when the socket is not subscribed in time', async () => {
    const { client } = clientAnswering([update('completed')]);
    const { watcher, transports } = watch(client, { connectTimeoutMs: 4_000 });
    sockets[0]!.open(); // open, but no answer to the subscription
    await vi.advanceTimersByTimeAsync(3_999);
    expect(transports).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await expect(watcher.done).resolves.toMatchObject({ status: 'completed' });
    expect(transports).toEqual(['polling']);
    expect(sockets[0]!.closed).toBe(true);
  });

  it('checks over HTTP when an open socket goes quiet', async () => {
    const { client, fetch } = clientAnswering([update('queued')]);
    watch(client, { quietCheckMs: 20_000 });
    sockets[0]!.open();
    sockets[0]!.push(update('queued'));
    await vi.advanceTimersByTimeAsync(19_999);
    expect(fetch).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('keeps polling through transient failures and reports them', async () => {
    const { client } = clientAnswering([json(503, { message: 'Service Unavailable' }), update('completed')], { socket: false });
    const { watcher, errors } = watch(client);
    await vi.advanceTimersByTimeAsync(1_500);
    await expect(watcher.done).resolves.toMatchObject({ status: 'completed' });
    expect(errors).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('gives up on a failure asking again cannot fix', async () => {
    const { client, fetch } = clientAnswering([json(404, { error: { code: 'JOB_NOT_FOUND', message: 'Job j1 was not found.' } })], { socket: false });
    const { watcher } = watch(client);
    await expect(watcher.done).rejects.toMatchObject({ code: 'JOB_NOT_FOUND', status: 404 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('ends with TIMEOUT, ABORTED or stop(), releasing the socket and every timer', async () => {
    const timedOut = watch(clientAnswering([update('queued')]).client, { timeoutMs: 10_000 });
    sockets[0]!.open();
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(timedOut.watcher.done).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(sockets[0]!.closed).toBe(true);

    const controller = new AbortController();
    const aborted = watch(clientAnswering([update('queued')]).client, { signal: controller.signal });
    controller.abort();
    await expect(aborted.watcher.done).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(aborted.watcher.ready).rejects.toMatchObject({ code: 'ABORTED' });

    const stopped = watch(clientAnswering([update('queued')]).client);
    stopped.watcher.stop();
    await expect(stopped.watcher.done).rejects.toMatchObject({ code: 'ABORTED' });
    expect(sockets.every((s) => s.closed)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('parseFrame', () => {
  it('knows job frames, acknowledgements and refusals, and ignores the rest', () => {
    expect(parseFrame(JSON.stringify({ type: 'job', jobId: 'j', status: 'queued', progress: 10 }))).toMatchObject({ type: 'job', jobId: 'j' });
    expect(parseFrame(JSON.stringify({ type: 'subscribed', jobId: 'j' }))).toEqual({ type: 'subscribed', jobId: 'j' });
    expect(parseFrame(JSON.stringify({ error: { code: 'JOB_NOT_FOUND' } }))).toEqual({ type: 'error' });
    expect(parseFrame(JSON.stringify({ type: 'job', jobId: 'j', status: 'failed', error: { code: 'NOT_AUDIO' } }))).toMatchObject({ type: 'job', status: 'failed' });
    expect(parseFrame('{not json')).toBeUndefined();
    expect(parseFrame(new ArrayBuffer(2))).toBeUndefined();
    expect(parseFrame(JSON.stringify({ type: 'job', jobId: 1, status: 'queued' }))).toBeUndefined();
    expect(parseFrame(JSON.stringify({ type: 'job', jobId: 'j', status: 'constructor' }))).toBeUndefined();
  });
});
