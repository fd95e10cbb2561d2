import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Reads a request body, refusing more than `maxBytes` (callers that answer the client use
 * {@link readBodyWithin}). A declared Content-Length over the limit is refused before anything is read. The
 * request is never destroyed here, so a refusal can still reach the client.
 */
export function readBody(req: IncomingMessage, maxBytes = 10 * 1024 * 1024): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return Promise.reject(new BodyTooLargeError(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks));
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      // The stream keeps flowing with no listener: the rest of the body is discarded, not buffered.
      if (size > maxBytes) settle(new BodyTooLargeError(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => settle();
    const onAbort = () => settle(new RequestAbortedError());
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
  });
}

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`Request body larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The client went away before its request body ended: there is nobody left to answer. */
export class RequestAbortedError extends Error {
  constructor() {
    super('The client closed the connection before the request body ended');
    this.name = 'RequestAbortedError';
  }
}

/**
 * The request body, or undefined once `refuseTooLarge` has answered a body over `maxBytes` (413 in the
 * caller's error shape). That answer says `Connection: close` and the connection closes after it: kept
 * alive, the unread rest of the body would be parsed as the next request.
 */
export async function readBodyWithin(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  refuseTooLarge: () => void,
): Promise<Buffer | undefined> {
  try {
    return await readBody(req, maxBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    res.setHeader('connection', 'close');
    refuseTooLarge();
    return undefined;
  }
}

export function sendJson(
  res: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Listens and resolves with the bound port (port 0 picks a free one). Rejects on EADDRINUSE and friends. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and drops keep-alive and in-flight connections, so shutdown never waits on a client. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/**
 * The names the local stack serves, on any port (a proxy in front of it may forward its own port). Anything
 * else is a DNS-rebound name (evil.example resolving to 127.0.0.1) that would let a web page read the
 * answers. A request without Host (HTTP/1.0; browsers always send one) carries no such risk.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return host === undefined || /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i.test(host);
}
