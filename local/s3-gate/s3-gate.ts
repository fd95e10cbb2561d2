import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { closeServer, listen } from '../http/server';
import type { CorsRule } from '../template/template-bindings';
import { corsHeaders } from './cors-headers';
import { checkPostPolicy, decodePostPolicy } from './post-policy';
import { receivePostUpload, type ReceivedUpload } from './post-upload';
import { accessDenied, newRequestId, S3RequestError } from './s3-error';
import {
  authenticationOf,
  type AwsCredentials,
  parseQuery,
  type SigningContext,
  splitOnce,
  unsupportedAuthentication,
  verifyPostSignature,
  verifyRequestSignature,
} from './signature-v4';

export interface S3GateOptions {
  /** Loopback address the gate listens on (a free port is picked). */
  readonly host: string;
  /** The UNIX socket s3rver listens on, in a directory only this process's user can enter. */
  readonly upstreamSocket: string;
  /** The access key id s3rver knows (it checks no signature): verified requests are forwarded as it. */
  readonly upstreamAccessKeyId: string;
  /** The only principal allowed in: what the in-process handlers sign with. */
  readonly credentials: AwsCredentials;
  readonly region: string;
  /** Where POST uploads wait while they are counted and checked (private to this process's user). */
  readonly spoolDirectory: string;
  /** CORS rules by bucket name, for the gate's own refusals. @default - none */
  readonly cors?: Readonly<Record<string, readonly CorsRule[]>>;
  /** @default - the system clock */
  readonly now?: () => Date;
  onError(error: unknown, context: string): void;
}

/** Request headers that concern one connection only, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);
/** Form fields that only authenticate the form: S3 stores none of them. */
const AUTHENTICATION_FIELDS = new Set([
  'policy',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-signature',
  'x-amz-security-token',
  'bucket',
]);

/**
 * The local S3 endpoint: what real S3 checks, in front of s3rver, which checks none of it. Browser POST
 * uploads are held to their signed policy (signature, expiry, every condition, every field covered, the
 * file's size counted before a byte is forwarded); every other request must carry a valid SigV4 signature
 * (header or presigned URL) of the local principal. Refusals are S3's statuses and XML errors. CORS
 * preflights pass unsigned, as in S3. s3rver listens on a private UNIX socket, so nothing reaches it but
 * requests that passed here, and its object-created events fire only for those.
 */
export class S3Gate {
  private readonly agent = new Agent({ keepAlive: true });

  private constructor(
    private readonly server: Server,
    private readonly options: S3GateOptions,
    readonly endpoint: string,
  ) {}

  static async open(options: S3GateOptions): Promise<S3Gate> {
    let gate: S3Gate | undefined;
    const server = createServer((req, res) => void gate!.handle(req, res));
    const port = await listen(server, 0, options.host);
    gate = new S3Gate(server, options, `http://${options.host}:${port}`);
    return gate;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
    this.agent.destroy();
  }

  private context(): SigningContext {
    return { credentials: this.options.credentials, region: this.options.region, now: this.options.now?.() ?? new Date() };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    try {
      const { path, rawQuery } = splitUrl(req.url ?? '/');
      if (req.method === 'OPTIONS') {
        await this.forward(req, res, path, rawQuery, forwardedHeaders(req.headers));
        return;
      }
      const received = { method: req.method ?? 'GET', path, query: parseQuery(rawQuery), headers: req.headers };
      switch (authenticationOf(received)) {
        case 'unsupported':
          throw unsupportedAuthentication();
        case 'none':
          if (req.method === 'POST' && rawQuery === '' && isBucketRoot(path)) {
            await this.postObject(req, res, path, requestId);
            return;
          }
          throw accessDenied();
        default:
          await verifyRequestSignature(received, this.context());
          await this.forward(req, res, path, this.asUpstreamQuery(rawQuery), this.asUpstreamHeaders(req.headers));
      }
    } catch (error) {
      this.refuse(req, res, error, requestId);
    }
  }

