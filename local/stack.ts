import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TIER_NAMES, type TierName } from '../lib/config/tiers';
import { DEFAULT_OUT_DIR as WEB_DIST, ensureWebBuild, type WebBuildOutcome } from '../web/build';
import { DEFAULT_STATE_DIR, LOCAL } from './config';
import { emulatorClientConfig } from './emulators/aws-clients';
import { startDynamoDb } from './emulators/dynamodb';
import { adminKeys } from './gateway/admin-keys';
import { apiGateway } from './gateway/api-gateway';
import { FrontDoor } from './gateway/front-door';
import type { HttpTimeouts } from './http/hardened-server';
import { GatewayResponses } from './gateway/gateway-responses';
import { LocalKeyStore } from './gateway/key-store';
import { RouteTable } from './gateway/routes';
import { staticSite } from './gateway/static-site';
import { type ThrottleOverrides, UsagePlans } from './gateway/usage-plans';
import { FunctionHost } from './lambda/function-host';
import { loadOrCreateLocalCredentials } from './local-credentials';
import { consoleLog, type LocalLog } from './log';
import { startLocalPipeline } from './pipeline/local-pipeline';
import { WebSocketGateway, type WebSocketTimeouts } from './progress/websocket-gateway';
import { findRunningStack, forgetRunningStack, LocalStackRunningError, lockStateDir, processStartOf, recordRunningStack } from './running-stack';
import {
  type DemoKeys,
  loadOrCreateAdminToken,
  loadOrCreateCursorSecret,
  PRIVATE_UMASK,
  prepareStateDir,
  readDemoKeys,
  stateLayout,
  writeDemoKeys,
} from './state-dir';

export interface LocalStackOptions {
  /** @default 3000; 0 picks a free port */
  readonly port?: number;
  /** @default `<repo>/.local` */
  readonly stateDir?: string;
  /** Wipe the state directory first. @default false */
  readonly fresh?: boolean;
  /** Only errors on the console. @default false */
  readonly quiet?: boolean;
  /** Faster refill for some tiers (tests that must not wait for the real rate). @default - the tiers' own */
  readonly throttleOverrides?: ThrottleOverrides;
  /** Shorter client timeouts (tests that must not wait minutes). @default - see HttpTimeouts, WebSocketTimeouts */
  readonly timeouts?: { readonly http?: Partial<HttpTimeouts>; readonly webSocket?: Partial<WebSocketTimeouts> };
  /** The web client served at `/`, built at start when missing or stale. @default web/dist */
  readonly webRoot?: string;
  /**
   * How long `stop` lets running notes finish; the rest are processed again at the next start.
   * @default DEFAULT_STOP_GRACE_MS (30 s)
   */
  readonly stopGraceMs?: number;
  /** Debugging only: executions wait before these Task states until stopped. @default - none */
  readonly holdBeforeStates?: readonly string[];
}

/** The web client at `/`: already current, built by this start, or failed to build (the API serves anyway). */
export type WebClientState = WebBuildOutcome | { readonly status: 'failed'; readonly outDir: string; readonly error: string };

