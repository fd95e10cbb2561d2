import type { PresignedUpload } from './api-types';
import { abortedError, ApiError } from './api-error';
import type { FetchLike } from './api-transport';

/** A file as React Native's FormData takes it (from a recorder or document picker): sent by the native layer. */
export interface ReactNativeFile {
  readonly uri: string;
  readonly name: string;
  readonly type: string;
}

/** The audio of a note: a Blob/File (browsers, Node) or a React Native file reference. */
export type UploadAudio = Blob | ReactNativeFile;

/** Bytes of the multipart body on the wire so far (fields included, so `total` is a little over the file size). */
export interface UploadProgress {
  readonly loaded: number;
  readonly total: number;
}

export interface UploadOptions {
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly signal?: AbortSignal;
}

/** Function-typed members that accept the platform's own handlers (whose event types are richer). */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of XMLHttpRequest an upload with progress needs (browsers and React Native have it, Node has not). */
export interface XhrLike {
  readonly status: number;
  readonly responseText: string;
  readonly upload: { onprogress: Handler<{ lengthComputable: boolean; loaded: number; total: number }> | null };
  onload: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
  onabort: Handler<unknown> | null;
  open(method: string, url: string): void;
  send(body: FormData): void;
  abort(): void;
}
export type XhrConstructor = new () => XhrLike;

export interface UploadTransport {
  readonly fetch: FetchLike;
  readonly XMLHttpRequest?: XhrConstructor;
}

/**
 * Sends the audio with the presigned POST: the policy's fields, then the file (S3 ignores every field after
 * `file`). Progress, when asked for, counts real bytes: XMLHttpRequest where the platform has it (browsers,
 * React Native: fetch reports no upload progress there), else a fetch whose body is counted as it is read
 * (Node). Without a progress callback, a plain fetch.
 */
export async function uploadToPresignedPost(
  upload: PresignedUpload,
  audio: UploadAudio,
  transport: UploadTransport,
  options: UploadOptions = {},
): Promise<void> {
  if (options.signal?.aborted) throw abortedError(options.signal);
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  if (isBlob(audio)) form.append('file', audio, fileNameOf(audio));
  else form.append('file', audio as unknown as Blob); // React Native's FormData reads { uri, name, type }

  const { onProgress, signal } = options;
  if (onProgress && transport.XMLHttpRequest) {
    return sendWithXhr(transport.XMLHttpRequest, upload.url, form, isBlob(audio) ? audio.size : 0, onProgress, signal);
  }
  let response: Response;
  try {
    response = await transport.fetch(upload.url, { method: 'POST', ...(onProgress ? await countedBody(form, onProgress) : { body: form }), signal });
  } catch (error) {
    throw signal?.aborted ? abortedError(signal) : storageUnreachable(error);
  }
  if (!response.ok) throw s3UploadError(response.status, await response.text().catch(() => ''));
}

/**
 * Maps S3's XML refusal (`<Error><Code>…</Code><Message>…</Message></Error>`) to a code: UPLOAD_TOO_LARGE,
 * EMPTY_AUDIO, UPLOAD_POLICY_EXPIRED, else UPLOAD_FAILED; the message keeps S3's words.
 */
export function s3UploadError(status: number, body: string): ApiError {
  const s3Code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  const s3Message = /<Message>([^<]+)<\/Message>/.exec(body)?.[1] ?? '';
  const said = `Storage answered ${s3Code ?? `HTTP ${status}`}${s3Message ? `: ${s3Message}` : ''}`;
  const detail = /[.!?]$/.test(said) ? said : `${said}.`;
  // The codes the API and the pipeline use for the same trouble, so a UI needs one set of words.
  if (s3Code === 'EntityTooLarge') return new ApiError('UPLOAD_TOO_LARGE', detail, { status });
  if (s3Code === 'EntityTooSmall') return new ApiError('EMPTY_AUDIO', detail, { status });
  if (s3Code === 'AccessDenied' && /expired/i.test(s3Message)) return new ApiError('UPLOAD_POLICY_EXPIRED', detail, { status });
  return new ApiError('UPLOAD_FAILED', detail, { status });
}

function sendWithXhr(
  Xhr: XhrConstructor,
  url: string,
  form: FormData,
  fileBytes: number,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new Xhr();
    let total = fileBytes;
    const onAbort = (): void => xhr.abort();
    const settle = (error?: ApiError): void => {
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    xhr.open('POST', url);
    xhr.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      total = event.total;
      onProgress({ loaded: event.loaded, total: event.total });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        // Small bodies may send no progress event at all: the bar still ends full.
        onProgress({ loaded: total, total });
        settle();
      } else {
        settle(s3UploadError(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = () => settle(storageUnreachable('the request failed'));
    xhr.onabort = () => settle(abortedError(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(form);
  });
}

/** Progress granularity of a counted body: a few dozen events for a typical note. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The form, encoded by the platform (its boundary and Content-Type), read out in chunks as fetch pulls
 * them, counting. The length is known up front and sent as Content-Length: S3 refuses a chunked POST.
 */
async function countedBody(form: FormData, onProgress: (progress: UploadProgress) => void): Promise<RequestInit> {
  const encoded = new Response(form);
  const contentType = encoded.headers.get('content-type') ?? 'multipart/form-data';
  const body = await encoded.blob();
  const total = body.size;
  let loaded = 0;
  const counted = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (loaded >= total) {
        controller.close();
        return;
      }
      const chunk = new Uint8Array(await body.slice(loaded, loaded + CHUNK_BYTES).arrayBuffer());
      loaded += chunk.byteLength;
      controller.enqueue(chunk);
      onProgress({ loaded, total });
    },
  });
  // `duplex` is required for a stream body (Fetch standard) but missing from the DOM typings.
  return { body: counted, headers: { 'content-type': contentType, 'content-length': String(total) }, duplex: 'half' } as RequestInit;
}

function isBlob(audio: UploadAudio): audio is Blob {
  return typeof Blob !== 'undefined' && audio instanceof Blob;
}

function fileNameOf(audio: Blob): string {
  const name = (audio as Partial<File>).name;
  return typeof name === 'string' && name ? name : 'voice-note';
}

function storageUnreachable(cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError('STORAGE_UNREACHABLE', `The upload could not reach storage: ${reason}`, { cause });
}
