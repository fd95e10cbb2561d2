import { afterEach, describe, expect, it } from 'vitest';
import { VoiceNoteClient, type XhrConstructor } from '../../../client';
import { s3UploadError } from '../../../client/presigned-upload';
import { type Answer, type RecordedRequest, type RecordingServer, startRecordingServer } from './recording-server';

let server: RecordingServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FIELDS = { key: 'uploads/k1/j1', 'Content-Type': 'audio/ogg', Policy: 'cG9saWN5', 'X-Amz-Signature': 'abc' };
const audio = new Blob([new Uint8Array(200_000).map((_, i) => i % 251)], { type: 'audio/ogg' });

async function storage(answer: Answer = { status: 204 }) {
  server = await startRecordingServer(() => answer);
  return { client: new VoiceNoteClient({ baseUrl: 'http://unused', apiKey: 'k' }), post: { url: `${server.url}/bucket`, fields: FIELDS, expiresAt: 'x' } };
}

/** The multipart form as S3 reads it: field names in order, and the file's bytes. */
async function formOf(request: RecordedRequest) {
  const form = await new Request('http://storage', {
    method: 'POST',
    headers: { 'content-type': request.headers['content-type']! },
    body: new Uint8Array(request.body),
  }).formData();
  const file = form.get('file') as File;
  return { names: [...form.keys()], values: Object.fromEntries([...form.entries()].filter(([n]) => n !== 'file')), file: Buffer.from(await file.arrayBuffer()) };
}

describe('upload to the presigned POST', () => {
  it('sends the policy fields, then the file last', async () => {
    const { client, post } = await storage();

    await client.upload(post, audio);

    const form = await formOf(server!.requests[0]!);
    expect(form.names).toEqual([...Object.keys(FIELDS), 'file']);
    expect(form.values).toEqual(FIELDS);
    expect(form.file.equals(Buffer.from(await audio.arrayBuffer()))).toBe(true);
  });

  it('reports byte progress up to the whole body, sent with its length rather than chunked (Node: no XMLHttpRequest)', async () => {
    const { client, post } = await storage();
    const progress: { loaded: number; total: number }[] = [];

    await client.upload(post, audio, { onProgress: (p) => progress.push(p) });

    const request = server!.requests[0]!;
    expect(request.headers['transfer-encoding']).toBeUndefined();
    expect(Number(request.headers['content-length'])).toBe(request.body.length);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.total === request.body.length)).toBe(true);
    expect(progress.map((p) => p.loaded)).toEqual([...progress.map((p) => p.loaded)].sort((a, b) => a - b));
    expect(progress.at(-1)!.loaded).toBe(request.body.length);
    expect((await formOf(request)).file.equals(Buffer.from(await audio.arrayBuffer()))).toBe(true);
  });

  it("maps storage's XML refusal to a code", async () => {
    const { client, post } = await storage({
      status: 400,
      body: '<?xml version="1.0"?><Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>',
    });
    await expect(client.upload(post, audio)).rejects.toMatchObject({ code: 'UPLOAD_TOO_LARGE', status: 400 });
  });

  it('reports storage it cannot reach as STORAGE_UNREACHABLE', async () => {
    const { client, post } = await storage();
    await server!.close();
    server = undefined;
    await expect(client.upload(post, audio, { onProgress: () => undefined })).rejects.toMatchObject({ code: 'STORAGE_UNREACHABLE' });
  });
});

describe('upload with XMLHttpRequest (browsers, React Native)', () => {
  /** Drives the XHR events a browser would fire for a 2-step upload, and records what was sent. */
  function fakeXhr(outcome: { status: number; responseText?: string } | 'network-error' | 'hang') {
    const sent: { method: string; url: string; body: FormData }[] = [];
    let aborted = false;
    class FakeXhr {
      status = 0;
      responseText = '';
      upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      private target = { method: '', url: '' };
      open(method: string, url: string) {
        this.target = { method, url };
      }
      send(body: FormData) {
        sent.push({ ...this.target, body });
        if (outcome === 'hang') return;
        queueMicrotask(() => {
          if (outcome === 'network-error') return this.onerror?.();
          this.upload.onprogress?.({ lengthComputable: true, loaded: 100, total: 300 });
          this.upload.onprogress?.({ lengthComputable: true, loaded: 300, total: 300 });
          this.status = outcome.status;
          this.responseText = outcome.responseText ?? '';
          this.onload?.();
        });
      }
      abort() {
        aborted = true;
        this.onabort?.();
      }
    }
    const client = new VoiceNoteClient({ baseUrl: 'http://api', apiKey: 'k', XMLHttpRequest: FakeXhr as XhrConstructor });
    return { client, sent, wasAborted: () => aborted };
  }
  const post = { url: 'https://bucket.s3.amazonaws.com/', fields: FIELDS, expiresAt: 'x' };

  it('is used when progress is wanted: fields then file, progress events passed through, full at the end', async () => {
    const { client, sent } = fakeXhr({ status: 204 });
    const progress: { loaded: number; total: number }[] = [];

    await client.upload(post, audio, { onProgress: (p) => progress.push(p) });

    expect(sent[0]).toMatchObject({ method: 'POST', url: post.url });
    expect([...sent[0]!.body.keys()]).toEqual([...Object.keys(FIELDS), 'file']);
    expect(progress).toEqual([
      { loaded: 100, total: 300 },
      { loaded: 300, total: 300 },
      { loaded: 300, total: 300 },
    ]);
  });

  it('sends a React Native file reference as FormData takes it', async () => {
    const { client, sent } = fakeXhr({ status: 204 });
    const file = { uri: 'file:///data/note.m4a', name: 'note.m4a', type: 'audio/mp4' };
    // Node's FormData stringifies a non-Blob, as it may: React Native's keeps the object for its native layer.
    await client.upload(post, file, { onProgress: () => undefined });
    expect(sent[0]!.body.get('file')).toBe(String(file));
  });

  it('maps refusals, network errors and aborts to codes', async () => {
    const xml = '<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>';
    await expect(fakeXhr({ status: 403, responseText: xml }).client.upload(post, audio, { onProgress: () => undefined })).rejects.toMatchObject({
      code: 'UPLOAD_POLICY_EXPIRED',
      status: 403,
    });
    await expect(fakeXhr('network-error').client.upload(post, audio, { onProgress: () => undefined })).rejects.toMatchObject({
      code: 'STORAGE_UNREACHABLE',
    });
    const hanging = fakeXhr('hang');
    const controller = new AbortController();
    const pending = hanging.client.upload(post, audio, { onProgress: () => undefined, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(hanging.wasAborted()).toBe(true);
  });
});

describe('s3UploadError', () => {
  const xml = (code: string, message: string) => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

  it('maps S3 refusals to codes and keeps their words', () => {
    expect(s3UploadError(403, xml('AccessDenied', 'Invalid according to Policy: Policy Condition failed'))).toMatchObject({
      code: 'UPLOAD_FAILED',
      message: 'Storage answered AccessDenied: Invalid according to Policy: Policy Condition failed.',
    });
    expect(s3UploadError(400, xml('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size'))).toMatchObject({
      code: 'EMPTY_AUDIO',
      status: 400,
    });
    expect(s3UploadError(500, '')).toMatchObject({ code: 'UPLOAD_FAILED', message: 'Storage answered HTTP 500.' });
    expect(s3UploadError(500, xml('InternalError', 'Please try again.')).message).toBe('Storage answered InternalError: Please try again.');
  });
});
