/**
 * Child-process entry that runs the embedded local stack for the benchmark: the load generator and the
 * stack then use different event loops (and, on 2 cores, different CPUs), as a client and a service would.
 * Reads its options as JSON from argv[2] and prints one JSON line `{ready, url, webSocketUrl, keys}` when up.
 * Then it answers line-delimited JSON requests on stdin, each replied to with the same `benchId`:
 * - `{op:'job', jobId}` → `{job}`: the stored job record with the pipeline's internal stage timings, which
 *   the public API does not show;
 * - `{op:'profile-start'}` / `{op:'profile-stop', file}`: a V8 CPU profile of exactly the window between
 *   the two, written to `file`.
 * It stops the stack when stdin closes (the parent exited or asked it to stop).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { jobRepositoryFromEnv } from '../../functions/jobs/dynamo-job-repository';
import { startLocalStack, type LocalStackOptions } from '../../local/stack';

const options = JSON.parse(process.argv[2] ?? '{}') as LocalStackOptions;
const stack = await startLocalStack({ port: 0, fresh: true, quiet: true, ...options });
// Made after the stack set the handlers' environment (table name, DynamoDB endpoint).
const jobs = jobRepositoryFromEnv();
const reply = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
reply({ ready: true, url: stack.url, webSocketUrl: stack.webSocketUrl, keys: stack.keys });

let profiler: Session | undefined;

async function handle(request: { op?: string; jobId?: string; file?: string }): Promise<unknown> {
  switch (request.op) {
    case 'job':
      return { job: (await jobs.get(request.jobId ?? '')) ?? null };
    case 'profile-start':
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
      return { ok: true };
    case 'profile-stop': {
      if (!profiler || !request.file) throw new Error('no profile running, or no file given');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(request.file, JSON.stringify(profile));
      return { ok: true };
    }
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let request: { benchId?: number; op?: string; jobId?: string; file?: string };
  try {
    request = JSON.parse(line) as typeof request;
  } catch {
    return;
  }
  handle(request).then(
    (result) => reply({ benchId: request.benchId, ...(result as object) }),
    (error: unknown) => reply({ benchId: request.benchId, error: String(error) }),
  );
});
lines.on('close', () => void stop());
process.on('SIGTERM', () => void stop());
