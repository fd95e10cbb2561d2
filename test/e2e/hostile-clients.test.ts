/**
 * The local stack against hostile clients: hundreds of abusive HTTP and WebSocket connections (resets at every
 * handshake stage, oversized and malformed frames, garbage bytes, header and query oddities, pipelined
 * requests after an error, slowloris) at one running stack; then every tenant must still be served, no
 * malformed input may have got a 5xx, and nothing may have reached the process's uncaught-exception handler.
 *
 * Seeded: FUZZ_SEED=<n> replays a run (the seed is printed), FUZZ_CONNECTIONS=<n> changes its size.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TierName } from '../../lib/config/tiers';
import { LOCAL } from '../../local/config';
import {
  clientFrame,
  type Exchange,
  exchange,
  firstResponseHead,
  hasCompleteHead,
  httpStatuses,
  seededRandom,
  serverCloseCode,
  type Step,
  upgradeRequest,
} from '../helpers/raw-connection';
import { startTestStack, type TestStack } from '../helpers/local-stack';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CONNECTIONS = Number(process.env.FUZZ_CONNECTIONS ?? 500);
const CONCURRENCY = 16;
/** Short client timeouts, so the slow attacks end in seconds; the real ones are 10 s and 10 minutes. */
const HEADERS_TIMEOUT_MS = 1_000;
const WEBSOCKET_IDLE_MS = 1_500;

let stack: TestStack;
let port: number;
/** The attacker's own key: valid, so its connections get past the authorizer to the frames. */
let attackerKey: string;
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  process.on('unhandledRejection', recordUncaught);
  stack = await startTestStack({
    // The attacker's connections must reach the frames, not its key's throttle.
    throttleOverrides: { premium: { rateLimitPerSecond: 100_000, burstLimit: 100_000 } },
    timeouts: {
      http: { headersMs: HEADERS_TIMEOUT_MS, requestMs: 2 * HEADERS_TIMEOUT_MS, keepAliveMs: 1_000 },
      webSocket: { idleMs: WEBSOCKET_IDLE_MS },
    },
  });
  port = Number(new URL(stack.url).port);
  attackerKey = (await stack.createKey('premium', 'attacker')).value;
});

afterAll(async () => {
  await stack?.stop();
  process.off('uncaughtException', recordUncaught);
  process.off('unhandledRejection', recordUncaught);
});

/** One kind of abuse: the script of its connection and what the server must have answered. */
interface Attack {
  readonly name: string;
  readonly weight: number;
  run(random: () => number): Promise<Exchange>;
  /** A reason the answer is wrong, or undefined. Every attack is also checked for 5xx and crashes. */
  check?(result: Exchange): string | undefined;
}

const pick = <T,>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
/**
 * An HTTP/1.1 request, by default with `Connection: close` so the server closes after answering and the
 * exchange ends (a client's FIN instead would make Node drop requests still being answered).
 */
