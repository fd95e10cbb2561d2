/**
 * `npm start [-- --fresh] [--port 3000] [--state-dir .local] [--quiet] [--skip-packages] [--stop-grace-seconds 30]`:
 * the whole product on this machine (see local/stack.ts). PORT also sets the port. Ctrl-C (SIGINT) or SIGTERM
 * stops everything, letting running notes finish first (the rest are processed again at the next start).
 *
 * Debugging knob (local only, for the crash tests): VNT_DEBUG_HOLD_BEFORE=<Task state>[,<Task state>…] makes
 * every execution wait before those states, so jobs stay in a chosen stage until the stack is stopped.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { terminateRunningProcesses } from '../functions/audio/run-process';
import { DEFAULT_STATE_DIR, LOCAL } from './config';
import { watchLauncher } from './launcher-watch';
import { DEFAULT_STOP_GRACE_MS } from './pipeline/local-pipeline';
import { LocalStackRunningError } from './running-stack';
import { startLocalStack } from './stack';
import { ensureEnginePackages } from './system-packages';

/** fauxqs persists through node:sqlite, which Node 22 flags as experimental on every start: not news to users. */
function quietExperimentalWarnings(): void {
  const defaultListeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
    for (const listener of defaultListeners) listener(warning);
  });
}

/** What a stop may take beyond its grace period (stopping handlers and emulators) before the process exits anyway. */
const FORCED_EXIT_MARGIN_MS = 15_000;

async function main(): Promise<void> {
  quietExperimentalWarnings();
  const { values } = parseArgs({
    options: {
      fresh: { type: 'boolean', default: false },
      port: { type: 'string' },
      'state-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'skip-packages': { type: 'boolean', default: false },
      'stop-grace-seconds': { type: 'string' },
    },
  });
  const graceSeconds = Number(values['stop-grace-seconds'] ?? DEFAULT_STOP_GRACE_MS / 1000);
  if (!Number.isFinite(graceSeconds) || graceSeconds < 0) throw new Error(`Invalid --stop-grace-seconds ${values['stop-grace-seconds']}`);
  const holdBeforeStates = process.env.VNT_DEBUG_HOLD_BEFORE?.split(',').map((state) => state.trim()).filter(Boolean);
  const port = Number(values.port ?? process.env.PORT ?? LOCAL.defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`Invalid port ${values.port ?? process.env.PORT}`);
  const started = Date.now();
  if (!values['skip-packages']) await ensureEnginePackages((line) => console.log(line));

  // Engines run in process groups of their own (out of reach of the terminal's Ctrl-C): end them with us.
  process.on('exit', () => terminateRunningProcesses());
  const stack = await startLocalStack({
    port,
    fresh: values.fresh,
    quiet: values.quiet,
    stopGraceMs: graceSeconds * 1000,
    ...(holdBeforeStates?.length && { holdBeforeStates }),
    ...(values['state-dir'] !== undefined && { stateDir: resolve(values['state-dir']) }),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack (running notes get up to ${graceSeconds} s to finish)…`);
    // A stop that hangs past the grace period ends the process anyway (the next start resumes what was running).
    const force = setTimeout(() => process.exit(1), graceSeconds * 1000 + FORCED_EXIT_MARGIN_MS);
    force.unref();
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  watchLauncher(() => stop('launcher gone'));

  // The CLIs find this stack through its state directory (stack.json), so the commands below work as printed.
  const stateDirFlag = stack.stateDir === DEFAULT_STATE_DIR ? '' : ` --state-dir ${shellQuote(stack.stateDir)}`;
  console.log(
    [
      `Voice Note Translator local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  API + web    ${stack.url}${stack.web.status === 'failed' ? ' (the web client failed to build: see above)' : ''}`,
      `  WebSocket    ${stack.webSocketUrl}?apiKey=<key>`,
      `  State        ${stack.stateDir}${stack.provisionedKeys ? ' (new demo keys provisioned)' : ''}`,
      `  Demo keys    free ${stack.keys.free}`,
      `               basic ${stack.keys.basic}`,
      `               premium ${stack.keys.premium}`,
      `  Try          npm run translate -- samples/ill-disposed.m4a --to es${stateDirFlag}`,
      `               curl -H 'x-api-key: ${stack.keys.premium}' ${stack.url}/jobs`,
      `               npm run keys -- list${stateDirFlag}`,
      ...(holdBeforeStates?.length ? [`  DEBUG        executions wait before ${holdBeforeStates.join(', ')} (VNT_DEBUG_HOLD_BEFORE)`] : []),
      `Ctrl-C stops everything (running notes get up to ${graceSeconds} s to finish).`,
    ].join('\n'),
  );
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    ? `Port in use: ${(error as Error).message}. Set PORT or stop the other process.`
    : error instanceof LocalStackRunningError ? error.message : error);
  process.exit(1);
});