export interface LocalStack {
  /** Base URL of the API (and web client), e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** WebSocket progress channel, e.g. `ws://127.0.0.1:3000/ws`. */
  readonly webSocketUrl: string;
  readonly port: number;
  readonly stateDir: string;
  /** The demo key value per tier (also in `<stateDir>/keys.json`). */
  readonly keys: DemoKeys;
  /** True when this start provisioned the demo keys (first start of a state directory). */
  readonly provisionedKeys: boolean;
  /** The key admin endpoint's bearer token (also in `<stateDir>/admin-token`). */
  readonly adminToken: string;
  readonly web: WebClientState;
  /**
   * Stops everything it started: takes no new work, lets running notes finish within the grace period (see
   * `stopGraceMs`; the rest are processed again at the next start), then stops the emulators. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts the whole product on this machine: emulators (dynalite, s3rver, fauxqs), the state machine from the
 * synthesised CDK app, the real handlers in-process, the local API gateway with keys and usage plans, the
 * WebSocket progress channel and the web client, all on one public port.
 *
 * Handlers read their environment at module scope and the environment is per process, so run one stack per
 * process (vitest's forks pool gives each test file its own).
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = consoleLog(options.quiet ?? false);
  const layout = stateLayout(options.stateDir ?? DEFAULT_STATE_DIR);
  // Process-wide, before anything is written: every file the emulators create (LevelDB, s3rver's objects,
  // fauxqs's SQLite) is then private to the owner, like the state directory itself.
  const previousUmask = process.umask(PRIVATE_UMASK);
  // Stopped in reverse order of start, except the public port, which closes first so nothing new comes in.
  const stops: (() => Promise<void>)[] = [];
  let frontDoor: FrontDoor | undefined;
  const stopAll = async () => {
    for (const stop of [() => frontDoor?.close() ?? Promise.resolve(), ...stops.splice(0).reverse()]) {
      await stop().catch((error: unknown) => log.error(error, 'stop'));
    }
    process.umask(previousUmask);
  };

  try {
    // Before anything is touched (--fresh would wipe a running stack's state).
    const running = await findRunningStack(layout.root);
    if (running !== undefined && running.pid !== process.pid) throw new LocalStackRunningError(layout.root, running);
    // Released last (stops run in reverse order).
    stops.push(await lockStateDir(layout.root));
    await prepareStateDir(layout, options.fresh ?? false);
    stops.push(await useScratchDirectory(layout.scratch));
    frontDoor = await FrontDoor.open(options.port ?? LOCAL.defaultPort, LOCAL.host, log.error, options.timeouts?.http);
    const url = `http://${LOCAL.host}:${frontDoor.port}`;
    const webSocketUrl = `ws://${LOCAL.host}:${frontDoor.port}${LOCAL.webSocketPath}`;
    // Built while the emulators start (esbuild runs in its own process); awaited before the routes attach.
    const webRoot = options.webRoot ?? WEB_DIST;
    const webBuild = buildWebClient(webRoot, log);

    const [cursorSecret, adminToken, credentials, dynamo] = await Promise.all([
      loadOrCreateCursorSecret(layout),
      loadOrCreateAdminToken(layout),
      loadOrCreateLocalCredentials(layout),
      startDynamoDb(layout.dynamodb, LOCAL.tableName),
    ]);
    stops.push(dynamo.stop);

    const functions = new FunctionHost();
    const pipeline = await startLocalPipeline({
      layout,
      functions,
      log,
      credentials,
      dynamoDbEndpoint: dynamo.endpoint,
      progressEndpoint: `${url}${LOCAL.webSocketPath}`,
      cursorSecret,
      // An explicit POWERTOOLS_LOG_LEVEL wins; quiet runs (tests) keep only handler errors.
      logLevel: process.env.POWERTOOLS_LOG_LEVEL ?? (options.quiet ? 'ERROR' : 'WARN'),
      ...(options.stopGraceMs !== undefined && { stopGraceMs: options.stopGraceMs }),
      ...(options.holdBeforeStates && { holdBeforeStates: options.holdBeforeStates }),
    });
    stops.push(pipeline.stop);

    // Imported only now: functions/** modules create Powertools singletons at import, from the environment.
    const { DynamoApiKeyRepository } = await import('../functions/keys/dynamo-api-key-repository');
    const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(emulatorClientConfig(dynamo.endpoint)));
    stops.push(async () => documentClient.destroy());
    const keys = await LocalKeyStore.open(
      layout.apiKeys,
      new DynamoApiKeyRepository({ client: documentClient, tableName: LOCAL.tableName }),
    );
    const usagePlans = await UsagePlans.load(layout.usageCounters, options.throttleOverrides);
    stops.push(() => usagePlans.stop());

    const routes = new RouteTable();
    await functions.preload(routes.entries);
    const responses = new GatewayResponses(pipeline.bindings.gatewayResponses);
    const webSockets = new WebSocketGateway(LOCAL.webSocketPath, {
      functions,
      keys,
      usagePlans,
      routes: pipeline.bindings.webSocketRoutes,
      timeouts: options.timeouts?.webSocket,
      onError: log.error,
    });
    stops.push(() => webSockets.stop());

    const timeoutsMs = Object.fromEntries(pipeline.bindings.functions.map((f) => [f.entry, f.timeoutMs]));
    const api = apiGateway({
      functions,
      routes,
      keys,
      usagePlans,
      responses,
      timeoutsMs,
      corsPreflight: pipeline.bindings.corsPreflight,
      onError: log.error,
    });
    const site = staticSite(webRoot);
    // Re-provisioned when missing or no longer valid (e.g. the key store file was deleted by hand). Before the
    // routes attach, like the web build and stack.json: a ready /health means the demo keys are usable and in
    // keys.json, `/` serves the web client and the CLIs find the stack.
    const saved = await readDemoKeys(layout.demoKeys);
    const existing = saved && Object.values(saved).every((value) => keys.findActiveByValue(value)) ? saved : undefined;
    const demoKeys = existing ?? (await provisionDemoKeys(keys));
    if (existing === undefined) await writeDemoKeys(layout.demoKeys, demoKeys);
    const web = await webBuild;
    await recordRunningStack(layout.root, { url, webSocketUrl, port: frontDoor.port, pid: process.pid, processStart: processStartOf(process.pid) });
    // Runs right after the public port closes (stops run in reverse order).
    stops.push(() => forgetRunningStack(layout.root));

    frontDoor.attach({
      requests: [
        adminKeys({ keys, token: adminToken }),
        (req, res, requestUrl) => webSockets.handleManagement(req, res, requestUrl),
        api,
        site,
        async (_req, res) => {
          // Like API Gateway for a path with no resource.
          responses.send(res, 'MISSING_AUTHENTICATION_TOKEN', randomUUID());
          return true;
        },
      ],
      upgrades: [(req, socket, head, requestUrl) => webSockets.handleUpgrade(req, socket, head, requestUrl)],
    });

    let stopped: Promise<void> | undefined;
    return {
      url,
      webSocketUrl,
      port: frontDoor.port,
      stateDir: layout.root,
      keys: demoKeys,
      provisionedKeys: existing === undefined,
      adminToken,
      web,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Points the process's TMPDIR at `scratch`, emptied now and at stop (after the pipeline has stopped): handlers and
 * engines keep tenants' audio and transcripts in temporary files, which a `kill -9`, or a stop past the grace
 * period that ends the engines mid-note, used to leave in the system's temporary directory for good. The state
 * directory is the owner's alone and runs one stack at a time (its lock), so emptying it at start is safe.
 */
async function useScratchDirectory(scratch: string): Promise<() => Promise<void>> {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  return async () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(scratch, { recursive: true, force: true });
  };
}

/** Builds the web client when stale; a failed build is logged and the stack serves the previous one, if any. */
async function buildWebClient(outDir: string, log: LocalLog): Promise<WebClientState> {
  try {
    const outcome = await ensureWebBuild({ outDir });
    if (outcome.status === 'built') log.info(`Web client built in ${(outcome.ms / 1000).toFixed(1)} s (${outcome.reason})`);
    return outcome;
  } catch (error) {
    log.error(error, 'web client build (the API still serves; `npm run build:web` repeats it)');
    return { status: 'failed', outDir, error: error instanceof Error ? error.message : String(error) };
  }
}

async function provisionDemoKeys(keys: LocalKeyStore): Promise<DemoKeys> {
  const entries: [TierName, string][] = [];
  for (const tier of TIER_NAMES) entries.push([tier, (await keys.create(`demo-${tier}`, tier)).value]);
  return Object.fromEntries(entries) as DemoKeys;
}
