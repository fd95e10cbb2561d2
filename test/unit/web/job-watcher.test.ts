import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseProgressMessage, watchJob, type JobUpdate } from '../../../web/src/job-watcher';

/** Just enough of a browser WebSocket for the watcher: the test drives open/message/close. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  readyState = FakeSocket.CONNECTING;
  sent: string[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {}
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
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  /** Delivers a progress frame (`{type:'job', …}`) or any other message as-is. */
  push(message: object): void {
    const frame = 'status' in message ? { type: 'job', ...message } : message;
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const update = (status: JobUpdate['status'], extra: Partial<JobUpdate> = {}): JobUpdate => ({
  jobId: 'j1',
  status,
  progress: 0,
  ...extra,
});

describe('watchJob', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  function start(getJob: (id: string) => Promise<JobUpdate>) {
    const sockets: FakeSocket[] = [];
    const seen: [string, string][] = [];
    const transports: string[] = [];
    const watcher = watchJob({
      jobId: 'j1',
      apiKey: 'secret key',
      webSocketUrl: 'ws://127.0.0.1:3000/ws',
      getJob,
      onUpdate: (u, via) => seen.push([u.status, via]),
      onTransport: (t) => transports.push(t),
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
    });
    return { watcher, sockets, seen, transports };
  }

  it('subscribes with the key in the query, catches up once, then follows pushed stages to the end', async () => {
    const getJob = vi.fn(async () => update('queued'));
    const { watcher, sockets, seen, transports } = start(getJob);
    const socket = sockets[0]!;
    expect(new URL(socket.url).searchParams.get('apiKey')).toBe('secret key');

    socket.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(JSON.parse(socket.sent[0]!)).toEqual({ action: 'subscribe', jobId: 'j1' });
    for (const status of ['queued', 'normalizing', 'transcribing', 'translating'] as const) socket.push(update(status));
    socket.push({ type: 'subscribed', jobId: 'j1' });
    socket.push(update('completed', { result: { transcript: 'go forward ten meters', translation: 'x', detectedLanguage: 'en', cached: false } }));

    await expect(watcher.done).resolves.toMatchObject({ status: 'completed' });
    expect(transports).toEqual(['websocket']);
    expect(getJob).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([
      ['queued', 'polling'],
      ['normalizing', 'websocket'],
      ['transcribing', 'websocket'],
      ['translating', 'websocket'],
      ['completed', 'websocket'],
    ]);
    expect(socket.closed).toBe(true);
  });

  it('ignores stale answers that would move the job backwards, and other jobs', async () => {
    const { sockets, seen } = start(async () => update('queued'));
    const socket = sockets[0]!;
    socket.open();
    socket.push(update('transcribing'));
    socket.push({ ...update('translating'), jobId: 'someone-else' });
    await vi.advanceTimersByTimeAsync(0); // the catch-up GET answers "queued" late
    expect(seen).toEqual([['transcribing', 'websocket']]);
  });

  it('polls with back-off when the socket is refused', async () => {
    const answers = [update('queued'), update('transcribing'), update('transcribing'), update('failed', { error: { code: 'NO_SPEECH', message: 'm' } })];
    const getJob = vi.fn(async () => answers.shift()!);
    const { watcher, sockets, seen, transports } = start(getJob);
    sockets[0]!.close(); // handshake refused (e.g. 403)

    await vi.advanceTimersByTimeAsync(0);
    expect(getJob).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2_250);
    expect(getJob).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3_375 + 5_063);
    await expect(watcher.done).resolves.toMatchObject({ status: 'failed', error: { code: 'NO_SPEECH' } });
    expect(transports).toEqual(['polling']);
    expect(seen.map(([s]) => s)).toEqual(['queued', 'transcribing', 'failed']);
  });

  it('polls when the subscription is refused', async () => {
    const getJob = vi.fn(async () => update('queued'));
    const { sockets, transports } = start(getJob);
    sockets[0]!.open();
    sockets[0]!.push({ error: { code: 'JOB_NOT_FOUND', message: 'Job j1 was not found.' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets[0]!.closed).toBe(true);
    expect(transports).toEqual(['websocket', 'polling']);
  });

  it('falls back to polling when the socket never opens', async () => {
    const getJob = vi.fn(async () => update('completed'));
    const { watcher, transports } = start(getJob);
    await vi.advanceTimersByTimeAsync(4_000);
    await expect(watcher.done).resolves.toMatchObject({ status: 'completed' });
    expect(transports).toEqual(['polling']);
  });

  it('checks over HTTP when an open socket goes quiet', async () => {
    const getJob = vi.fn(async () => update('queued'));
    const { sockets } = start(getJob);
    sockets[0]!.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(getJob).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(getJob).toHaveBeenCalledTimes(2);
  });
});

describe('parseProgressMessage', () => {
  it('accepts job frames only', () => {
    expect(parseProgressMessage(JSON.stringify({ type: 'job', jobId: 'j', status: 'queued', progress: 10 }))).toMatchObject({ jobId: 'j' });
    expect(parseProgressMessage(JSON.stringify({ type: 'subscribed', jobId: 'j' }))).toBeUndefined();
    expect(parseProgressMessage('{not json')).toBeUndefined();
    expect(parseProgressMessage(new ArrayBuffer(2))).toBeUndefined();
    expect(parseProgressMessage(JSON.stringify({ type: 'job', jobId: 1, status: 'queued' }))).toBeUndefined();
  });
});