  /** A browser form upload: checked in full, then forwarded to s3rver as a form of the checked fields only. */
  private async postObject(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
    const bucket = safeDecode(path.split('/')[1]!);
    let upload: ReceivedUpload | undefined;
    try {
      upload = await receivePostUpload(req, {
        spoolDirectory: this.options.spoolDirectory,
        authorize: async (fields) => {
          if (!fields.has('key')) {
            throw new S3RequestError(
              'InvalidArgument',
              "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
              { ArgumentName: 'key', ArgumentValue: '' },
            );
          }
          const context = this.context();
          await verifyPostSignature(fields, context);
          return checkPostPolicy(decodePostPolicy(fields.get('policy')!.value), fields, bucket, context.now);
        },
      });
      const form = upstreamForm(upload);
      const headers: OutgoingHttpHeaders = {
        ...(req.headers.host !== undefined && { host: req.headers.host }),
        ...(req.headers.origin !== undefined && { origin: req.headers.origin }),
        'content-type': form.contentType,
        'content-length': form.length,
      };
      await this.forward(req, res, path, '', headers, form.body);
    } catch (error) {
      this.refuse(req, res, error, requestId);
    } finally {
      if (upload !== undefined) await rm(upload.file.path, { force: true });
    }
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    rawQuery: string,
    headers: OutgoingHttpHeaders,
    body: Readable = req,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          socketPath: this.options.upstreamSocket,
          agent: this.agent,
          method: req.method,
          path: rawQuery === '' ? path : `${path}?${rawQuery}`,
          headers,
        },
        (answer) => {
          const answerHeaders = { ...answer.headers };
          delete answerHeaders.connection;
          delete answerHeaders['keep-alive'];
          res.writeHead(answer.statusCode ?? 502, answerHeaders);
          pipeline(answer, res).then(resolve, reject);
        },
      );
      upstream.on('error', reject);
      pipeline(body, upstream).catch(reject);
    });
  }

  private refuse(req: IncomingMessage, res: ServerResponse, error: unknown, requestId: string): void {
    let refusal: S3RequestError;
    if (error instanceof S3RequestError) {
      refusal = error;
    } else {
      if (!req.destroyed) this.options.onError(error, `S3 ${req.method} ${req.url}`);
      refusal = new S3RequestError('InternalError', 'We encountered an internal error. Please try again.');
    }
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const body = req.method === 'HEAD' ? '' : refusal.toXml(requestId);
    const bucket = safeDecode(splitUrl(req.url ?? '/').path.split('/')[1] ?? '');
    res.writeHead(refusal.status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-amz-request-id': requestId,
      ...corsHeaders(this.options.cors?.[bucket] ?? [], req.headers.origin, req.method ?? 'GET'),
    });
    res.end(body);
    // Whatever the client still sends is read and dropped, so it sees this answer rather than a reset.
    if (!req.complete) req.resume();
  }

  private asUpstreamHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
    const forwarded = forwardedHeaders(headers);
    if (typeof forwarded.authorization === 'string') {
      forwarded.authorization = forwarded.authorization.replace(
        /Credential=[^/]*\//,
        `Credential=${this.options.upstreamAccessKeyId}/`,
      );
    }
    return forwarded;
  }

  private asUpstreamQuery(rawQuery: string): string {
    return rawQuery
      .split('&')
      .map((pair) => {
        const [name, value = ''] = splitOnce(pair, '=');
        if (safeDecode(name) !== 'X-Amz-Credential') return pair;
        const scope = safeDecode(value).replace(/^[^/]*\//, '');
        return `${name}=${encodeURIComponent(`${this.options.upstreamAccessKeyId}/${scope}`)}`;
      })
      .join('&');
  }
}

/** The checked upload as a multipart form for s3rver: the stored fields, then the spooled file. */
function upstreamForm(upload: ReceivedUpload): { body: Readable; length: number; contentType: string } {
  const boundary = `----vnt-s3-gate-${randomBytes(12).toString('hex')}`;
  const filename = upload.file.filename ?? 'file';
  const parts = [...upload.fields.entries()]
    .filter(([name]) => !AUTHENTICATION_FIELDS.has(name) && !name.startsWith('x-ignore-'))
    .map(([name, field]) => {
      const value = name === 'key' ? field.value.replaceAll('${filename}', filename) : field.value;
      return `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(field.name)}"\r\n\r\n${value}\r\n`;
    });
  const head = Buffer.from(
    `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(filename)}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const { path } = upload.file;
  return {
    body: Readable.from(
      (async function* form() {
        yield head;
        yield* createReadStream(path);
        yield tail;
      })(),
    ),
    length: head.length + upload.file.size + tail.length,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

function forwardedHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function splitUrl(url: string): { path: string; rawQuery: string } {
  const [path, rawQuery = ''] = splitOnce(url, '?');
  return { path, rawQuery };
}

/** `/bucket` or `/bucket/`: where browser forms post. */
function isBucketRoot(path: string): boolean {
  return /^\/[^/]+\/?$/.test(path);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A name inside a quoted Content-Disposition parameter, escaped the way browsers escape it. */
function quoted(name: string): string {
  return name.replaceAll('"', '%22').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}
