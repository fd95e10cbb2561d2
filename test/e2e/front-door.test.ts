/**
 * The local stack's public port against hostile clients and web pages, on one running stack:
 * - hundreds of abusive HTTP and WebSocket connections (resets at every handshake stage, oversized and
 *   malformed frames, garbage bytes, header and query oddities, pipelined requests after an error,
 *   slowloris); then every tenant must still be served, no malformed input may have got a 5xx, and nothing
 *   may have reached the process's uncaught-exception handler. Seeded: FUZZ_SEED=<n> replays a run (the
 *   seed is printed), FUZZ_CONNECTIONS=<n> changes its size;
 * - API Gateway's WebSocket limits, from both sides of each boundary;
 * - the key admin endpoint (token, origin, content type) and the Host check, direct and through a proxy;
 * - the state directory: nothing in it readable by anyone but its owner.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
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
  serverFrames,
  type Step,
  upgradeRequest,
} from '../helpers/raw-connection';
import { makeAudio } from '../helpers/audio-fixtures';
import { startTestStack, type TestStack } from '../helpers/local-stack';
import { subscribeToJob } from '../helpers/progress-socket';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CONNECTIONS = Number(process.env.FUZZ_CONNECTIONS ?? 600);
const CONCURRENCY = 16;
/** Short client timeouts, so the slow attacks end in seconds; the real ones are 10 s and 10 minutes. */
const HEADERS_TIMEOUT_MS = 3_000;
/** Longer than any handler takes on a loaded machine: an idle close must not end a tenant's subscribe. */
const WEBSOCKET_IDLE_MS = 3_000;

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
    // Trickling on, the client would be served no answer until its own time limit.
    check: (result) =>
      result.endedBy === 'server' ? expectStatuses((s) => s === 408, '408')(result) : `still open after ${Math.round(result.elapsedMs)} ms`,
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
    const subscribed = await subscribeToJob(stack.webSocketUrl, key, upload.body.jobId as string).catch(
      (error: Error) => error.message,
    );
    if (subscribed !== 'subscribed') problems.push(`${tier} WebSocket subscribe: ${subscribed}`);
  }
  return problems;
}

async function keyNames(): Promise<string[]> {
  const answer = await fetch(`${stack.url}${LOCAL.adminKeysPath}`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
  return ((await answer.json()) as { items: { name: string }[] }).items.map((item) => item.name).sort();
}

describe('the local stack under hostile clients', () => {
  it(`survives ${CONNECTIONS} abusive connections and still serves every tenant`, async () => {
    const random = seededRandom(SEED);
    const tally: Tally = { connections: 0, failures: [], serverErrors: [], byAttack: new Map() };
    const started = performance.now();
    const totalWeight = ATTACKS.reduce((sum, attack) => sum + attack.weight, 0);
    // Every attack at least once, whatever the seed; the rest drawn by weight.
    const planned = [
      ...ATTACKS,
      ...Array.from({ length: CONNECTIONS - ATTACKS.length }, () => {
        let roll = random() * totalWeight;
        return ATTACKS.find((attack) => (roll -= attack.weight) < 0) ?? ATTACKS.at(-1)!;
      }),
    ];
    const keysBefore = await keyNames();

    const slow = SLOW_ATTACKS.flatMap((attack) => Array.from({ length: attack.count }, () => runAttack(attack, random, tally)));
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      for (let next = planned.shift(); next !== undefined; next = planned.shift()) await runAttack(next, random, tally);
    });
    // Tenants are served while the attack is under way, not only after it.
    const duringAttack = (await Promise.all((['free', 'basic', 'premium'] as const).map(serves))).flat();
    await Promise.all([...workers, ...slow]);
    const afterAttack = (await Promise.all((['free', 'basic', 'premium'] as const).map(serves))).flat();

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
    expect(await keyNames()).toEqual(keysBefore);
    expect(tally.connections).toBe(CONNECTIONS + SLOW_ATTACKS.reduce((sum, attack) => sum + attack.count, 0));
  }, 120_000);
});

/** A JSON text message of exactly `bytes` bytes. */
const messageOf = (bytes: number) => {
  const head = '{"action":"unknown","pad":"';
  return Buffer.from(`${head}${'a'.repeat(bytes - head.length - 2)}"}`);
};

