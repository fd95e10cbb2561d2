import WebSocket from 'ws';

/**
 * Opens the progress WebSocket with `key` (`?apiKey=`, as browsers must) and subscribes to `jobId`: resolves
 * 'subscribed' once the API acknowledges, rejects with what went wrong (a refused handshake's status, a close
 * before the answer, no answer in 20 s). The socket is closed either way.
 */
export function subscribeToJob(webSocketUrl: string, key: string, jobId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${webSocketUrl}?apiKey=${key}`);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error('no answer in 20 s')), 20_000);
    socket.on('open', () => socket.send(JSON.stringify({ action: 'subscribe', jobId })));
    socket.on('unexpected-response', (_req, res) => fail(new Error(`handshake ${res.statusCode}`)));
    socket.on('error', fail);
    socket.on('close', (code) => fail(new Error(`closed with ${code} before the answer`)));
    socket.on('message', (data) => {
      const type = (JSON.parse(data.toString()) as { type?: string }).type;
      if (type !== 'subscribed') return;
      clearTimeout(timer);
      socket.removeAllListeners('close');
      socket.close();
      resolve(type);
    });
  });
}