const request = (target: string, headers: Record<string, string> = {}, body = '', method = 'GET') =>
  `${method} ${target} HTTP/1.1\r\n${Object.entries({ Host: '127.0.0.1', Connection: 'close', ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}${body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`}\r\n${body}`;
const upgraded = (received: Buffer) => hasCompleteHead(received);
const closeFrameArrived = (received: Buffer) => serverCloseCode(received) !== undefined;

const expectStatuses =
  (allowed: (status: number) => boolean, description: string) =>
  (result: Exchange): string | undefined => {
    const statuses = httpStatuses(result.received);
    if (statuses.length === 0) return `no answer (wanted ${description})`;
    return statuses.every(allowed) ? undefined : `answered ${statuses.join(',')} (wanted ${description})`;
  };
const clientError = expectStatuses((s) => s >= 400 && s < 500, '4xx');
const expectCloseCode =
  (...codes: number[]) =>
  (result: Exchange): string | undefined => {
    const code = serverCloseCode(result.received);
    return code !== undefined && codes.includes(code) ? undefined : `close code ${code} (wanted ${codes.join(' or ')})`;
  };

/** A WebSocket opened with the attacker's key, then `after` (frames, resets). */
const webSocketAttack = (after: Step[], stopWhen = closeFrameArrived, timeoutMs = 5_000) =>
  exchange(
    port,
    [{ write: upgradeRequest(`${LOCAL.webSocketPath}?apiKey=${attackerKey}`) }, { waitFor: upgraded }, ...after],
    { stopWhen, timeoutMs },
  );

const ATTACKS: readonly Attack[] = [
  // Resets at every stage of an HTTP exchange.
  { name: 'reset before any byte', weight: 3, run: () => exchange(port, [{ reset: true }]) },
  {
    name: 'reset mid request line',
    weight: 3,
    run: (random) => exchange(port, [{ write: 'GET /health HTTP/1.1'.slice(0, between(random, 1, 19)) }, { reset: true }]),
  },
  {
    name: 'reset mid headers',
    weight: 3,
    run: (random) =>
      exchange(port, [{ write: request('/jobs', { 'x-api-key': attackerKey }).slice(0, between(random, 20, 60)) }, { reset: true }]),
  },
  {
    name: 'reset mid body',
    weight: 3,
    run: (random) =>
      exchange(port, [
        { write: `POST /uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${attackerKey}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n` },
        { write: Buffer.alloc(between(random, 0, 4_000), 'a') },
        { waitMs: between(random, 0, 20) },
        { reset: true },
      ]),
  },
  // Bytes that are not HTTP.
  {
    name: 'garbage bytes',
    weight: 4,
    run: (random) => exchange(port, [{ write: randomBytes(between(random, 1, 4_096)) }, { end: true }]),
    check: (result) => (httpStatuses(result.received).every((s) => s >= 400 && s < 500) ? undefined : 'non-4xx answer'),
  },
  {
    name: 'headers too large',
    weight: 2,
    run: (random) => exchange(port, [{ write: request('/health', { 'x-filler': 'a'.repeat(between(random, 17_000, 80_000)) }) }]),
    check: expectStatuses((s) => s === 431, '431'),
  },
  {
    name: 'request smuggling (Content-Length and chunked)',
    weight: 2,
    run: () =>
      exchange(port, [
        { write: 'POST /uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' },
        { end: true },
      ]),
    check: expectStatuses((s) => s === 400, '400'),
  },
  {
    name: 'request target not a path',
    weight: 2,
    run: (random) =>
      exchange(port, [{ write: `${pick(random, ['GET http://evil.test/health HTTP/1.1', 'OPTIONS * HTTP/1.1', 'GET health HTTP/1.1'])}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n` }]),
    check: clientError,
  },
  // Names and encodings that broke the gateway.
  {
    name: 'malformed percent-encoding',
    weight: 4,
    run: (random) =>
      exchange(port, [
        { write: request(pick(random, ['/jobs/%E0', '/jobs/%', '/jobs/%C0%AF', '/jobs/%ZZ', '/%E0', '/ws/@connections/%E0', '/__local/keys/%E0', '/jobs/%E0?x=%E0']), { 'x-api-key': attackerKey }) },
      ]),
    check: clientError,
  },
  {
    name: 'prototype names in the query',
    weight: 4,
    run: (random) =>
      exchange(port, [
        { write: request(`${pick(random, ['/jobs', '/usage', '/stats'])}?${pick(random, ['constructor=1', '__proto__=1', 'hasOwnProperty=x&toString=y', '__proto__[admin]=1&constructor[prototype]=2'])}`, { 'x-api-key': attackerKey }) },
      ]),
    check: expectStatuses((s) => s < 500, 'no 5xx'),
  },
  {
    name: 'prototype names as headers',
    weight: 4,
    run: (random) =>
      exchange(port, [
        { write: request(pick(random, ['/jobs', '/usage', '/health']), { 'x-api-key': attackerKey, [pick(random, ['constructor', '__proto__', 'prototype', 'hasOwnProperty', 'toString'])]: 'x', constructor: '1' }) },
      ]),
    check: expectStatuses((s) => s < 500, 'no 5xx'),
  },
  // Pipelining: what follows an error must not be misread or reset.
  {
    name: 'request pipelined after a 413',
    weight: 3,
    run: (random) =>
      exchange(port, [
        { write: `POST /uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${attackerKey}\r\nContent-Type: application/json\r\nContent-Length: ${11 * 1024 * 1024}\r\n\r\n` },
        { write: Buffer.alloc(between(random, 0, 64 * 1024), 'a') },
        { write: request('/health') },
      ]),
    check: (result) => {
      if (httpStatuses(result.received).join() !== '413') return `answered ${httpStatuses(result.received).join(',')} (wanted one 413)`;
      return /^connection: close$/m.test(firstResponseHead(result.received)) ? undefined : '413 without Connection: close';
    },
  },
  {
    name: 'request pipelined after a 400',
    weight: 3,
    run: () =>
      exchange(port, [
        { write: request('/uploads', { 'x-api-key': attackerKey, 'content-type': 'application/json', Connection: 'keep-alive' }, '{not json', 'POST') + request('/health') },
      ]),
    check: (result) => (httpStatuses(result.received).join() === '400,200' ? undefined : `answered ${httpStatuses(result.received).join(',')}`),
  },
  {
    name: 'pipelined requests',
    weight: 2,
    run: (random) =>
      exchange(port, [{ write: request('/health', { Connection: 'keep-alive' }).repeat(between(random, 1, 5)) + request('/health') }]),
    check: (result) => (httpStatuses(result.received).every((s) => s === 200) ? undefined : `answered ${httpStatuses(result.received).join(',')}`),
  },
  // Names that are not ours (DNS rebinding) and the key admin endpoint from a web page.
  {
    name: 'foreign Host',
    weight: 2,
    run: (random) =>
      exchange(port, [{ write: request('/health', { Host: pick(random, ['evil.test', `evil.test:${port}`, '127.0.0.1.evil.test', 'localhost.evil.test:80']) }) }]),
    check: expectStatuses((s) => s === 421, '421'),
  },
  {
    name: 'key admin from another origin',
    weight: 2,
    run: (random) =>
      exchange(port, [
        { write: request(LOCAL.adminKeysPath, { Origin: 'http://evil.test', 'Content-Type': pick(random, ['text/plain', 'application/x-www-form-urlencoded']) }, '{"name":"csrf","tier":"premium"}', 'POST') },
      ]),
    check: expectStatuses((s) => s === 403, '403'),
  },
  {
    name: 'key admin without token',
    weight: 1,
    run: () => exchange(port, [{ write: request(LOCAL.adminKeysPath, { 'Content-Type': 'application/json' }, '{"name":"x","tier":"premium"}', 'POST') }]),
    check: expectStatuses((s) => s === 401, '401'),
  },
  {
    name: 'management API abuse',
    weight: 2,
    run: (random) =>
      exchange(port, [
        { write: request(`${LOCAL.webSocketPath}/@connections/${pick(random, ['nope', 'AAAAAAAAAAAAAA%3D%3D', '%E0'])}`, {}, 'x'.repeat(between(random, 0, 2_000)), pick(random, ['POST', 'GET', 'DELETE', 'PUT'])) },
      ]),
    check: clientError,
  },
  // WebSocket handshakes cut short.
  {
    name: 'reset after the upgrade request',
    weight: 5,
    run: (random) =>
      exchange(port, [
        { write: upgradeRequest(random() < 0.5 ? LOCAL.webSocketPath : `${LOCAL.webSocketPath}?apiKey=${attackerKey}`) },
        { waitMs: between(random, 0, 30) },
        { reset: true },
      ]),
  },
  { name: 'reset after the 101', weight: 5, run: () => webSocketAttack([{ reset: true }]) },
  {
    name: 'reset mid frame',
    weight: 4,
    run: (random) => {
      const frame = clientFrame(Buffer.from(JSON.stringify({ action: 'subscribe', jobId: 'x'.repeat(200) })));
      return webSocketAttack([{ write: frame.subarray(0, between(random, 1, frame.length - 1)) }, { reset: true }]);
    },
  },
  {
    name: 'bad handshake',
    weight: 2,
    run: (random) =>
      exchange(port, [
        { write: upgradeRequest(`${LOCAL.webSocketPath}?apiKey=${attackerKey}`, pick<Record<string, string>>(random, [{ 'Sec-WebSocket-Key': 'short' }, { 'Sec-WebSocket-Version': '12' }, { Upgrade: 'h2c' }])) },
      ]),
    check: clientError,
  },
  {
    name: 'upgrade refused (no key, foreign Host, unknown path)',
    weight: 3,
    run: (random) =>
      exchange(port, [
        { write: pick(random, [upgradeRequest(LOCAL.webSocketPath), upgradeRequest(`${LOCAL.webSocketPath}?apiKey=${attackerKey}`, { Host: 'evil.test' }), upgradeRequest('/nope')]) },
      ]),
    check: clientError,
  },
  // Frames API Gateway refuses: each closes that connection only, with its code.
  {
    name: 'frame over 32 KB',
    weight: 3,
    run: (random) => webSocketAttack([{ write: clientFrame(Buffer.alloc(between(random, 32 * 1024 + 1, 120 * 1024), 'a')) }]),
    check: expectCloseCode(1009),
  },
  {
    name: 'message over 128 KB in 32 KB frames',
    weight: 2,
    run: () =>
      webSocketAttack(
        Array.from({ length: 5 }, (_, i) => ({ write: clientFrame(Buffer.alloc(32 * 1024, 'a'), { opcode: i === 0 ? 0x1 : 0x0, fin: i === 4 }) })),
      ),
    check: expectCloseCode(1009),
  },
  {
    name: 'invalid UTF-8 text',
    weight: 3,
    run: (random) => webSocketAttack([{ write: clientFrame(Buffer.from(pick(random, [[0xc3, 0x28], [0xe0, 0x80, 0x80], [0xff], [0xed, 0xa0, 0x80]]))) }]),
    check: expectCloseCode(1007),
  },
  {
    name: 'unmasked frame',
    weight: 2,
    run: () => webSocketAttack([{ write: clientFrame(Buffer.from('{"action":"subscribe"}'), { masked: false }) }]),
    check: expectCloseCode(1002),
  },
  {
    name: 'protocol violations (orphan continuation, long ping, reserved opcode)',
    weight: 3,
    run: (random) =>
      webSocketAttack([
        {
          write: pick(random, [
            clientFrame(Buffer.from('x'), { opcode: 0x0 }),
            clientFrame(Buffer.alloc(126), { opcode: 0x9 }),
            clientFrame(Buffer.from('x'), { opcode: 0x3 }),
          ]),
        },
      ]),
    check: expectCloseCode(1002),
  },
  {
    name: 'garbage after the 101',
    weight: 3,
    // Random bytes may also read as a frame waiting for more: the idle timeout ends those.
    run: (random) => webSocketAttack([{ write: randomBytes(between(random, 1, 2_048)) }], closeFrameArrived, WEBSOCKET_IDLE_MS + 3_000),
  },
];

/** Attacks that hold their connection: run alongside the others, a few of each. */
const SLOW_ATTACKS: readonly (Attack & { readonly count: number })[] = [
  {
    name: 'slowloris (a header byte every 300 ms)',
    count: 6,
    weight: 0,
    run: () =>
      exchange(
        port,
        [{ write: 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n' }, ...Array.from({ length: 30 }, () => [{ waitMs: 300 }, { write: 'x' }]).flat()],
        { timeoutMs: 10_000 },
      ),
    check: (result) =>
      result.endedBy === 'server' && result.elapsedMs < HEADERS_TIMEOUT_MS + 3_000 ? undefined : `still open after ${Math.round(result.elapsedMs)} ms`,
  },
  {
    name: 'idle WebSocket',
    count: 3,
    weight: 0,
    run: () => webSocketAttack([], closeFrameArrived, WEBSOCKET_IDLE_MS + 5_000),
    check: expectCloseCode(1001),
  },
];

interface Tally {
  connections: number;
  failures: string[];
  serverErrors: string[];
  byAttack: Map<string, number>;
}

async function runAttack(attack: Attack, random: () => number, tally: Tally): Promise<void> {
  const result = await attack.run(random);
  tally.connections++;
  tally.byAttack.set(attack.name, (tally.byAttack.get(attack.name) ?? 0) + 1);
  const fiveHundreds = httpStatuses(result.received).filter((s) => s >= 500);
  if (fiveHundreds.length > 0) tally.serverErrors.push(`${attack.name}: ${fiveHundreds.join(',')} ${result.received.toString('latin1').slice(0, 300)}`);
  const problem = attack.check?.(result);
  if (problem !== undefined) tally.failures.push(`${attack.name}: ${problem}`);
}

/** What every tenant must still be able to do: the API, and a WebSocket subscription to its own job. */
async function serves(tier: TierName): Promise<string[]> {
  const key = stack.keys[tier];
  const problems: string[] = [];
  const health = await stack.request('GET', '/health');
  if (health.status !== 200) problems.push(`${tier} /health ${health.status}`);
  const usage = await stack.request('GET', '/usage', { key });
  if (usage.status !== 200) problems.push(`${tier} /usage ${usage.status}`);
  const upload = await stack.request('POST', '/uploads', { key, body: { contentType: 'audio/mp4', targetLanguage: 'es' } });
  if (upload.status !== 201) problems.push(`${tier} POST /uploads ${upload.status}`);
  else {
    const subscribed = await subscribe(key, upload.body.jobId as string).catch((error: Error) => error.message);
    if (subscribed !== 'subscribed') problems.push(`${tier} WebSocket subscribe: ${subscribed}`);
  }
  return problems;
}

function subscribe(key: string, jobId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${stack.webSocketUrl}?apiKey=${key}`);
    const timer = setTimeout(() => reject(new Error('no answer in 5 s')), 5_000);
    socket.on('open', () => socket.send(JSON.stringify({ action: 'subscribe', jobId })));
    socket.on('unexpected-response', (_req, res) => reject(new Error(`handshake ${res.statusCode}`)));
    socket.on('error', reject);
    socket.on('message', (data) => {
      const type = (JSON.parse(data.toString()) as { type?: string }).type;
      if (type !== 'subscribed') return;
      clearTimeout(timer);
      socket.close();
      resolve(type);
    });
  });
}

