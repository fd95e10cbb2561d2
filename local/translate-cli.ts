/**
 * `npm run translate -- <file> [--to es] [--from en] [--api URL] [--key KEY] [--ws URL] [--json]`
 *
 * Translates one voice note through the public API exactly as an app would: POST /uploads, the presigned
 * POST upload, then the job's progress over the WebSocket (or by polling GET /jobs/{id}). Defaults to the
 * local stack (http://127.0.0.1:3000 and its premium demo key from .local/keys.json).
 * Exit codes: 0 completed, 1 the job failed (its code is printed), 2 bad usage, 3 the API refused or failed.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { audioContentType } from './cli/audio-content-type';
import { ApiError, type JobUpdate, VoiceNoteClient } from './cli/voice-note-client';
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
  const contentType = audioContentType(file);
  if (contentType === undefined) {
    console.error(`Cannot tell the audio type of ${file} from its extension (m4a, mp3, ogg, opus, webm, wav, flac, 3gp, amr).`);
    return 2;
  }
  let audio: Buffer;
  try {
    audio = await readFile(file);
  } catch (error) {
    console.error(`Cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }

  const tty = !json && process.stderr.isTTY;
  const status = (line: string) => {
    if (!json) process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  const started = Date.now();
  const client = new VoiceNoteClient(apiUrl, apiKey);
  let jobId: string | undefined;
  let outcome: Outcome;
  try {
    const created = await client.createUpload({
      contentType,
      sizeBytes: audio.length,
      targetLanguage: values.to,
      sourceLanguage: values.from,
    });
    jobId = created.jobId;
    let lastShown = 0;
    await client.upload(created.upload, audio, contentType, (sent) => {
      if (tty && (sent === audio.length || Date.now() - lastShown > 100)) {
        lastShown = Date.now();
        status(`Uploading ${formatBytes(sent)} / ${formatBytes(audio.length)} (${Math.round((sent / audio.length) * 100)}%)`);
      }
    });
    const uploadMs = Date.now() - started;
    status(`Uploaded ${formatBytes(audio.length)} in ${uploadMs} ms`);
    if (tty) process.stderr.write('\n');
    const final = await client.watch(created.jobId, {
      webSocketUrl: values.ws ?? defaultWebSocketUrl(apiUrl),
      timeoutMs: Number(values.timeout ?? 120) * 1000,
      onUpdate: (update) => status(`${update.status.padEnd(12)} ${update.progress}%`),
    });
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
