import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { PROGRESS_SURFACE } from '../../lib/config/usage-plans';
import { LOCAL } from '../config';
import { writeRawAnswer } from '../http/hardened-server';
import { readBodyWithin, sendJson } from '../http/server';
import type { FunctionHost } from '../lambda/function-host';
import type { LocalKeyStore } from '../gateway/key-store';
import { LOCAL_API_ID } from '../gateway/rest-event';
import type { UsagePlans } from '../gateway/usage-plans';
import type { WebSocketRouteBinding } from '../template/template-bindings';
import { FrameSizeLimit } from './frame-size-limit';

export interface WebSocketGatewayOptions {
  readonly functions: FunctionHost;
  readonly keys: LocalKeyStore;
  readonly usagePlans: UsagePlans;
  /**
   * The routes from the template: `$connect` (with its authorizer and API key requirement), `$disconnect`,
   * `$default`, and action routes (route selection `$request.body.action`).
   */
  readonly routes: readonly WebSocketRouteBinding[];
  /** @default API Gateway's: 10 minutes idle, 2 hours in all */
  readonly timeouts?: Partial<WebSocketTimeouts>;
  onError(error: unknown, context: string): void;
}

/** How long API Gateway keeps a WebSocket connection open. */
export interface WebSocketTimeouts {
  /** Without a message in either direction (client message or @connections post). @default 10 min */
  readonly idleMs: number;
  /** Whatever the traffic. @default 2 h */
  readonly maxDurationMs: number;
}

const DEFAULT_WEBSOCKET_TIMEOUTS: WebSocketTimeouts = { idleMs: 10 * 60_000, maxDurationMs: 2 * 60 * 60_000 };

/** API Gateway's WebSocket frame and message size quotas; both close the connection with 1009. */
const MAX_FRAME_BYTES = 32 * 1024;
const MAX_MESSAGE_BYTES = 128 * 1024;

/** What a Lambda REQUEST authorizer returns (the fields API Gateway acts on). */
interface AuthorizerResult {
  readonly principalId?: string;
  readonly policyDocument?: { readonly Statement?: readonly { readonly Effect?: string }[] };
  readonly context?: Record<string, unknown>;
  readonly usageIdentifierKey?: string;
}

class Refused extends Error {
  constructor(readonly status: number) {
    super(`refused with ${status}`);
  }
}

interface Connection {
  readonly socket: WebSocket;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
  lastActiveAt: number;
  /** Restarted by every message in either direction. */
  readonly idleTimer: NodeJS.Timeout;
}

interface HandlerResult {
  readonly statusCode?: number;
  readonly body?: string;
}

const CONNECTIONS_PATH = /^\/@connections\/([^/]+)$/;

/**
 * The local API Gateway WebSocket API on the gateway's port under `path` (ws://host:port/ws): it invokes the
 * real $connect/$disconnect/route handlers with WebSocket-shaped events and serves the management API
 * (`POST|GET|DELETE <path>/@connections/{id}`), so the progress publisher posts here unchanged when
 * PROGRESS_ENDPOINT is `http://host:port/ws`, as it posts to the stage's callback URL in AWS.
 */
