import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats';

export interface PacedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface PacedLoadOptions {
  readonly baseUrl: string;
  /** Requests per second, spread evenly over each second (not sent in one burst per second). */
  readonly rate: number;
  readonly durationSeconds: number;
  /** Keep-alive connections (the concurrent clients). */
  readonly connections: number;
  /** The i-th request to send. */
  request(i: number): PacedRequest;
}

export interface PacedLoadResult {
  readonly sent: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly achievedRps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly statusCodes: Readonly<Record<string, number>>;
}

/**
 * Open-loop load at a steady rate over a fixed pool of keep-alive connections. autocannon's own rate limit
 * releases each connection's quota at the top of every second, so 50 connections send their requests in one
 * synchronised burst and the measured latency is mostly that burst's queue; this generator spaces requests
 * evenly instead. Latency is measured from when a request was due, so time spent waiting for a free
 * connection counts (no coordinated omission).
 */
export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.baseUrl);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  const total = Math.round(options.rate * options.durationSeconds);
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();

  const fire = (i: number, dueAt: number) => {
    const spec = options.request(i);
    const p = new Promise<void>((resolve) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: spec.method,
          path: spec.path,
          agent,
          headers: { ...spec.headers, ...(spec.body ? { 'content-length': Buffer.byteLength(spec.body) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - dueAt);
            statusCodes[String(res.statusCode)] = (statusCodes[String(res.statusCode)] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(spec.body);
    });
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  };

  // Each tick sends every request that has come due since the last one (timers are ~1 ms coarse).
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed / 1000) * options.rate) + 1);
      while (sent < due) {
        fire(sent, start + (sent / options.rate) * 1000);
        sent += 1;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - start) / 1000;
  agent.destroy();

  const ok = Object.entries(statusCodes).filter(([c]) => c.startsWith('2')).reduce((s, [, n]) => s + n, 0);
  const any = latencies.length > 0 ? latencies : [0];
  return {
    sent,
    ok,
    non2xx: latencies.length - ok,
    errors,
    achievedRps: latencies.length / elapsedSeconds,
    p50Ms: percentile(any, 50),
    p90Ms: percentile(any, 90),
    p99Ms: percentile(any, 99),
    maxMs: Math.max(...any),
    statusCodes,
  };
}
