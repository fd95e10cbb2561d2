/**
 * `npm run smoke -- --api <url> --key <key> [--ws <url>] [--to es] [--load N] [--strict] [--json] [--timeout 120]`
 *
 * Checks a deployment end to end right after `cdk deploy`, through the one API client: health, a real speech
 * sample through the presigned POST and the progress WebSocket, its transcript, language and translation,
 * the cache, history, usage, delete, and the two refusals (not audio; over the size storage accepts). Prints a
 * pass/fail table and each stage's latency beside its target (lib/config/latency-targets.ts); `--load N` then
 * sends N notes at once and reports throughput and p50/p99 per stage. With no --api/--key it tests the
 * running local stack (`npm start`) with its premium demo key.
 * VNT_API_URL, VNT_WS_URL and VNT_API_KEY stand in for --api, --ws and --key, as for the client examples.
 * Exit codes: 0 passed; 1 a functional check failed; 2 bad usage; 3 a latency target was missed (--strict only).
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { audioContentType, VoiceNoteClient } from '../client';
import { DEFAULT_STATE_DIR } from '../local/config';
import { isLoopbackHost } from '../local/http/server';
import { cannotReachLocalStack, localDemoKey, localWebSocketUrl, resolveLocalApi } from '../local/running-stack';
import { runSmokeChecks, type SmokeSample } from './checks';
import { latencyRows } from './latency';
import { runLoad } from './load';
import { renderReport, type SmokeReport } from './render';
import { EXIT_CODES as EXIT, verdictOf } from './verdict';

const USAGE = 'Usage: npm run smoke -- [--api URL] [--key KEY] [--ws URL] [--to es] [--load N] [--strict] [--json] [--timeout SECONDS] [--state-dir DIR]';

const SAMPLES_DIR = path.resolve(import.meta.dirname, '../samples');
/** The note the checks send, and the language its reader speaks (samples/README.md). */
const SMOKE_SAMPLE = { file: 'ill-disposed.m4a', language: 'en' };
/** What `--load` sends, in turn: every bundled sample, so notes in flight differ. */
const LOAD_SAMPLES = ['ill-disposed.m4a', 'amiable.ogg', 'john-dashwood.m4a'];

async function main(): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse());
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT.passed;
  }
  const load = values.load === undefined ? 0 : Number(values.load);
  const timeoutSeconds = Number(values.timeout ?? 120);
  if (!Number.isInteger(load) || load < 0 || !(timeoutSeconds > 0)) {
    console.error(`--load takes a whole number of notes and --timeout a number of seconds.\n${USAGE}`);
    return EXIT.usage;
  }
  const stateDir = path.resolve(values['state-dir'] ?? DEFAULT_STATE_DIR);
  // --api is the way for a deployment; without it, the running local stack as the other CLIs find it.
  const api = await resolveLocalApi({ flag: values.api, stateDir });
  const apiKey = values.key ?? process.env.VNT_API_KEY ?? (await localDemoKey(stateDir));
  const webSocketUrl = values.ws ?? localWebSocketUrl(api.url);
  if (apiKey === undefined) {
    console.error(`No API key: pass --key (or VNT_API_KEY).\n${USAGE}`);
    return EXIT.usage;
  }
  if (webSocketUrl === undefined) {
    console.error(`No progress WebSocket: pass --ws with the stack's ProgressUrl output.\n${USAGE}`);
    return EXIT.usage;
  }

  // Under --load, throttled requests are expected: wait them out for longer than an app would.
  const client = new VoiceNoteClient({ baseUrl: api.url, apiKey, webSocketUrl, throttle: load > 0 ? { retries: 8, maxWaitSeconds: 60 } : undefined });
  const options = { targetLanguage: values.to ?? 'es', timeoutMs: timeoutSeconds * 1000 };
  const sample: SmokeSample = { audio: await sampleBlob(SMOKE_SAMPLE.file), language: SMOKE_SAMPLE.language };
  // One line rewritten in place on a terminal; nothing in a log, where the report follows anyway.
  const tty = !values.json && process.stderr.isTTY;
  const progress = (line: string) => {
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
  };
  progress(`Smoke-testing ${api.url} …`);
  const { checks, timings } = await runSmokeChecks(client, sample, options, (c) => progress(`${c.name}: ${c.outcome}`));
  if (load > 0) progress(`Sending ${load} notes at once …`);
  const latency = latencyRows(timings);
  const loadSummary = load > 0 ? await runLoad(client, await Promise.all(LOAD_SAMPLES.map(sampleBlob)), load, options) : undefined;
  const report: SmokeReport = { api: api.url, sample: `samples/${SMOKE_SAMPLE.file}`, checks, latency, ...(loadSummary ? { load: loadSummary } : {}) };

  progress('');
  const verdict = verdictOf({ checks, latency, load: loadSummary, strict: values.strict ?? false });
  if (values.json) console.log(JSON.stringify({ ...report, passed: verdict.exitCode === EXIT.passed, exitCode: verdict.exitCode }, null, 2));
  else console.log(renderReport(report, verdict.summary));
  if (isLoopbackHost(new URL(api.url).host) && checks.some((c) => c.outcome === 'fail' && c.detail.startsWith('API_UNREACHABLE'))) {
    console.error(cannotReachLocalStack(api.url, api.source));
  }
  return verdict.exitCode;
}

function parse() {
  return parseArgs({
    options: {
      api: { type: 'string' },
      key: { type: 'string' },
      ws: { type: 'string' },
      to: { type: 'string' },
      load: { type: 'string' },
      timeout: { type: 'string' },
      'state-dir': { type: 'string' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function sampleBlob(file: string): Promise<Blob> {
  return openAsBlob(path.join(SAMPLES_DIR, file), { type: audioContentType(undefined, file) });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT.checkFailed;
  },
);
