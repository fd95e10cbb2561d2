/**
 * `npm run translate -- <file> [--to es] [--from en] [--api URL] [--key KEY] [--ws URL] [--json]`
 *
 * Translates one voice note through the public API exactly as an app would: POST /uploads, the presigned
 * POST upload, then the job's progress over the WebSocket (or by polling GET /jobs/{id}). Defaults to the
 * local stack (http://127.0.0.1:3000 and its premium demo key from .local/keys.json).
 * Exit codes: 0 completed, 1 the job failed (its code is printed), 2 bad usage, 3 the API refused or failed.
 */
import { openAsBlob } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiError, audioContentType, type JobUpdate, VoiceNoteClient } from '../client';
import { AUDIO_CONTENT_TYPE_BY_EXTENSION } from '../lib/config/audio-types';
import { DEFAULT_STATE_DIR, LOCAL } from './config';
import { readDemoKeys, stateLayout } from './state-dir';

const USAGE = 'Usage: npm run translate -- <file> [--to es] [--from en] [--api URL] [--key KEY] [--ws URL] [--json]';

interface Outcome {
  readonly jobId?: string;
  readonly status: string;
  readonly result?: JobUpdate['result'];
  readonly error?: { readonly code: string; readonly message: string };
  readonly timings: { uploadMs?: number; totalMs: number };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  const json = values.json ?? false;
  const file = positionals[0];
  if (file === undefined || values.help) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const apiUrl = values.api ?? process.env.VNT_API_URL ?? `http://${LOCAL.host}:${LOCAL.defaultPort}`;
  const apiKey = values.key ?? process.env.VNT_API_KEY ?? (await demoKey());
  if (apiKey === undefined) {
    console.error('No API key: pass --key (or VNT_API_KEY), or start the local stack once to create .local/keys.json.');
    return 2;
  }
  const contentType = audioContentType(undefined, file);
  if (contentType === undefined) {
    const known = Object.keys(AUDIO_CONTENT_TYPE_BY_EXTENSION).join(', ');
    console.error(`Cannot tell the audio type of ${file} from its extension (${known}).`);
    return 2;
  }
  let audio: Blob;
  try {
    // File-backed: the note is read as it is sent, not loaded first.
    audio = await openAsBlob(file, { type: contentType });
  } catch (error) {
    console.error(`Cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }

  const tty = !json && process.stderr.isTTY;
  const status = (line: string) => {
    if (!json) process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  const started = Date.now();
  const client = new VoiceNoteClient({ baseUrl: apiUrl, apiKey, webSocketUrl: values.ws ?? defaultWebSocketUrl(apiUrl) });
  let jobId: string | undefined;
  let outcome: Outcome;
  try {
    const created = await client.createUpload({
      contentType,
      ...(audio.size > 0 && { sizeBytes: audio.size }),
      targetLanguage: values.to,
      sourceLanguage: values.from,
    });
    jobId = created.jobId;
    // Subscribed while the audio travels: the first stages can be over before the upload call returns.
    const watch = client.watchJob(created.jobId, {
      timeoutMs: Number(values.timeout ?? 120) * 1000,
      onUpdate: (update) => status(`${update.status.padEnd(12)} ${update.progress}%`),
    });
    let lastShown = 0;
    try {
      await client.upload(created.upload, audio, {
        onProgress: ({ loaded, total }) => {
          if (tty && (loaded === total || Date.now() - lastShown > 100)) {
            lastShown = Date.now();
            status(`Uploading ${formatBytes(loaded)} / ${formatBytes(total)} (${Math.round((loaded / total) * 100)}%)`);
          }
        },
      });
    } catch (error) {
      watch.stop();
      throw error;
    }
    const uploadMs = Date.now() - started;
    status(`Uploaded ${formatBytes(audio.size)} in ${uploadMs} ms`);
    if (tty) process.stderr.write('\n');
    const final = await watch.done;
    if (tty) process.stderr.write('\n');
    outcome = {
      jobId,
      status: final.status,
      ...(final.result && { result: final.result }),
      ...(final.error && { error: final.error }),
      timings: { uploadMs, totalMs: Date.now() - started },
    };
  } catch (error) {
    if (tty) process.stderr.write('\n');
    if (!(error instanceof ApiError)) throw error;
    outcome = {
      ...(jobId && { jobId }),
      status: 'error',
      error: { code: error.code, message: error.message },
      timings: { totalMs: Date.now() - started },
    };
  }

  if (json) console.log(JSON.stringify(outcome, null, 2));
  else print(outcome);
  if (outcome.status === 'completed') return 0;
  return outcome.status === 'failed' ? 1 : 3;
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      from: { type: 'string' },
      api: { type: 'string' },
      key: { type: 'string' },
      ws: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function print(outcome: Outcome): void {
  if (outcome.result) {
    const { transcript, detectedLanguage, translation, cached } = outcome.result;
    console.log(`Transcript (${detectedLanguage}): ${transcript}`);
    console.log(`Translation: ${translation}`);
    console.log(`Cached: ${cached ? 'yes' : 'no'} · ${outcome.timings.totalMs} ms · job ${outcome.jobId}`);
    return;
  }
  console.error(`Failed: ${outcome.error?.code ?? outcome.status}: ${outcome.error?.message ?? ''}`.trim());
}

/** The local stack serves its WebSocket next to the API; a deployed stack's URL must be given with --ws. */
function defaultWebSocketUrl(apiUrl: string): string | undefined {
  const url = new URL(apiUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return undefined;
  return `ws://${url.host}${LOCAL.webSocketPath}`;
}

async function demoKey(): Promise<string | undefined> {
  const keys = await readDemoKeys(stateLayout(DEFAULT_STATE_DIR).demoKeys);
  return keys?.premium ?? keys?.free;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 3;
  },
);
