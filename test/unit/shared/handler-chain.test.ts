import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { lambdaContext } from '../../events/lambda-context';

// Metrics on and warnings visible, so the test sees exactly what a deployed function prints. Set before the
// Powertools singletons are created (dynamic imports below).
Object.assign(process.env, {
  POWERTOOLS_SERVICE_NAME: 'vnt-chain-test',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_TRACE_ENABLED: 'false',
  // Set by the Lambda runtime; Powertools only reports cold starts of on-demand environments.
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
});

type Modules = {
  taskHandler: typeof import('../../../functions/pipeline/common/task-handler').taskHandler;
  metrics: typeof import('../../../functions/shared/powertools').metrics;
  RetryableError: typeof import('../../../functions/shared/errors').RetryableError;
};
let m: Modules;

beforeAll(async () => {
  m = {
    taskHandler: (await import('../../../functions/pipeline/common/task-handler')).taskHandler,
    metrics: (await import('../../../functions/shared/powertools')).metrics,
    RetryableError: (await import('../../../functions/shared/errors')).RetryableError,
  };
});

/** What the invocation printed (stdout and stderr): EMF documents by their metric names, and any other line. */
async function printed(invoke: () => Promise<unknown>) {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const writes = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await invoke().catch(() => undefined);
  } finally {
    for (const write of writes) write.mockRestore();
  }
  const emf = lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Record<string, any>);
  return {
    metricNames: emf.map((doc) => doc._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name)),
    other: lines.filter((line) => !line.includes('"_aws"')),
  };
}

describe('the shared handler chain (through a pipeline task)', () => {
  it('publishes a ColdStart metric once, the invocation’s own metrics after it, and nothing at all when there are none', async () => {
    const handler = m.taskHandler(z.object({ count: z.boolean() }), async ({ count }) => {
      if (count) m.metrics.addMetric('NotesCounted', 'Count', 1);
      return count;
    });

    const first = await printed(() => handler({ count: false }, lambdaContext()));
    const quiet = await printed(() => handler({ count: false }, lambdaContext()));
    const counted = await printed(() => handler({ count: true }, lambdaContext()));

    expect(first).toEqual({ metricNames: [['ColdStart']], other: [] });
    expect(quiet).toEqual({ metricNames: [], other: [] });
    expect(counted).toEqual({ metricNames: [['NotesCounted']], other: [] });
  });

  it('still flushes the metrics the error reporter records when the task fails, and rethrows the error', async () => {
    const handler = m.taskHandler(z.object({}), async () => {
      throw new m.RetryableError('ENGINE_THROTTLED', 'Throttled');
    });
    await printed(() => handler({}, lambdaContext())); // past the cold start

    let thrown: unknown;
    const output = await printed(() => handler({}, lambdaContext()).catch((error: unknown) => { thrown = error; }));

    expect(thrown).toMatchObject({ name: 'ENGINE_THROTTLED' });
    expect(output.metricNames).toEqual([['EngineThrottled']]);
  });
});