export class WebSocketGateway {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    skipUTF8Validation: false,
    // Frames are counted on the wire (FrameSizeLimit): compressed frames would hide their real size.
    perMessageDeflate: false,
  });
  private readonly connections = new Map<string, Connection>();
  /** $disconnect invocations under way: stop() waits for them, while the table they write to still runs. */
  private readonly disconnecting = new Set<Promise<void>>();
  private readonly routes: ReadonlyMap<string, WebSocketRouteBinding>;
  private readonly timeouts: WebSocketTimeouts;

  constructor(
    private readonly path: string,
    private readonly options: WebSocketGatewayOptions,
  ) {
    this.routes = new Map(options.routes.map((route) => [route.routeKey, route]));
    this.timeouts = { ...DEFAULT_WEBSOCKET_TIMEOUTS, ...options.timeouts };
  }

  /**
   * Handles an HTTP upgrade; false if it is not for this API's path. The socket must already have an error
   * listener for its whole life (the front door's server gives every socket one).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    if (url.pathname !== this.path) return false;
    void this.connect(req, socket, head, url).catch((error: unknown) => {
      this.options.onError(error, '$connect');
      refuse(socket, 500);
    });
    return true;
  }

  /**
   * The management API; false if the request is not for it. Answers in its AWS error shape (`message` and
   * `x-amzn-errortype`), which is what the SDK's ApiGatewayManagementApi client parses.
   */
  async handleManagement(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(`${this.path}/@connections/`)) return false;
    const id = CONNECTIONS_PATH.exec(url.pathname.slice(this.path.length))?.[1];
    const connectionId = id === undefined ? undefined : decodeOrUndefined(id);
    if (connectionId === undefined) {
      sendAwsError(res, 400, 'BadRequestException', 'Invalid connectionId');
      return true;
    }
    const connection = this.connections.get(connectionId);
    if (connection === undefined || connection.socket.readyState !== WebSocket.OPEN) {
      sendAwsError(res, 410, 'GoneException', 'Gone');
      return true;
    }
    if (req.method === 'POST') {
      const data = await readBodyWithin(req, res, MAX_MESSAGE_BYTES, () =>
        sendAwsError(res, 413, 'PayloadTooLargeException', `Message too long (at most ${MAX_MESSAGE_BYTES} bytes)`),
      );
      if (data === undefined) return true;
      this.touch(connection);
      connection.socket.send(data, { binary: false });
      res.writeHead(200).end();
    } else if (req.method === 'DELETE') {
      connection.socket.close(1000, 'Closed by the backend');
      res.writeHead(204).end();
    } else if (req.method === 'GET') {
      sendJson(res, 200, {
        ConnectedAt: new Date(connection.connectedAt).toISOString(),
        LastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        Identity: { SourceIp: connection.sourceIp, UserAgent: connection.userAgent },
      });
    } else {
      sendAwsError(res, 405, 'MethodNotAllowedException', `${req.method} is not supported`);
    }
    return true;
  }

  /** Closes every connection and stops accepting new ones; returns once every $disconnect has run. */
  async stop(): Promise<void> {
    const closed = [...this.connections.values()].map(
      ({ socket }) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.close(1001, 'Server shutting down');
          setTimeout(() => {
            socket.terminate();
            resolve();
          }, 1_000).unref();
        }),
    );
    await Promise.all(closed);
    await Promise.all(this.disconnecting);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async connect(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const connectionId = newConnectionId();
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? LOCAL.host;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]),
    );
    const query = Object.fromEntries(url.searchParams);
    const connectedAt = Date.now();
    const baseIdentity = { sourceIp, userAgent: req.headers['user-agent'] };
    const requestParts = {
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      queryStringParameters: Object.keys(query).length === 0 ? undefined : query,
    };
    const context = () => this.requestContext('$connect', 'CONNECT', connectionId, connectedAt, baseIdentity);

    let identity: Record<string, unknown> = baseIdentity;
    let authorizerContext: Record<string, unknown> | undefined;
    try {
      const route = this.routes.get('$connect');
      const authorized = route?.authorizer ? await this.authorize(route, requestParts, context()) : undefined;
      authorizerContext = authorized && { principalId: authorized.principalId, ...authorized.context };
      if (route?.apiKeyRequired) {
        const keyValue =
          route.apiKeySelectionExpression === '$context.authorizer.usageIdentifierKey'
            ? authorized?.usageIdentifierKey
            : headers['x-api-key'];
        const key = keyValue === undefined ? undefined : this.options.keys.findActiveByValue(keyValue);
        if (key === undefined) throw new Refused(403);
        // The WebSocket stage is in the reads plans: rate-limited, never quota-blocked.
        if (this.options.usagePlans.admit(key.apiKeyId, key.tier, PROGRESS_SURFACE) !== 'allowed') throw new Refused(429);
        identity = { ...baseIdentity, apiKey: keyValue, apiKeyId: key.apiKeyId };
      }
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      refuse(socket, error.status);
      return;
    }
    // The client left while it was being authorised: no $connect for a connection that cannot open.
    if (socket.destroyed) return;

    const result = await this.invoke('$connect', {
      ...requestParts,
      requestContext: {
        ...this.requestContext('$connect', 'CONNECT', connectionId, connectedAt, identity),
        ...(authorizerContext && { authorizer: authorizerContext }),
      },
      isBase64Encoded: false,
    });
    const status = result?.statusCode ?? 200;
    if (status < 200 || status >= 300) {
      refuse(socket, status);
      return;
    }
    let opened = false;
    this.server.handleUpgrade(req, socket, head, (ws) => {
      opened = true;
      this.open(ws, socket, connectionId, { connectedAt, sourceIp, userAgent: req.headers['user-agent'] });
    });
    // `ws` refused the handshake (bad key or version) or the client left during $connect: $connect ran, so
    // $disconnect must too, as API Gateway pairs them, or the connection's records would stay behind.
    if (!opened) this.disconnected(connectionId, connectedAt, sourceIp, 1006, '');
  }

  private open(
    ws: WebSocket,
    socket: Duplex,
    connectionId: string,
    client: Pick<Connection, 'connectedAt' | 'sourceIp' | 'userAgent'>,
  ): void {
    const goAway = () => ws.close(1001, 'Going away');
    const connection: Connection = {
      ...client,
      socket: ws,
      lastActiveAt: client.connectedAt,
      idleTimer: setTimeout(goAway, this.timeouts.idleMs).unref(),
    };
    const lifetime = setTimeout(goAway, this.timeouts.maxDurationMs).unref();
    this.connections.set(connectionId, connection);

    const frames = new FrameSizeLimit(MAX_FRAME_BYTES);
    const watchFrames = (chunk: Buffer) => {
      if (!frames.accept(chunk)) return;
      socket.off('data', watchFrames);
      ws.close(1009, 'Frame too big');
    };
    // Before ws's own listener, so an oversized frame is caught before its message is delivered.
    socket.prependListener('data', watchFrames);
    // ws has already closed the connection with the right code (1002, 1007, 1009); without a listener its
    // 'error' event would end the process.
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      this.touch(connection);
      void this.message(connectionId, connection, toBuffer(data), isBinary);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(connection.idleTimer);
      clearTimeout(lifetime);
      socket.off('data', watchFrames);
      this.connections.delete(connectionId);
      this.disconnected(connectionId, client.connectedAt, client.sourceIp, code, reason.toString());
    });
  }

  private touch(connection: Connection): void {
    connection.lastActiveAt = Date.now();
    connection.idleTimer.refresh();
  }

  private disconnected(connectionId: string, connectedAt: number, sourceIp: string, code: number, reason: string): void {
    const invocation = this.invoke('$disconnect', {
      requestContext: {
        ...this.requestContext('$disconnect', 'DISCONNECT', connectionId, connectedAt, { sourceIp }),
        disconnectStatusCode: code,
        disconnectReason: reason,
      },
      isBase64Encoded: false,
    })
      .then(() => undefined)
      .catch((error: unknown) => this.options.onError(error, '$disconnect'))
      .finally(() => this.disconnecting.delete(invocation));
    this.disconnecting.add(invocation);
  }

  /**
   * Runs the route's Lambda REQUEST authorizer like API Gateway: a missing identity source is a 401 without
   * calling it, a thrown error a 401, a Deny policy a 403.
   */
  private async authorize(
    route: WebSocketRouteBinding,
    request: { headers: Record<string, string>; queryStringParameters?: Record<string, string> },
    requestContext: Record<string, unknown>,
  ): Promise<AuthorizerResult> {
    const authorizer = route.authorizer!;
    for (const source of authorizer.identitySource) {
      const [, kind, name] = /^route\.request\.(querystring|header)\.(.+)$/.exec(source) ?? [];
      const value = kind === 'header' ? request.headers[name!.toLowerCase()] : request.queryStringParameters?.[name ?? ''];
      if (kind !== undefined && (value === undefined || value === '')) throw new Refused(401);
    }
    let result: AuthorizerResult;
    try {
      result = (await this.options.functions.invoke(
        { entry: authorizer.function.entry, timeoutMs: authorizer.function.timeoutMs },
        {
          type: 'REQUEST',
          methodArn: `arn:aws:execute-api:${LOCAL.region}:${LOCAL.account}:${LOCAL_API_ID}/${LOCAL.stage}/${route.routeKey}`,
          ...request,
          stageVariables: {},
          requestContext,
        },
      )) as AuthorizerResult;
    } catch {
      throw new Refused(401);
    }
    const allowed = (result?.policyDocument?.Statement ?? []).some((statement) => statement.Effect === 'Allow');
    if (!allowed) throw new Refused(403);
    return result;
  }

  private async message(connectionId: string, connection: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    const routeKey = this.selectRoute(data.toString('utf8'));
    const requestId = randomUUID();
    if (routeKey === undefined) {
      connection.socket.send(JSON.stringify({ message: 'Forbidden', connectionId, requestId }));
      return;
    }
    try {
      const result = await this.invoke(routeKey, {
        requestContext: {
          ...this.requestContext(routeKey, 'MESSAGE', connectionId, connection.connectedAt, {
            sourceIp: connection.sourceIp,
          }),
          requestId,
          messageId: randomBytes(8).toString('base64url'),
        },
        body: data.toString(isBinary ? 'base64' : 'utf8'),
        isBase64Encoded: isBinary,
      });
      if (this.routes.get(routeKey)?.returnResponse && result?.body !== undefined) {
        connection.socket.send(result.body);
      }
    } catch (error) {
      this.options.onError(error, routeKey);
      connection.socket.send(JSON.stringify({ message: 'Internal server error', connectionId, requestId }));
    }
  }

  /** Route selection expression `$request.body.action`, falling back to `$default` when defined. */
  private selectRoute(body: string): string | undefined {
    let action: unknown;
    try {
      action = (JSON.parse(body) as { action?: unknown }).action;
    } catch {
      action = undefined;
    }
    if (typeof action === 'string' && !action.startsWith('$') && this.routes.has(action)) return action;
    return this.routes.has('$default') ? '$default' : undefined;
  }

  private async invoke(routeKey: string, event: Record<string, unknown>): Promise<HandlerResult | undefined> {
    const route = this.routes.get(routeKey);
    if (route === undefined) return undefined;
    return (await this.options.functions.invoke(
      { entry: route.function.entry, timeoutMs: route.function.timeoutMs },
      event,
    )) as HandlerResult | undefined;
  }

  private requestContext(
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
    connectionId: string,
    connectedAt: number,
    identity: Record<string, unknown>,
  ) {
    const now = Date.now();
    return {
      routeKey,
      eventType,
      messageDirection: 'IN',
      extendedRequestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      stage: LOCAL.stage,
      connectedAt,
      identity,
      requestId: randomUUID(),
      domainName: LOCAL.host,
      connectionId,
      apiId: LOCAL_API_ID,
    };
  }
}

/** API Gateway connection ids look like `L0SM9cOFvHcCIhw=`. */
function newConnectionId(): string {
  return randomBytes(10).toString('base64');
}

/** API Gateway refuses a WebSocket handshake with a bare status. */
function refuse(socket: Duplex, status: number): void {
  writeRawAnswer(socket, status);
}

function sendAwsError(res: ServerResponse, status: number, errorType: string, message: string): void {
  sendJson(res, status, { message }, { 'x-amzn-errortype': errorType });
}

function decodeOrUndefined(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** ws hands over a Buffer, or fragments/ArrayBuffer under other `binaryType` settings. */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
