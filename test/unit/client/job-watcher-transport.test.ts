/**
 * The watcher over real sockets: Node 22's own WebSocket (the platform's, as in a browser or React Native)
 * against a `ws` server on loopback, and polling against a real HTTP server when the handshake is refused.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { VoiceNoteClient } from '../../../client';
import { type RecordingServer, startRecordingServer } from './recording-server';

let api: RecordingServer | undefined;
let progress: WebSocketServer | undefined;

afterEach(async () => {
  await api?.close();
  await new Promise((resolve) => (progress ? progress.close(resolve) : resolve(undefined)));
  api = undefined;
  progress = undefined;
});

async function progressServer(options: { refuse?: boolean } = {}) {
  const handshakes: string[] = [];
  const received: unknown[] = [];
  progress = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: (info, done) => {
      handshakes.push(info.req.url ?? '');
      done(!options.refuse, 403);
    },
  });
  progress.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { jobId: string };
      received.push(message);
      const frame = (status: string, extra = {}) => JSON.stringify({ type: 'job', jobId: message.jobId, status, progress: 0, ...extra });
      socket.send(frame('queued'));
      socket.send(JSON.stringify({ type: 'subscribed', jobId: message.jobId }));
      for (const status of ['normalizing', 'transcribing', 'translating']) socket.send(frame(status));
      socket.send(frame('completed', { result: { transcript: 't', translation: 'u', detectedLanguage: 'en', cached: false } }));
    });
  });
  await new Promise((resolve) => progress!.on('listening', resolve));
  return { url: `ws://127.0.0.1:${(progress.address() as AddressInfo).port}/ws`, handshakes, received };
}

describe('watchJob on real sockets', () => {
  it("follows a job over the platform's WebSocket, the key in the handshake's query", async () => {
    const ws = await progressServer();
    api = await startRecordingServer(() => ({ status: 500 }));
    const client = new VoiceNoteClient({ baseUrl: api.url, apiKey: 'k/1+2', webSocketUrl: ws.url });
    const statuses: string[] = [];

    const watch = client.watchJob('job-1', { onUpdate: (u, via) => statuses.push(`${u.status}/${via}`) });

    await expect(watch.ready).resolves.toBe('websocket');
    await expect(watch.done).resolves.toMatchObject({ jobId: 'job-1', status: 'completed', result: { transcript: 't' } });
    expect(ws.handshakes).toEqual(['/ws?apiKey=k%2F1%2B2']);
    expect(ws.received).toEqual([{ action: 'subscribe', jobId: 'job-1' }]);
    expect(statuses).toEqual(['queued/websocket', 'normalizing/websocket', 'transcribing/websocket', 'translating/websocket', 'completed/websocket']);
    expect(api.requests).toHaveLength(0);
  });

  it('polls GET /jobs/{id} when the handshake is refused', async () => {
    const ws = await progressServer({ refuse: true });
    api = await startRecordingServer(() => ({ status: 200, body: { jobId: 'job-2', status: 'failed', progress: 100, error: { code: 'NO_SPEECH', message: 'm' } } }));
    const client = new VoiceNoteClient({ baseUrl: api.url, apiKey: 'k', webSocketUrl: ws.url });

    const errors: string[] = [];

    const watch = client.watchJob('job-2', { onError: (e) => errors.push(e.message) });

    await expect(watch.ready).resolves.toBe('polling');
    await expect(watch.done).resolves.toMatchObject({ status: 'failed', error: { code: 'NO_SPEECH' } });
    expect(api.requests.map((r) => `${r.method} ${r.url} ${r.headers['x-api-key']}`)).toEqual(['GET /jobs/job-2 k']);
    expect(errors).toEqual([]);
  });
});
