import { createServer, type RequestListener, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from '../../functions/http/responses';

/** How long a client may take at each stage of an HTTP exchange before its connection is closed. */
export interface HttpTimeouts {
  /** From connection (or the previous response) to the end of the request headers. @default 10 s */
  readonly headersMs: number;
  /** From connection to the end of the request body. @default 30 s */
  readonly requestMs: number;
  /** An idle keep-alive connection between requests. @default 5 s */
  readonly keepAliveMs: number;
}

const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

/**
 * An HTTP server no client can crash or hold: every socket has an error listener for its whole life (Node
 * drops its own when a connection is upgraded, and a reset then killed the process), slow or silent clients
 * time out at every stage (slowloris), and requests Node cannot parse get a 4xx in the API's error shape
 * instead of a bare one.
 */
export function createHardenedServer(listener: RequestListener, timeouts: Partial<HttpTimeouts> = {}): Server {
  const { headersMs, requestMs, keepAliveMs } = { ...DEFAULT_HTTP_TIMEOUTS, ...timeouts };
  const server = createServer(
    {
      headersTimeout: headersMs,
      requestTimeout: Math.max(requestMs, headersMs),
      keepAliveTimeout: keepAliveMs,
      // Node checks the two timeouts above on this interval (30 s by default, longer than the timeouts).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersMs / 4))),
    },
    listener,
  );
  server.on('connection', (socket: Duplex) => socket.on('error', ignoreClientSocketError));
  server.on('clientError', answerClientError);
  return server;
}

/**
 * A reset or a broken pipe from a client concerns that client only. The request, response or WebSocket that
 * owns the socket learns of it through its own close or error events.
 */
function ignoreClientSocketError(): void {}

/** Node's unparseable requests (bad syntax, oversized headers, timeouts) answered with a stable code. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  // Writing into a response already under way would corrupt it for the client: then the socket is just closed.
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] = clientErrorAnswer(error.code);
  writeRawAnswer(socket, status, errorBody(code, message));
}

function clientErrorAnswer(code: string | undefined): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'HEADERS_TOO_LARGE', 'The request headers are too large.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'REQUEST_TIMEOUT', 'The request was not received in time.'];
    default:
      return [400, 'MALFORMED_REQUEST', 'The request is not valid HTTP/1.1.'];
  }
}

/**
 * A complete HTTP answer written straight to a socket no `ServerResponse` owns (a client error, or an upgrade
 * request that is refused), then the connection is closed: a peer that never closes its side cannot hold it.
 * `body` is sent as JSON; undefined sends none.
 */
export function writeRawAnswer(socket: Duplex, status: number, body?: unknown): void {
  if (socket.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    ...(body === undefined ? [] : ['Content-Type: application/json']),
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${text}`, () => socket.destroy());
}
