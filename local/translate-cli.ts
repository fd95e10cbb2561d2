/**
 * `npm run translate -- <file> [--to es] [--from en] [--api URL] [--key KEY] [--ws URL] [--state-dir DIR] [--json]`
 *
 * Translates one voice note through the public API exactly as an app would: POST /uploads, the presigned
 * POST upload, then the job's progress over the WebSocket (or by polling GET /jobs/{id}). Defaults to the
 * running local stack, found as running-stack.ts says, with the premium demo key of its state directory.
 * Exit codes: 0 completed, 1 the job failed (its code is printed), 2 bad usage (a language the service does not
 * offer included: checked against GET /languages before anything is sent), 3 the API refused or failed.
 */
import { openAsBlob } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiError, audioContentType, type JobUpdate, type LanguagesView, VoiceNoteClient } from '../client';
import { AUDIO_CONTENT_TYPE_BY_EXTENSION } from '../lib/config/audio-types';
import { DEFAULT_STATE_DIR } from './config';
import { isLoopbackHost } from './http/server';
import { cannotReachLocalStack, localDemoKey, localWebSocketUrl, resolveLocalApi } from './running-stack';
import { stateLayout } from './state-dir';

const USAGE =
  'Usage: npm run translate -- <file> [--to es] [--from en] [--api URL] [--key KEY] [--ws URL] [--state-dir DIR] [--json]';

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
  const stateDir = resolve(values['state-dir'] ?? DEFAULT_STATE_DIR);
  const api = await resolveLocalApi({ flag: values.api, stateDir });
  const apiUrl = api.url;
  const apiKey = values.key ?? process.env.VNT_API_KEY ?? (await localDemoKey(stateDir));
  if (apiKey === undefined) {
    console.error(`No API key: pass --key (or VNT_API_KEY), or start the local stack once to create ${stateLayout(stateDir).demoKeys}.`);
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
  const client = new VoiceNoteClient({ baseUrl: apiUrl, apiKey, webSocketUrl: values.ws ?? localWebSocketUrl(apiUrl) });
  const refusal = await languageRefusal(client, values.to, values.from);
  if (refusal !== undefined) {
    console.error(refusal);
    return 2;
  }
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
    const unreachableLocally = error.code === 'API_UNREACHABLE' && isLoopbackHost(new URL(apiUrl).host);
    outcome = {
      ...(jobId && { jobId }),
      status: 'error',
      error: { code: error.code, message: unreachableLocally ? cannotReachLocalStack(apiUrl, api.source) : error.message },
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
      'state-dir': { type: 'string' },
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

/**
 * Why the service cannot deliver --to (from --from when given), by its GET /languages, so nothing is uploaded or
 * metered for a note that would fail; undefined when it can, or cannot say (then POST /uploads decides).
 */
async function languageRefusal(client: VoiceNoteClient, to: string | undefined, from: string | undefined): Promise<string | undefined> {
  if (to === undefined && from === undefined) return undefined;
  let languages: LanguagesView;
  try {
    languages = await client.languages();
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
  const spoken = languages.spoken.map((s) => s.language);
  const fromSpoken = languages.spoken.find((s) => s.language === from);
  if (from !== undefined && fromSpoken === undefined) {
    return `The service cannot recognise speech in "${from}"; it recognises: ${spoken.join(', ') || 'none'}.`;
  }
  const targets = fromSpoken?.targets ?? languages.targets;
  if (to === undefined || (targets as readonly string[]).includes(to)) return undefined;
  const via: Readonly<Record<string, string>> = fromSpoken?.via ?? (languages.spoken.length === 1 ? languages.spoken[0]!.via : {});
  const available = targets.map((code) => (via[code] ? `${code} (via ${via[code]})` : code)).join(', ');
  return `The service cannot translate ${from === undefined ? `speech in ${spoken.join(', ') || 'no language'}` : `"${from}"`} into "${to}". Available: ${available || 'none'}.`;
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
