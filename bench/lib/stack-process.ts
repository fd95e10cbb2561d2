/**
 * Child-process entry that runs the embedded local stack for the benchmark: the load generator and the
 * stack then use different event loops (and, on 2 cores, different CPUs), as a client and a service would.
 * Reads its options as JSON from argv[2], prints one JSON line `{ready, url, webSocketUrl, keys}` when up.
 * Then answers line-delimited JSON requests on stdin — `{benchId, op:'job', jobId}` → `{benchId, job}`: the stored job
 * record with the pipeline's internal stage timings, which the public API does not show — and stops the
 * stack when stdin closes (the parent exited or asked it to stop).
 */
import { createInterface } from 'node:readline';
import { jobRepositoryFromEnv } from '../../functions/jobs/dynamo-job-repository';
import { startLocalStack, type LocalStackOptions } from '../../local/stack';

const options = JSON.parse(process.argv[2] ?? '{}') as LocalStackOptions;
const stack = await startLocalStack({ port: 0, fresh: true, quiet: true, ...options });
// Made after the stack set the handlers' environment (table name, DynamoDB endpoint).
const jobs = jobRepositoryFromEnv();
const reply = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
reply({ ready: true, url: stack.url, webSocketUrl: stack.webSocketUrl, keys: stack.keys });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let request: { benchId?: number; op?: string; jobId?: string };
  try {
    request = JSON.parse(line) as typeof request;
  } catch {
    return;
  }
  if (request.op === 'job' && request.jobId !== undefined) {
    jobs.get(request.jobId).then(
      (job) => reply({ benchId: request.benchId, job: job ?? null }),
      (error: unknown) => reply({ benchId: request.benchId, error: String(error) }),
    );
  }
});
lines.on('close', () => void stop());
process.on('SIGTERM', () => void stop());