describe("API Gateway's WebSocket limits", () => {
  it('accept a 32 KB frame and a 128 KB message in 32 KB frames, and close over either with 1009', async () => {
    const frame = messageOf(32 * 1024);
    const message = messageOf(128 * 1024);
    const fragments = [0, 1, 2, 3].map((i) =>
      clientFrame(message.subarray(i * 32 * 1024, (i + 1) * 32 * 1024), { opcode: i === 0 ? 0x1 : 0x0, fin: i === 3 }),
    );
    const twoAnswers = (received: Buffer) => serverFrames(received).filter((f) => f.opcode === 0x1).length >= 2;

    const accepted = await webSocketAttack([{ write: clientFrame(frame) }, ...fragments.map((write) => ({ write }))], twoAnswers);
    const overFrame = await webSocketAttack([{ write: clientFrame(messageOf(32 * 1024 + 1)) }]);
    const overMessage = await webSocketAttack([
      ...[0, 1, 2, 3].map((i) => ({
        write: clientFrame(message.subarray(i * 32 * 1024, (i + 1) * 32 * 1024), { opcode: i === 0 ? 0x1 : 0x0, fin: false }),
      })),
      { write: clientFrame(Buffer.from('a'), { opcode: 0x0 }) },
    ]);

    // Answered (no route matches `unknown`: API Gateway's Forbidden message), not closed.
    expect(serverFrames(accepted.received).map((f) => [f.opcode, JSON.parse(f.payload.toString()).message])).toEqual([
      [0x1, 'Forbidden'],
      [0x1, 'Forbidden'],
    ]);
    expect(serverCloseCode(overFrame.received)).toBe(1009);
    expect(serverCloseCode(overMessage.received)).toBe(1009);
  });

  it('limit @connections posts to 128 KB (413, connection closed) and refuse a malformed connection id', async () => {
    const socket = new WebSocket(`${stack.webSocketUrl}?apiKey=${attackerKey}`);
    const received: string[] = [];
    socket.on('message', (data) => received.push(data.toString()));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ action: 'unknown' }));
    await expect.poll(() => received.length).toBe(1);
    const { connectionId } = JSON.parse(received[0]!) as { connectionId: string };
    const managementUrl = `${stack.webSocketUrl.replace('ws:', 'http:')}/@connections/${encodeURIComponent(connectionId)}`;

    const atLimit = await fetch(managementUrl, { method: 'POST', body: 'b'.repeat(128 * 1024) });
    const overLimit = await fetch(managementUrl, { method: 'POST', body: 'b'.repeat(128 * 1024 + 1) });
    const malformed = await fetch(`${stack.webSocketUrl.replace('ws:', 'http:')}/@connections/%E0`, { method: 'POST', body: 'x' });
    await expect.poll(() => received.length).toBe(2);
    socket.close();

    expect(atLimit.status).toBe(200);
    expect(received[1]).toHaveLength(128 * 1024);
    expect(overLimit.status).toBe(413);
    expect(overLimit.headers.get('x-amzn-errortype')).toBe('PayloadTooLargeException');
    expect(overLimit.headers.get('connection')).toBe('close');
    expect(malformed.status).toBe(400);
  });
});

