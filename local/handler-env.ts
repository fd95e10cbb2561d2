import { readFileSync } from 'node:fs';
import { ENV } from '../lib/config/env-names';
import { METRICS } from '../lib/config/metric-names';
import { LOCAL } from './config';

/** The version /health reports: the package's, marked as the local stack's. */
const SERVICE_VERSION = `${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}-local`;

export interface HandlerEnvInput {
  readonly s3Endpoint: string;
  readonly sqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly sfnEndpoint: string;
  readonly stateMachineArn: string;
  /** The WebSocket management API base, `http://127.0.0.1:<port>/ws`. */
  readonly progressEndpoint: string;
  readonly cursorSecret: string;
  /** Handler log level (Powertools). @default WARN */
  readonly logLevel?: string;
}

/**
 * The environment every in-process handler sees: what the CDK constructs set on the Lambdas, pointed at the
 * emulators through the SDK's AWS_ENDPOINT_URL_<SERVICE> variables, with Powertools quiet (no EMF lines,
 * no X-Ray). The local engines are installed by the pipeline (local/engines). Applied before any handler module is imported, because
 * handlers read their environment once at module scope.
 */
export function handlerEnvironment(input: HandlerEnvInput): Record<string, string> {
  return {
    AWS_REGION: LOCAL.region,
    AWS_DEFAULT_REGION: LOCAL.region,
    AWS_ACCESS_KEY_ID: LOCAL.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL.secretAccessKey,
    AWS_ENDPOINT_URL_S3: input.s3Endpoint,
    AWS_ENDPOINT_URL_SQS: input.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SFN: input.sfnEndpoint,
    [ENV.tableName]: LOCAL.tableName,
    [ENV.uploadsBucket]: LOCAL.uploadsBucket,
    [ENV.workBucket]: LOCAL.workBucket,
    [ENV.stateMachineArn]: input.stateMachineArn,
    [ENV.progressEndpoint]: input.progressEndpoint,
    [ENV.cursorSecret]: input.cursorSecret,
    [ENV.stage]: LOCAL.templateStage,
    [ENV.serviceVersion]: SERVICE_VERSION,
    POWERTOOLS_SERVICE_NAME: 'vnt-local',
    POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: input.logLevel ?? 'WARN',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_TRACE_DISABLED: 'true',
  };
}
