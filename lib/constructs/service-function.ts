import path from 'node:path';
import { Duration, type Size, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, type ILayerVersion, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../config/env-names';
import { METRICS } from '../config/metric-names';
import { LAMBDA_BUNDLING, PROJECT_ROOT } from './lambda-bundling';

export { PROJECT_ROOT } from './lambda-bundling';

/** Template metadata key that binds a Lambda resource back to its handler module (used by the local stack). */
export const ENTRY_METADATA_KEY = 'vnt:entry';

export interface ServiceFunctionProps {
  /** Handler module, repo-relative with forward slashes, e.g. `functions/api/health.ts`; must export `handler`. */
  readonly entry: string;
  /**
   * Deployment stage, set as ENV.stage: Powertools adds it to every metric as the `stage` dimension (stages
   * may share an account), and stage-scoped names (Transcribe jobs) derive from it.
   */
  readonly stage: string;
  /** @default - none */
  readonly description?: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 512 - arm64 CPU scales with memory; 512 MB keeps cold starts and JSON work snappy at low cost */
  readonly memorySize?: number;
  /** Extra variables; POWERTOOLS_*, ENV.stage and NODE_OPTIONS are set by the construct. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly layers?: readonly ILayerVersion[];
  /** Powertools service name (logger/tracer/metrics dimension). @default METRICS.services.api */
  readonly powertoolsServiceName?: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Ephemeral /tmp size (the normaliser writes temp audio files). @default - Lambda's 512 MiB */
  readonly ephemeralStorageSize?: Size;
}

/**
 * Our NodejsFunction defaults, in one place: Node.js 22 on arm64 (matches the project's Node 22 toolchain),
 * the esbuild bundle of LAMBDA_BUNDLING (ESM, minified, external source maps, the AWS SDK bundled), X-Ray
 * tracing, JSON logs into an owned log group with retention, Powertools configured through its documented env
 * variables, and `vnt:entry` metadata.
 *
 * The role is our own (not AWSLambdaBasicExecutionRole): it may only write to this function's log group;
 * data permissions are added by the caller through `grant*` next to the matching environment variable.
 */
export class ServiceFunction extends NodejsFunction {
  /** The repo-relative handler module this function runs. */
  readonly entryPath: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const entry = props.entry.split(path.sep).join('/');
    // Siblings rather than children: both must exist before NodejsFunction's constructor runs.
    // Removal policy: the stage's, applied to every log group by LogGroupPolicy.
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${entry}`,
    });
    logGroup.grantWrite(role);

    const serviceName = props.powertoolsServiceName ?? METRICS.services.api;
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      ephemeralStorageSize: props.ephemeralStorageSize,
      layers: props.layers ? [...props.layers] : undefined,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        [ENV.stage]: props.stage,
        // Stack traces point at the TypeScript source; Node only maps them when an error is formatted.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: LAMBDA_BUNDLING,
    });

    this.entryPath = entry;
    (this.node.defaultChild as CfnFunction).addMetadata(ENTRY_METADATA_KEY, entry);

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is deliberate: it is the Node major the project builds and tests on (node@22), so Lambda runs what CI ran.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only for actions without resource-level permissions: X-Ray PutTraceSegments/PutTelemetryRecords (tracing), and where a function needs them Translate TranslateText, Transcribe streaming and StartTranscriptionJob (narrowed by its output-location condition keys). test/infra asserts no other action gets Resource *.',
    });
  }
}