describe('the key admin endpoint', () => {
  const keysUrl = () => `${stack.url}${LOCAL.adminKeysPath}`;
  const bearer = () => `Bearer ${stack.adminToken}`;
  const body = JSON.stringify({ name: 'page-made', tier: 'premium' });

  it("refuses web pages (another origin, text/plain, no token) and mints nothing for them", async () => {
    const before = await keyNames();
    const crossOrigin = await fetch(keysUrl(), { method: 'POST', headers: { origin: 'http://evil.test', 'content-type': 'text/plain' }, body });
    const noToken = await fetch(keysUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const wrongToken = await fetch(keysUrl(), { headers: { authorization: `Bearer ${'x'.repeat(43)}` } });
    const textPlain = await fetch(keysUrl(), { method: 'POST', headers: { authorization: bearer(), 'content-type': 'text/plain' }, body });

    expect([crossOrigin.status, noToken.status, wrongToken.status, textPlain.status]).toEqual([403, 401, 401, 415]);
    expect((await crossOrigin.json()) as unknown).toMatchObject({ error: { code: 'CROSS_ORIGIN_REFUSED' } });
    expect((await noToken.json()) as unknown).toMatchObject({ error: { code: 'ADMIN_TOKEN_REQUIRED' } });
    expect((await textPlain.json()) as unknown).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await keyNames()).toEqual(before);
  });

  it("answers the token's holder, from no origin or the stack's own", async () => {
    const own = await fetch(keysUrl(), {
      method: 'POST',
      headers: { authorization: bearer(), origin: stack.url, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ name: 'own-origin', tier: 'free' }),
    });
    expect(own.status).toBe(201);
    expect(await keyNames()).toContain('own-origin');
  });

  it('is what `npm run keys` uses, with the token from --state-dir', async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'bin/keys.ts', 'create', '--tier', 'basic', '--name', 'from-cli', '--api', stack.url, '--state-dir', stack.stateDir, '--json'],
      { cwd: path.resolve(import.meta.dirname, '../..') },
    );
    const created = JSON.parse(stdout) as { value: string; tier: string };

    expect(created.tier).toBe('basic');
    expect((await stack.request('GET', '/usage', { key: created.value })).status).toBe(200);
  }, 60_000);
});

describe('the Host check (DNS rebinding)', () => {
  const healthWithHost = (host: string, to = port) =>
    new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: to, path: '/health', headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });

  it('serves the loopback names on any port and refuses any other name with 421', async () => {
    const statuses = await Promise.all(
      ['127.0.0.1', `127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, '[::1]:8080', 'rebind.evil.test', `127.0.0.1.nip.io:${port}`].map(
        (host) => healthWithHost(host),
      ),
    );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 421, 421]);
  });

  it('still works behind a proxy on another port that forwards its own Host (an OpenAPI validation proxy)', async () => {
    const proxy = createServer((req, res) => {
      const upstream = httpRequest({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as AddressInfo).port;
    try {
      expect(await healthWithHost(`127.0.0.1:${proxyPort}`, proxyPort)).toBe(200);
      expect(await healthWithHost(`localhost:${proxyPort}`, proxyPort)).toBe(200);
      expect(await healthWithHost(`rebind.evil.test:${proxyPort}`, proxyPort)).toBe(421);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('the state directory', () => {
  it("keeps every tenant's audio, transcripts, queues and counters private to its owner (0700/0600)", async () => {
    const audioDir = await mkdtemp(path.join(tmpdir(), 'vnt-e2e-audio-'));
    try {
      const file = await makeAudio('mp3', audioDir, { name: 'private' });
      const job = await stack.waitForJob(await stack.submit(file, stack.keys.premium), stack.keys.premium);
      expect(job.status).toBe('completed');
    } finally {
      await rm(audioDir, { recursive: true, force: true });
    }

    const loose: string[] = [];
    const walk = async (at: string): Promise<void> => {
      const info = await stat(at);
      const wanted = info.isDirectory() ? 0o700 : 0o600;
      if ((info.mode & 0o777) !== wanted) loose.push(`${(info.mode & 0o777).toString(8)} ${path.relative(stack.stateDir, at)}`);
      if (info.isDirectory()) for (const entry of await readdir(at)) await walk(path.join(at, entry));
    };
    await walk(stack.stateDir);
    const files = await readdir(stack.stateDir, { recursive: true });

    expect(loose).toEqual([]);
    // What was checked: the emulators' own files, not just ours.
    expect(files.some((name) => name.startsWith(`s3${path.sep}vnt-local-uploads${path.sep}`) && !name.includes('_S3rver'))).toBe(true);
    expect(files.some((name) => name.startsWith(`dynamodb${path.sep}`) && name.endsWith('.log'))).toBe(true);
    expect(files.some((name) => name.startsWith(`sqs${path.sep}`))).toBe(true);
    expect((await readFile(path.join(stack.stateDir, 'admin-token'), 'utf8')).trim()).toBe(stack.adminToken);
  }, 90_000);
});
