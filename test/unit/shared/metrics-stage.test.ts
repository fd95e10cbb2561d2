import '../../events/api-env';
import '../pipeline/pipeline-env';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRICS } from '../../../lib/config/metric-names';
import { keys } from '../../../lib/config/table-design';
import { restEvent } from '../../events/api-gateway-event';
import { lambdaContext } from '../../events/lambda-context';
import { ddb, JOB_ID, job, jobWritesSucceed, OWNER, resetMocks } from '../pipeline/pipeline-mocks';

/** EMF documents as Powertools writes them to stdout (one JSON line each). */
interface EmfDocument {
  readonly _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  readonly [key: string]: unknown;
}

// A stage no other test uses, so the dimension can only come from this function's STAGE.
const STAGE = 'prod';
let handlers: {
  health: typeof import('../../../functions/api/health').handler;
  createUpload: typeof import('../../../functions/api/create-upload').handler;
  markFailed: typeof import('../../../functions/pipeline/mark-failed').handler;
};

beforeAll(async () => {
  // As Lambda runs a ServiceFunction: metrics on, the stage in ENV.stage, an on-demand container (which is
  // when Powertools counts ColdStart). The handler modules and the Powertools singletons they share are
  // imported only now, so they read this environment at their "cold start".
  Object.assign(process.env, { STAGE, POWERTOOLS_METRICS_DISABLED: 'false', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });
  handlers = {
    health: (await import('../../../functions/api/health')).handler,
    createUpload: (await import('../../../functions/api/create-upload')).handler,
    markFailed: (await import('../../../functions/pipeline/mark-failed')).handler,
  };
});

let stdout: string[];
beforeEach(() => {
  resetMocks();
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const emfDocuments = (): EmfDocument[] =>
  stdout
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);

/** Every metric of every document, with the dimension sets it is published under and their values. */
const publishedMetrics = () =>
  emfDocuments().flatMap((doc) =>
    doc._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        name: metric.Name,
        namespace: directive.Namespace,
        dimensionSets: directive.Dimensions,
        stage: doc[METRICS.stageDimension],
      })),
    ),
  );

describe('every custom metric a handler emits carries its stage', () => {
  it('API handlers: the cold start and the upload count', async () => {
    await handlers.health(restEvent({ method: 'GET', resource: '/health' }), lambdaContext());
    ddb.on(GetCommand, { Key: keys.apiKey(OWNER) }).resolves({
      Item: { ...keys.apiKey(OWNER), apiKeyId: OWNER, name: 'alice', tier: 'free', createdAt: '2026-01-01T00:00:00.000Z' },
    });
    ddb.on(UpdateCommand).resolves({ Attributes: { count: 1 } });
    ddb.on(PutCommand).resolves({});

    const response = await handlers.createUpload(
      restEvent({ method: 'POST', resource: '/uploads', body: { contentType: 'audio/mp4' }, apiKeyId: OWNER }),
      lambdaContext(),
    );

    expect(response.statusCode).toBe(201);
    const metrics = publishedMetrics();
    expect(metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['ColdStart', METRICS.names.uploadsCreated]));
    for (const metric of metrics) {
      expect(metric.namespace, metric.name).toBe(METRICS.namespace);
      expect(metric.stage, metric.name).toBe(STAGE);
      for (const dimensions of metric.dimensionSets) {
        expect(dimensions, metric.name).toEqual(expect.arrayContaining([METRICS.serviceDimension, METRICS.stageDimension]));
      }
    }
  });

  it('pipeline tasks: the failed note, also as its single by-code datapoint', async () => {
    jobWritesSucceed(job({ status: 'normalizing' }));
    ddb.on(UpdateCommand, { Key: keys.stats() }).resolves({});

    await handlers.markFailed({ jobId: JOB_ID, error: { Error: 'SILENT_AUDIO', Cause: 'The recording is silent.' } }, lambdaContext());

    const failed = publishedMetrics().filter((m) => m.name === METRICS.names.notesFailed);
    expect(failed.flatMap((m) => m.dimensionSets)).toEqual(
      expect.arrayContaining([
        expect.arrayContaining([METRICS.stageDimension]),
        expect.arrayContaining([METRICS.stageDimension, METRICS.failureCodeDimension]),
      ]),
    );
    for (const metric of failed) {
      expect(metric.stage).toBe(STAGE);
      for (const dimensions of metric.dimensionSets) expect(dimensions).toContain(METRICS.stageDimension);
    }
  });
});
