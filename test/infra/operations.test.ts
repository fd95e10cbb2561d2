import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeLatencyTargets } from '../../lib/config/latency-targets';
import { METRICS } from '../../lib/config/metric-names';
import { ROUTES } from '../../lib/config/routes';
import {
  API_5XX_RATE_THRESHOLD_PERCENT,
  FAILURE_RATE_THRESHOLD_PERCENT,
  NOTE_DURATION_P99_THRESHOLD_MS,
} from '../../lib/constructs/operations-dashboard';
import { render, resourcesOfType } from './helpers/template';
import { synthesize } from './helpers/synth';

let stateless: Template;

beforeAll(() => {
  ({ stateless } = synthesize({ stageOverrides: { alarmEmail: 'ops@example.com' } }));
});

const alarms = () =>
  resourcesOfType(stateless, 'AWS::CloudWatch::Alarm').map(([id, a]) => ({ id, ...a.Properties! }) as Record<string, any>);
const alarm = (idPart: string) => alarms().find((a) => a.id.includes(idPart))!;

describe('dashboard', () => {
  const body = () => {
    const [[, dashboard]] = resourcesOfType(stateless, 'AWS::CloudWatch::Dashboard');
    return JSON.parse(render(dashboard.Properties!.DashboardBody)) as {
      widgets: {
        properties: {
          title?: string;
          metrics?: unknown[][];
          annotations?: { horizontal?: { value: number; label?: string }[] };
        };
      }[];
    };
  };
  const titles = () => body().widgets.map((w) => w.properties.title).filter(Boolean);
  const metricsText = () => JSON.stringify(body().widgets.map((w) => w.properties.metrics ?? []));

  it('has the operator views the issue asks for', () => {
    expect(titles()).toEqual(
      expect.arrayContaining([
        'Requests, 4xx, 5xx',
        'Latency (ms)',
        'Quota rejections (exact meter) and uploads',
        'Executions',
        'Whole note (ms)',
        'Cache',
        'Queues',
        'Failed notes by code',
        'Engine throttles seen by the pipeline (Transcribe + Translate)',
        'Errors',
        'Throttles',
        'Cold starts (Powertools ColdStart)',
      ]),
    );
  });

  it('reads the custom metrics under the names the functions emit', () => {
    const text = metricsText();
    for (const name of [
      METRICS.names.quotaRejected,
      METRICS.names.notesCompleted,
      METRICS.names.notesFailed,
      METRICS.names.normalizeMs,
      METRICS.names.transcribeMs,
      METRICS.names.translateMs,
      METRICS.names.totalMs,
      METRICS.names.engineThrottled,
      METRICS.names.fastPathStreamsBusy,
      METRICS.names.cacheHit,
      METRICS.names.cacheMiss,
    ]) {
      expect(text, name).toContain(`"${name}"`);
    }
    expect(text).toContain(METRICS.namespace);
    expect(text).toContain(METRICS.failureCodeDimension);
    expect(text).toContain('ColdStart');
  });

  it('shows each route’s p50 and p99 handler time against the route’s target', () => {
    const widgets = body().widgets.map((w) => w.properties);
    expect(routeLatencyTargets().map((t) => t.route)).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`));
    for (const { route, targetMs } of routeLatencyTargets()) {
      const widget = widgets.find((w) => w.title === `${route} (ms)`);
      expect(widget, route).toBeDefined();
      expect(widget!.annotations?.horizontal).toEqual([{ value: targetMs, label: `target ${targetMs} ms`, yAxis: 'left' }]);
      const series = widget!.metrics!.map((m) => JSON.stringify(m));
      expect(series, route).toHaveLength(2);
      for (const [i, stat] of ['p50', 'p99'].entries()) {
        const text = series[i]!;
        expect(text).toContain(`"${METRICS.names.requestMs}"`);
        expect(text).toContain(`"${METRICS.routeDimension}","${route}"`);
        expect(text).toContain(`"${METRICS.stageDimension}","dev"`);
        expect(text).toContain(`"${METRICS.serviceDimension}","${METRICS.services.api}"`);
        expect(text).toContain(`"stat":"${stat}"`);
      }
    }
  });

  it('shows latency percentiles and a cache hit ratio', () => {
    const text = metricsText();
    for (const p of ['p50', 'p90', 'p99']) expect(text).toContain(`"stat":"${p}"`);
    expect(text).toMatch(/100 \* h \/ \(h \+ x\)/);
  });
});

describe('alarms', () => {
  it('fires when the dead-letter queue holds anything', () => {
    expect(alarm('DeadLetterQueueAlarm')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('fires when pipeline events were not delivered or kept failing their function', () => {
    expect(alarm('EventDeliveryFailuresAlarm')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const destinations = resourcesOfType(stateless, 'AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties!);
    // transcribe-events, the execution watchdog and the job sweeper: the asynchronously invoked functions.
    expect(destinations).toHaveLength(3);
    for (const config of destinations) {
      expect(config.DestinationConfig.OnFailure.Destination).toBeDefined();
    }
  });

  it('fires when p99 whole-note time exceeds the 10 s target', () => {
    expect(alarm('NoteDurationP99Alarm')).toMatchObject({
      MetricName: METRICS.names.totalMs,
      Namespace: METRICS.namespace,
      ExtendedStatistic: 'p99',
      Threshold: NOTE_DURATION_P99_THRESHOLD_MS,
    });
    expect(NOTE_DURATION_P99_THRESHOLD_MS).toBe(10_000);
  });

  it('fires on the failed-note rate and the API 5xx rate', () => {
    const failure = alarm('FailureRateAlarm');
    expect(failure.Threshold).toBe(FAILURE_RATE_THRESHOLD_PERCENT);
    expect(JSON.stringify(failure.Metrics)).toContain(METRICS.names.notesFailed);
    // One per REST API: a failing metered API must not be averaged away by the reads API's polling.
    for (const api of ['Metered', 'Reads']) {
      const api5xx = alarm(`${api}Api5xxRateAlarm`);
      expect(api5xx.Threshold, api).toBe(API_5XX_RATE_THRESHOLD_PERCENT);
      expect(JSON.stringify(api5xx.Metrics), api).toContain('5XXError');
    }
  });

  it('fires on the first WebSocket connect that arrives without an API key id (live progress is down for everyone)', () => {
    expect(alarm('WebSocketIdentityAlarm')).toMatchObject({
      MetricName: METRICS.names.webSocketConnectWithoutKeyId,
      Namespace: METRICS.namespace,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      Dimensions: expect.arrayContaining([{ Name: METRICS.stageDimension, Value: 'dev' }]),
    });
  });

  it('notifies one SNS topic (TLS only) on alarm and recovery, with the stage’s email subscribed', () => {
    const [[topicId]] = resourcesOfType(stateless, 'AWS::SNS::Topic');
    for (const a of alarms()) {
      expect(a.AlarmActions, a.id).toEqual([{ Ref: topicId }]);
      expect(a.OKActions, a.id).toEqual([{ Ref: topicId }]);
      expect(a.TreatMissingData, a.id).toBe('notBreaching');
    }
    stateless.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    stateless.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] },
    });
  });
});

describe('without a web build', () => {
  it('creates the distribution but deploys no web content', () => {
    stateless.resourceCountIs('AWS::CloudFront::Distribution', 1);
    stateless.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });
});