describe('the local stack under hostile clients', () => {
  it(`survives ${CONNECTIONS} abusive connections and still serves every tenant`, async () => {
    const random = seededRandom(SEED);
    const tally: Tally = { connections: 0, failures: [], serverErrors: [], byAttack: new Map() };
    const started = performance.now();
    const totalWeight = ATTACKS.reduce((sum, attack) => sum + attack.weight, 0);
    const planned = Array.from({ length: CONNECTIONS }, () => {
      let roll = random() * totalWeight;
      return ATTACKS.find((attack) => (roll -= attack.weight) < 0) ?? ATTACKS.at(-1)!;
    });

    const slow = SLOW_ATTACKS.flatMap((attack) => Array.from({ length: attack.count }, () => runAttack(attack, random, tally)));
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      for (let next = planned.shift(); next !== undefined; next = planned.shift()) await runAttack(next, random, tally);
    });
    // Tenants are served while the attack is under way, not only after it.
    const duringAttack = (await Promise.all((['free', 'basic', 'premium'] as const).map(serves))).flat();
    await Promise.all([...workers, ...slow]);
    const afterAttack = (await Promise.all((['free', 'basic', 'premium'] as const).map(serves))).flat();
    const adminList = await fetch(`${stack.url}${LOCAL.adminKeysPath}`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
    const keyNames = ((await adminList.json()) as { items: { name: string }[] }).items.map((item) => item.name).sort();

    console.log(
      [
        `hostile clients: seed ${SEED}, ${tally.connections} connections in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
          `${tally.serverErrors.length} 5xx, ${tally.failures.length} wrong answers, ${uncaught.length} crashes (uncaught exceptions)`,
        ...[...tally.byAttack].map(([name, count]) => `  ${String(count).padStart(4)}  ${name}`),
      ].join('\n'),
    );
    expect(uncaught).toEqual([]);
    expect(tally.serverErrors).toEqual([]);
    expect(tally.failures).toEqual([]);
    expect(duringAttack).toEqual([]);
    expect(afterAttack).toEqual([]);
    // No web page managed to mint a key.
    expect(keyNames).toEqual(['attacker', 'demo-basic', 'demo-free', 'demo-premium']);
    expect(tally.connections).toBe(CONNECTIONS + SLOW_ATTACKS.reduce((sum, attack) => sum + attack.count, 0));
  }, 120_000);
});
