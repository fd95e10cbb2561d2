import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PIPELINE_TARGETS_MS, routeLatencyTargets } from '../config/latency-targets';
import { METRICS } from '../config/metric-names';

/** The seed's whole-note target: p99 above it pages someone. */
export const NOTE_DURATION_P99_THRESHOLD_MS = PIPELINE_TARGETS_MS.wholeNote;
/** Share of finished notes that failed, in percent, over 5-minute periods. */
export const FAILURE_RATE_THRESHOLD_PERCENT = 10;
/** Share of API requests answered 5xx, in percent, over 5-minute periods. */
export const API_5XX_RATE_THRESHOLD_PERCENT = 5;

export interface PipelineMetricsSource {
  readonly stateMachine: IStateMachine;
  readonly intakeQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Events (uploads, Transcribe, watchdog) that could not be delivered or kept failing their function. */
  readonly eventsDeadLetterQueue: IQueue;
}

export interface OperationsDashboardProps {
  /** Deployment stage: every custom metric is read with this `stage` dimension. */
  readonly stage: string;
  /**
   * The REST APIs by a readable name; each one's deployment stage metrics (ApiName + Stage dimensions) are
   * shown and alarmed on.
   */
  readonly apis: Readonly<Record<string, RestApi>>;
  /** @default - no pipeline widgets or pipeline alarms beyond the custom metrics */
  readonly pipeline?: PipelineMetricsSource;
  /** Every function whose errors, throttles and cold starts operators should see, by a readable name. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Alarm notifications are emailed here when set. @default - topic without subscriptions */
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * One CloudWatch dashboard for operators (API, pipeline, caches, engines, Lambda) and the alarms that
 * matter, all notifying one SNS topic. Custom metrics come from Powertools (EMF) with the `service` and
 * `stage` dimensions (lib/config/metric-names.ts), so a renamed metric is a compile-time change here too.
 *
 * Stages may share an account, so every widget and alarm reads this stage only: custom metrics and the
 * ColdStart search filter on `stage`, API metrics on each API's stage-specific ApiName and Stage, and AWS metrics of
 * functions, queues and the state machine on this stack's own resources. Account-wide views (Amazon
 * Translate's own metrics, which have no stage) are left out: the pipeline's engine throttles and failure
 * codes show this stage's share of them.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  readonly alarmTopic: Topic;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);

    // Alarm notifications carry no customer data; SSE-KMS would need a customer key that CloudWatch may use.
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Voice Note Translator alarms', enforceSSL: true });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    }

