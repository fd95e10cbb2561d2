/**
 * Raw TCP clients for the hostile-client tests: byte-exact requests, resets at any point, hand-made WebSocket
 * frames, and parsers for what the server sent back.
 */
import { connect, type Socket } from 'node:net';

/** One step of a scripted connection. */
export type Step =
  | { readonly write: string | Buffer }
  | { readonly waitMs: number }
  /** Waits until the server's bytes so far satisfy `until` (or the exchange times out). */
  | { readonly waitFor: (received: Buffer) => boolean }
  /** TCP RST: `socket.resetAndDestroy()`. */
  | { readonly reset: true }
  /** FIN: the client is done sending. */
  | { readonly end: true };

export interface Exchange {
  readonly received: Buffer;
  /** Who ended the connection: the server (FIN/RST), the client's own reset, or the time limit. */
  readonly endedBy: 'server' | 'client-reset' | 'timeout';
  readonly elapsedMs: number;
}

/**
 * Runs `steps` on a new connection and collects everything the server sends until it closes the connection,
 * `stopWhen` is satisfied, the client resets, or `timeoutMs` passes.
 */
export function exchange(
  port: number,
  steps: readonly Step[],
  options: { readonly timeoutMs?: number; readonly stopWhen?: (received: Buffer) => boolean } = {},
): Promise<Exchange> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let waiting: (() => void) | undefined;
    let done = false;
    const finish = (endedBy: Exchange['endedBy']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      waiting?.();
      if (!socket.destroyed) socket.destroy();
      resolve({ received: Buffer.concat(chunks), endedBy, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs ?? 5_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      if (options.stopWhen?.(received)) finish('server');
      waiting?.();
    });
    socket.on('error', () => finish('server'));
    socket.on('close', () => finish('server'));
    socket.on('connect', async () => {
      for (const step of steps) {
        if (done) return;
        if ('write' in step) socket.write(step.write);
        else if ('end' in step) socket.end();
        else if ('reset' in step) {
          done = true;
          clearTimeout(timer);
          socket.resetAndDestroy();
          resolve({ received: Buffer.concat(chunks), endedBy: 'client-reset', elapsedMs: performance.now() - started });
          return;
        } else if ('waitMs' in step) await new Promise((r) => setTimeout(r, step.waitMs));
        else {
          while (!done && !step.waitFor(Buffer.concat(chunks))) await new Promise<void>((r) => (waiting = r));
        }
      }
    });
  });
}

/**
 * The status codes of every complete-headed HTTP response in `received`, in order (read by Content-Length;
 * after a 101 the rest is WebSocket frames).
 */
export function httpStatuses(received: Buffer): number[] {
  const text = received.toString('latin1');
  const statuses: number[] = [];
  let offset = 0;
  for (;;) {
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(text.slice(offset, offset + 16));
    const headEnd = text.indexOf('\r\n\r\n', offset);
    if (status === null || headEnd < 0) return statuses;
    statuses.push(Number(status[1]));
    if (status[1] === '101') return statuses;
    const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(offset, headEnd))?.[1];
    offset = headEnd + 4 + Number(length ?? 0);
  }
}

/** The header block of the first HTTP response, lower-cased. */
export function firstResponseHead(received: Buffer): string {
  const text = received.toString('latin1');
  return text.slice(0, Math.max(0, text.indexOf('\r\n\r\n'))).toLowerCase();
}

export function hasCompleteHead(received: Buffer): boolean {
  return received.includes('\r\n\r\n');
}

/** A client WebSocket frame (RFC 6455 §5.2): masked unless told otherwise, as clients must. */
export function clientFrame(
  payload: Buffer,
  options: { readonly opcode?: number; readonly fin?: boolean; readonly masked?: boolean } = {},
): Buffer {
  const { opcode = 0x1, fin = true, masked = true } = options;
  const length = payload.length;
  const lengthBytes = length < 126 ? Buffer.alloc(0) : length < 65_536 ? Buffer.alloc(2) : Buffer.alloc(8);
  if (lengthBytes.length === 2) lengthBytes.writeUInt16BE(length);
  if (lengthBytes.length === 8) lengthBytes.writeBigUInt64BE(BigInt(length));
  const length7 = length < 126 ? length : length < 65_536 ? 126 : 127;
  const head = Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | length7]);
  if (!masked) return Buffer.concat([head, lengthBytes, payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([head, lengthBytes, mask, body]);
}

/** The upgrade request a browser sends for `path`. */
export function upgradeRequest(path: string, headers: Readonly<Record<string, string>> = {}): string {
  const all = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

/** The complete frames the server sent after its 101 answer. */
export function serverFrames(received: Buffer): { readonly opcode: number; readonly payload: Buffer }[] {
  const start = received.indexOf('\r\n\r\n');
  if (start < 0 || httpStatuses(received)[0] !== 101) return [];
  const frames: { opcode: number; payload: Buffer }[] = [];
  let offset = start + 4;
  while (offset + 2 <= received.length) {
    const opcode = received[offset]! & 0x0f;
    let length = received[offset + 1]! & 0x7f;
    let header = 2;
    if (length >= 126) {
      header = length === 126 ? 4 : 10;
      if (offset + header > received.length) break;
      length = length === 126 ? received.readUInt16BE(offset + 2) : Number(received.readBigUInt64BE(offset + 2));
    }
    if (offset + header + length > received.length) break;
    frames.push({ opcode, payload: received.subarray(offset + header, offset + header + length) });
    offset += header + length;
  }
  return frames;
}

/** The close code of the server's close frame after a 101 answer, if one arrived (1005: none given). */
export function serverCloseCode(received: Buffer): number | undefined {
  const close = serverFrames(received).find((frame) => frame.opcode === 0x8);
  if (close === undefined) return undefined;
  return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005;
}

/** mulberry32: a tiny seeded PRNG, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
