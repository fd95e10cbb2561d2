/**
 * The e2e suite's contract check (test/helpers/contract-proxy.ts) itself: Prism in front of a stand-in server
 * that answers as told must report exactly the answers the contract does not allow. Guards against a silent
 * detector, e.g. a Prism upgrade that logs violations in another format.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy';

/** The next answer of the stand-in: status and JSON body. */
let next: { status: number; body: unknown } = { status: 200, body: { status: 'ok', version: '1' } };
let upstream: Server;
let proxy: ContractProxy;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    // The proxy's own flush requests (GET /health?contract-flush=…) get a valid answer.
    const answer = req.url?.includes('contract-flush') ? { status: 200, body: { status: 'ok', version: '1' } } : next;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  proxy = await startContractProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
});

afterAll(async () => {
  await proxy?.stop();
  upstream?.close();
});

const health = async (status: number, body: unknown) => {
  next = { status, body };
  return (await proxy.fetch(`${proxy.url}/health`)).status;
};

describe('the contract proxy', () => {
  it('passes an answer the contract allows, and reports nothing', async () => {
    expect(await health(200, { status: 'ok', version: '1.2.3' })).toBe(200);
    expect(await proxy.takeViolations()).toEqual([]);
  });

  it('reports a body the contract does not allow, and the caller gets Prism’s 500', async () => {
    expect(await health(200, { status: 'broken' })).toBe(500);
    expect(await proxy.takeViolations()).toEqual([
      expect.stringMatching(/^Request terminated with error: .*#VIOLATIONS.*\(after get \/health\)$/),
      // The details, from the answer's sl-violations header.
      expect.stringMatching(/^GET \/health answered 500: .*"location":\["response","body","status"\]/),
    ]);
  });

  it('reports an undocumented status, passed through unchanged', async () => {
    expect(await health(418, { error: { code: 'TEAPOT', message: 'No.' } })).toBe(418);
    expect(await proxy.takeViolations()).toEqual([
      expect.stringMatching(/^Violation: response Unable to match the returned status code/),
      expect.stringMatching(/^GET \/health answered 418: /),
    ]);
  });

  it('reports a request the contract does not allow, which Prism answers itself', async () => {
    expect((await fetch(`${proxy.url}/jobs`)).status).toBe(401); // no API key
    expect((await fetch(`${proxy.url}/not-in-the-contract`)).status).toBe(404);
    expect(await proxy.takeViolations()).toHaveLength(2);
  });
});
