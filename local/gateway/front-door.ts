import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from '../../functions/http/responses';
import { createHardenedServer, type HttpTimeouts, writeRawAnswer } from '../http/hardened-server';
import { closeServer, isLoopbackHost, listen, RequestAbortedError, sendJson } from '../http/server';

/** Answers a request it recognises (true) or leaves it to the next one (false). */
export type RequestRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
export type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean;

export interface FrontDoorRoutes {
  readonly requests: readonly RequestRoute[];
  readonly upgrades: readonly UpgradeRoute[];
}

/** Why the front door refused a request before any route saw it: [status, code, message]. */
type Refusal = readonly [number, string, string];

/**
 * The one public port of the local stack (API, WebSocket, management API, key admin, web client). It
 * listens before anything else starts, so a taken port fails at once, and answers 503 until the stack is
 * ready. Before any route runs it refuses what no route should see: request targets that are not a path,
 * and Host names other than the loopback names it serves (DNS rebinding).
 */
export class FrontDoor {
  private routes: FrontDoorRoutes | undefined;
  private readonly server: Server;

  private constructor(
    readonly port: number,
    server: Server,
  ) {
    this.server = server;
  }

  static async open(
    port: number,
    host: string,
    onError: (error: unknown, context: string) => void,
    timeouts: Partial<HttpTimeouts> = {},
  ): Promise<FrontDoor> {
    let door: FrontDoor | undefined;
    const server = createHardenedServer((req, res) => {
      void door!.request(req, res).catch((error: unknown) => {
        // Nobody is left to answer; the socket is already closing.
        if (error instanceof RequestAbortedError) return void res.destroy();
        onError(error, `${req.method} ${req.url}`);
        if (!res.headersSent) sendJson(res, 500, errorBody('INTERNAL_ERROR', 'The local stack failed to answer.'));
        else res.destroy();
      });
    }, timeouts);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => door!.upgrade(req, socket, head));
    door = new FrontDoor(await listen(server, port, host), server);
    return door;
  }

  attach(routes: FrontDoorRoutes): void {
    this.routes = routes;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const refusal = this.refusal(req, url);
    if (refusal !== undefined) {
      const [status, code, message] = refusal;
      sendJson(res, status, errorBody(code, message), status === 503 ? { 'retry-after': '1' } : {});
      return;
    }
    for (const route of this.routes!.requests) if (await route(req, res, url!)) return;
    sendJson(res, 404, errorBody('NOT_FOUND', `Nothing at ${url!.pathname}.`));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = requestUrl(req);
    const refusal = this.refusal(req, url);
    if (refusal !== undefined) {
      const [status, code, message] = refusal;
      writeRawAnswer(socket, status, errorBody(code, message));
      return;
    }
    for (const route of this.routes!.upgrades) if (route(req, socket, head, url!)) return;
    writeRawAnswer(socket, 404, errorBody('NOT_FOUND', `No WebSocket API at ${url!.pathname}.`));
  }

  private refusal(req: IncomingMessage, url: URL | undefined): Refusal | undefined {
    if (url === undefined) return [400, 'MALFORMED_REQUEST', 'The request target must be a path starting with /.'];
    if (!isLoopbackHost(req.headers.host)) {
      return [421, 'MISDIRECTED_REQUEST', 'This local stack only answers to the host names 127.0.0.1, localhost and [::1].'];
    }
    if (this.routes === undefined) return [503, 'STARTING', 'The local stack is starting; try again in a moment.'];
    return undefined;
  }
}

/**
 * The request target as a URL, or undefined unless it is a path (origin form). Resolved against a fixed
 * origin so `//host/x` stays a path instead of naming a host.
 */
function requestUrl(req: IncomingMessage): URL | undefined {
  if (req.url?.startsWith('/') !== true) return undefined;
  try {
    return new URL(`http://local${req.url}`);
  } catch {
    return undefined;
  }
}