    const apis = Object.entries(props.apis).map(([name, api]) => ({ name, stage: api.deploymentStage }));
    const customMetric = (name: 'api' | 'pipeline', metricName: string, statistic = 'Sum') =>
      new Metric({
        namespace: METRICS.namespace,
        metricName,
        dimensionsMap: { [METRICS.serviceDimension]: METRICS.services[name], [METRICS.stageDimension]: props.stage },
        statistic,
        period: PERIOD,
      });
    // SEARCH over this stage's metrics only (the dimension schema lists stage, the filter pins its value).
    const stageSearch = (dimensions: readonly string[], metricName: string) =>
      new MathExpression({
        expression: `SEARCH('{${[METRICS.namespace, ...dimensions, METRICS.stageDimension].join(',')}} ${METRICS.stageDimension}="${props.stage}" MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
        // Empty: each series keeps the label CloudWatch gives it (its function or failure code).
        label: '',
        usingMetrics: {},
        period: PERIOD,
      });
    const m = METRICS.names;

    const completed = customMetric('pipeline', m.notesCompleted);
    const failed = customMetric('pipeline', m.notesFailed);
    // Uploads that never came (UPLOAD_EXPIRED, persisted by the job sweeper) are clients that gave up, not notes
    // we failed: left out of the rate.
    const expired = new Metric({
      namespace: METRICS.namespace,
      metricName: m.notesFailed,
      dimensionsMap: {
        [METRICS.serviceDimension]: METRICS.services.pipeline,
        [METRICS.stageDimension]: props.stage,
        [METRICS.failureCodeDimension]: 'UPLOAD_EXPIRED',
      },
      statistic: 'Sum',
      period: PERIOD,
    });
    const failureRate = new MathExpression({
      label: 'Failed notes %',
      expression: 'IF((c + f - FILL(e, 0)) > 0, 100 * (f - FILL(e, 0)) / (c + f - FILL(e, 0)), 0)',
      usingMetrics: { c: completed, f: failed, e: expired },
      period: PERIOD,
    });
    const stuckJobs = customMetric('pipeline', m.stuckJobs);
    const cacheHitRatio = new MathExpression({
      label: 'Audio cache hit %',
      expression: 'IF((h + x) > 0, 100 * h / (h + x), 0)',
      usingMetrics: { h: customMetric('pipeline', m.cacheHit), x: customMetric('pipeline', m.cacheMiss) },
      period: PERIOD,
    });
    // API Gateway's 5XXError averaged over requests is the error rate; one per API, so a failing metered API
    // is not averaged away by the reads API's polling traffic.
    const api5xxRates = apis.map(
      ({ name, stage }) =>
        [
          name,
          new MathExpression({
            label: `${name} 5xx %`,
            // Ids are unique per graph: the widget plots every API's expression.
            expression: `100 * e_${name}`,
            usingMetrics: { [`e_${name}`]: stage.metricServerError({ statistic: 'Average', period: PERIOD }) },
            period: PERIOD,
          }),
        ] as const,
    );
    const percentiles = (metricName: string) =>
      ['p50', 'p90', 'p99'].map((p) => customMetric('pipeline', metricName, p).with({ label: `${metricName} ${p}` }));
    const perFunction = (pick: (fn: IFunction) => IMetric) =>
      Object.entries(props.functions).map(([name, fn]) => (pick(fn) as Metric).with({ label: name }));

    const wide = { width: 12, height: 6 } as const;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Dashboards are account-global: the name says which stage this one watches.
      dashboardName: `vnt-${props.stage}-operations`,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(new TextWidget({ markdown: `## API (stage ${props.stage})`, width: 24, height: 1 }));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Requests, 4xx, 5xx',
        left: apis.flatMap(({ name, stage }) => [
          stage.metricCount({ period: PERIOD, label: `${name} requests` }),
          stage.metricClientError({ period: PERIOD, label: `${name} 4xx` }),
          stage.metricServerError({ period: PERIOD, label: `${name} 5xx` }),
        ]),
        ...wide,
      }),
      new GraphWidget({
        title: 'Latency (ms)',
        left: apis.flatMap(({ name, stage }) =>
          ['p50', 'p90', 'p99'].map((p) => stage.metricLatency({ statistic: p, period: PERIOD, label: `${name} ${p}` })),
        ),
        ...wide,
      }),
      new GraphWidget({
        title: 'Quota rejections (exact meter) and uploads',
        left: [customMetric('api', m.quotaRejected), customMetric('api', m.uploadsCreated)],
        ...wide,
      }),
      new GraphWidget({ title: '5xx rate (%)', left: api5xxRates.map(([, rate]) => rate), ...wide }),
    );
    this.addRouteLatencyWidgets(props.stage);

    this.dashboard.addWidgets(new TextWidget({ markdown: '## Pipeline', width: 24, height: 1 }));
    const pipeline = props.pipeline;
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Executions',
        left: pipeline
          ? [
              pipeline.stateMachine.metricStarted({ period: PERIOD, label: 'Started' }),
              pipeline.stateMachine.metricSucceeded({ period: PERIOD, label: 'Succeeded' }),
              pipeline.stateMachine.metricFailed({ period: PERIOD, label: 'Failed' }),
              pipeline.stateMachine.metricTimedOut({ period: PERIOD, label: 'Timed out' }),
            ]
          : [],
        right: [completed.with({ label: 'Notes completed' }), failed.with({ label: 'Notes failed' })],
        ...wide,
      }),
      new GraphWidget({ title: 'Failed notes (%)', left: [failureRate], ...wide }),
      new GraphWidget({ title: 'Normalise duration (ms)', left: percentiles(m.normalizeMs), width: 6, height: 6 }),
      new GraphWidget({ title: 'Transcribe duration (ms)', left: percentiles(m.transcribeMs), width: 6, height: 6 }),
      new GraphWidget({ title: 'Translate duration (ms)', left: percentiles(m.translateMs), width: 6, height: 6 }),
      new GraphWidget({ title: 'Whole note (ms)', left: percentiles(m.totalMs), width: 6, height: 6 }),
    );

    this.dashboard.addWidgets(new TextWidget({ markdown: '## Caches, queues, engines', width: 24, height: 1 }));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Cache',
        left: [cacheHitRatio],
        right: [customMetric('pipeline', m.textCacheHit).with({ label: 'Text cache hits' })],
        ...wide,
      }),
      new GraphWidget({
        title: 'Queues',
        left: pipeline
          ? [
              pipeline.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label: 'DLQ depth' }),
              pipeline.intakeQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label: 'Intake depth' }),
            ]
          : [],
        right: pipeline
          ? [pipeline.intakeQueue.metricApproximateAgeOfOldestMessage({ period: PERIOD, label: 'Intake oldest (s)' })]
          : [],
        ...wide,
      }),
      new GraphWidget({
        // Engine failures (TRANSCRIPTION_FAILED, TRANSLATION_FAILED…) next to input problems, for this stage.
        title: 'Failed notes by code',
        left: [stageSearch([METRICS.failureCodeDimension, METRICS.serviceDimension], m.notesFailed)],
        ...wide,
      }),
      new GraphWidget({
        // Transcribe publishes no batch-job metrics; the pipeline counts throttles it retried.
        title: 'Engine throttles seen by the pipeline (Transcribe + Translate)',
        left: [customMetric('pipeline', m.engineThrottled)],
        // The stage's Transcribe stream bound at work: short notes that took the batch path instead.
        right: [customMetric('pipeline', m.fastPathStreamsBusy).with({ label: 'Short notes sent to batch (streams taken or throttled)' })],
        ...wide,
      }),
      new GraphWidget({
        title: 'Jobs the sweeper restarted or ended (left in flight)',
        left: [stuckJobs.with({ label: 'Stuck jobs' })],
        ...wide,
      }),
    );

    this.dashboard.addWidgets(new TextWidget({ markdown: '## Lambda', width: 24, height: 1 }));
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Errors', left: perFunction((fn) => fn.metricErrors({ period: PERIOD })), width: 8, height: 6 }),
      new GraphWidget({ title: 'Throttles', left: perFunction((fn) => fn.metricThrottles({ period: PERIOD })), width: 8, height: 6 }),
      new GraphWidget({
        title: 'Cold starts (Powertools ColdStart)',
        left: [stageSearch(['function_name', METRICS.serviceDimension], 'ColdStart')],
        width: 8,
        height: 6,
      }),
    );

    const alarms: Alarm[] = [
      new Alarm(this, 'NoteDurationP99Alarm', {
        alarmDescription: `p99 whole-note time above the ${NOTE_DURATION_P99_THRESHOLD_MS / 1000} s target`,
        metric: customMetric('pipeline', m.totalMs, 'p99'),
        threshold: NOTE_DURATION_P99_THRESHOLD_MS,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'FailureRateAlarm', {
        alarmDescription: `More than ${FAILURE_RATE_THRESHOLD_PERCENT}% of finished notes failed`,
        metric: failureRate,
        threshold: FAILURE_RATE_THRESHOLD_PERCENT,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'WebSocketIdentityAlarm', {
        alarmDescription:
          'WebSocket connects arrive without an API key id: every connect fails and clients poll. Check the $connect route requires an API key selected from the authorizer.',
        metric: customMetric('pipeline', m.webSocketConnectWithoutKeyId),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      ...api5xxRates.map(
        ([name, rate]) =>
          new Alarm(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Api5xxRateAlarm`, {
            alarmDescription: `More than ${API_5XX_RATE_THRESHOLD_PERCENT}% of ${name} API requests answered 5xx`,
            metric: rate,
            threshold: API_5XX_RATE_THRESHOLD_PERCENT,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      ),
    ];
    if (pipeline) {
      const notEmpty = (id: string, description: string, queue: IQueue) =>
        new Alarm(this, id, {
          alarmDescription: description,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
      alarms.push(
        new Alarm(this, 'StuckJobsAlarm', {
          alarmDescription:
            'The job sweeper found jobs left in flight (no execution, or one that ended without ending its job): look for a crash, the watchdog or lost events',
          metric: stuckJobs,
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
        notEmpty('DeadLetterQueueAlarm', 'Uploads the pipeline could not start are waiting in the dead-letter queue', pipeline.deadLetterQueue),
        notEmpty(
          'EventDeliveryFailuresAlarm',
          'Pipeline events (uploads, Transcribe completions, watchdog) were not delivered or kept failing: jobs may be stuck',
          pipeline.eventsDeadLetterQueue,
        ),
      );
    }
    const action = new SnsAction(this.alarmTopic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms = alarms;
  }

  /**
   * p50 and p99 of each route's handler time (RequestDuration, emitted per request by the API's middleware
   * chain) against the route's target from lib/config/latency-targets.ts, drawn as a line. Our own metric
   * rather than API Gateway's per-method Latency: it needs no per-method detailed metrics, names the route
   * the same way the slow-request WARN line does, and the gateway's whole-API latency is already shown above.
   */
  private addRouteLatencyWidgets(stage: string): void {
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '## API latency per route (handler time; line = target)', width: 24, height: 1 }),
    );
    this.dashboard.addWidgets(
      ...routeLatencyTargets().map(
        ({ route, targetMs }) =>
          new GraphWidget({
            title: `${route} (ms)`,
            left: ['p50', 'p99'].map(
              (statistic) =>
                new Metric({
                  namespace: METRICS.namespace,
                  metricName: METRICS.names.requestMs,
                  dimensionsMap: {
                    [METRICS.serviceDimension]: METRICS.services.api,
                    [METRICS.stageDimension]: stage,
                    [METRICS.routeDimension]: route,
                  },
                  statistic,
                  period: PERIOD,
                  label: statistic,
                }),
            ),
            leftAnnotations: [{ value: targetMs, label: `target ${targetMs} ms` }],
            leftYAxis: { min: 0 },
            width: 6,
            height: 5,
          }),
      ),
    );
  }
}
