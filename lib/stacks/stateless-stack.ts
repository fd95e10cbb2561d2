import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import { PROGRESS_SURFACE } from '../config/usage-plans';
import { FfmpegLayer } from '../constructs/ffmpeg-layer';
import { acknowledgeCdkProviders } from '../constructs/nag';
import { OperationsDashboard } from '../constructs/operations-dashboard';
import { PipelineWorkflow } from '../constructs/pipeline-workflow';
import { ProgressWebSocketApi } from '../constructs/progress-channel';
import { PublicApi } from '../constructs/public-api';
import { API_PATH_PREFIX, WebDistribution } from '../constructs/web-distribution';
import type { StatefulExports } from './stateful-exports';

export interface StatelessStackProps extends StackProps {
  readonly stage: StageConfig;
  /** Reported by GET /health. */
  readonly serviceVersion: string;
  /** The data resources, imported by export name. */
  readonly stateful: StatefulExports;
  /** Built web client to upload (web/dist). @default - no web content deployed */
  readonly webAssetsPath?: string;
  /** npm pack cache for the ffmpeg layer. @default <repo>/.cache/ffmpeg-layer */
  readonly ffmpegCacheDir?: string;
}

/**
 * Everything that can be replaced without losing data: functions, APIs, the workflow, CDN and dashboards.
 * The data resources are imported by export name (StatefulExports) and passed on as interfaces.
 */
export class StatelessStack extends Stack {
  readonly api: PublicApi;
  readonly progress: ProgressWebSocketApi;
  readonly web: WebDistribution;
  readonly operations: OperationsDashboard;
  readonly ffmpegLayer: FfmpegLayer;
  readonly pipeline: PipelineWorkflow;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, { ...props, terminationProtection: props.stage.terminationProtection });
    const { stage } = props;
    const data = props.stateful.import(this);

    this.ffmpegLayer = new FfmpegLayer(this, 'FfmpegLayer', { cacheDir: props.ffmpegCacheDir });

    this.progress = new ProgressWebSocketApi(this, 'Progress', {
      table: data.table,
      stage: stage.name,
      throttle: stage.progressThrottle,
      logRetention: stage.logRetention,
    });

    this.api = new PublicApi(this, 'Api', {
      stage: stage.name,
      serviceVersion: props.serviceVersion,
      table: data.table,
      uploadsBucket: data.uploadsBucket,
      workBucket: data.workBucket,
      cursorSecret: data.cursorSecret,
      throttle: stage.apiThrottle,
      logRetention: stage.logRetention,
      // Progress is a read: connects are rate-limited by the reads plans, never blocked by the daily quota.
      additionalUsagePlanStages: { [PROGRESS_SURFACE]: [this.progress.usagePlanStage] },
    });
    // The WebSocket stage writes access logs, which needs the account's API Gateway CloudWatch role; the REST
    // APIs set it. Without this order a fresh account can fail the deploy with "CloudWatch Logs role ARN
    // must be set in account settings".
    this.progress.webSocketStage.node.addDependency(this.api.cloudWatchAccount);

    this.pipeline = new PipelineWorkflow(this, 'Pipeline', {
      table: data.table,
      uploadsBucket: data.uploadsBucket,
      workBucket: data.workBucket,
      ffmpegLayer: this.ffmpegLayer.layer,
      progress: this.progress,
      stage: stage.name,
      logRetention: stage.logRetention,
    });

    this.web = new WebDistribution(this, 'Web', {
      apis: this.api.apis,
      accessLogsBucket: data.accessLogsBucket,
      webSocketUrl: this.progress.url,
      webAssetsPath: props.webAssetsPath,
      logRetention: stage.logRetention,
    });

    this.operations = new OperationsDashboard(this, 'Operations', {
      stage: stage.name,
      apis: this.api.apis,
      pipeline: this.pipeline,
      functions: {
        ...prefixed('api', this.api.functions),
        ...prefixed('progress', this.progress.functions),
        ...prefixed('pipeline', this.pipeline.functions),
      },
      alarmEmail: stage.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: `https://${this.web.distribution.distributionDomainName}${API_PATH_PREFIX}`,
      description: 'The API: every route under one base URL (CloudFront sends metered routes to the metered API)',
    });
    new CfnOutput(this, 'WebUrl', {
      value: `https://${this.web.distribution.distributionDomainName}`,
      description: 'Web client; the API is served under /api',
    });
    new CfnOutput(this, 'ProgressUrl', { value: this.progress.url, description: 'WebSocket for job progress' });
    new CfnOutput(this, 'DashboardName', { value: this.operations.dashboard.dashboardName });
    acknowledgeCdkProviders(this);
  }

}

function prefixed<T>(prefix: string, record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [`${prefix}/${name}`, value]));
}
