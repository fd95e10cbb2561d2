/**
 * `npm start [-- --fresh] [--port 3000] [--state-dir .local] [--quiet] [--skip-packages]`: the whole product
 * on this machine (see local/stack.ts). PORT also sets the port. Ctrl-C (SIGINT) or SIGTERM stops everything.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR, LOCAL } from './config';
import { watchLauncher } from './launcher-watch';
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

async function main(): Promise<void> {
  quietExperimentalWarnings();
  const { values } = parseArgs({
    options: {
      fresh: { type: 'boolean', default: false },
      port: { type: 'string' },
      'state-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'skip-packages': { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? LOCAL.defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`Invalid port ${values.port ?? process.env.PORT}`);
  const started = Date.now();
  if (!values['skip-packages']) await ensureEnginePackages((line) => console.log(line));

  const stack = await startLocalStack({
    port,
    fresh: values.fresh,
    quiet: values.quiet,
    ...(values['state-dir'] !== undefined && { stateDir: resolve(values['state-dir']) }),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack…`);
    // A second signal, or a stop that hangs, ends the process anyway.
    const force = setTimeout(() => process.exit(1), 10_000);
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
      'Ctrl-C stops everything.',
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
