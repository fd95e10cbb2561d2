import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from '../../functions/http/responses';
import { closeServer, listen, sendJson } from '../http/server';

/** Answers a request it recognises (true) or leaves it to the next one (false). */
export type RequestRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
export type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean;

export interface FrontDoorRoutes {
  readonly requests: readonly RequestRoute[];
  readonly upgrades: readonly UpgradeRoute[];
}

/**
 * The one public port of the local stack (API, WebSocket, management API, key admin, web client). It
 * listens before anything else starts, so a taken port fails at once, and answers 503 until the stack is
 * ready.
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

  static async open(port: number, host: string, onError: (error: unknown, context: string) => void): Promise<FrontDoor> {
    let door: FrontDoor | undefined;
    const server = createServer((req, res) => {
      void door!.request(req, res).catch((error: unknown) => {
        onError(error, `${req.method} ${req.url}`);
        if (!res.headersSent) sendJson(res, 500, errorBody('INTERNAL_ERROR', 'The local stack failed to answer.'));
        else res.destroy();
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => door!.upgrade(req, socket, head));
    // Keep-alive sockets must not hold the process open after stop().
    server.keepAliveTimeout = 5_000;
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
    const url = new URL(req.url ?? '/', 'http://local');
    if (this.routes === undefined) {
      sendJson(res, 503, errorBody('STARTING', 'The local stack is starting; try again in a moment.'), {
        'retry-after': '1',
      });
      return;
    }
    for (const route of this.routes.requests) if (await route(req, res, url)) return;
    sendJson(res, 404, errorBody('NOT_FOUND', `Nothing at ${url.pathname}.`));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://local');
    for (const route of this.routes?.upgrades ?? []) if (route(req, socket, head, url)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }
}
