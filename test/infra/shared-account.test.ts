import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../lib/config/metric-names';
import { STAGE_NAMES, type StageName } from '../../lib/config/stages';
import { type Synthesized, synthesizeStages } from './helpers/synth';
import { resources, resourcesOfType } from './helpers/template';

let stages: Record<StageName, Synthesized>;

beforeAll(() => {
  stages = synthesizeStages();
});

/**
 * Where a name is set explicitly, a Ref (or an attribute) of the resource is that name; everywhere else
 * CloudFormation generates a physical name unique to the stack. This renders intrinsics accordingly, so two
 * stages' metrics compare as the physical metrics CloudWatch would see in one account.
 */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::ApiGateway::RestApi': 'Name',
  'AWS::ApiGateway::Stage': 'StageName',
  'AWS::ApiGatewayV2::Api': 'Name',
};

function physicalRenderer(stackName: string, template: Template): (node: unknown) => string {
  const all = resources(template);
  const physicalName = (logicalId: string): string => {
    const resource = all[logicalId];
    const property = resource && NAME_PROPERTY[resource.Type];
    const explicit = property === undefined ? undefined : resource!.Properties?.[property];
    return explicit === undefined ? `${stackName}/${logicalId}` : render(explicit);
  };
  const render = (node: unknown): string => {
    if (typeof node === 'string' || typeof node === 'number') return String(node);
    const o = (node ?? {}) as Record<string, any>;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
    if (o.Ref) return String(o.Ref).startsWith('AWS::') ? `\${${o.Ref}}` : physicalName(o.Ref);
    if (o['Fn::GetAtt']) return `${physicalName(o['Fn::GetAtt'][0])}.${o['Fn::GetAtt'][1]}`;
    if (o['Fn::ImportValue']) return `import:${render(o['Fn::ImportValue'])}`;
    throw new Error(`cannot render ${JSON.stringify(node)}`);
  };
  return render;
}

const metricId = (namespace: string, name: string, dimensions: readonly (readonly [string, string])[]) =>
  `${namespace} ${name} {${dimensions.map(([k, v]) => `${k}=${v}`).sort().join(', ')}}`;

/** A math expression only combines metrics listed beside it; a SEARCH reads metrics itself. */
const isSearch = (expression: string) => expression.includes('SEARCH(');

/**
 * Every physical metric (namespace, name, dimension set) or SEARCH an alarm or dashboard widget of the
 * stage's stateless stack reads, per alarm and per widget.
 */
function monitoredMetrics({ deployment, stateless }: Synthesized): { source: string; metrics: string[] }[] {
  const render = physicalRenderer(deployment.stateless.stackName, stateless);
  const alarms = resourcesOfType(stateless, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => {
    const p = alarm.Properties!;
    const stats: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }[] = p.MetricName
      ? [p as never]
      : (p.Metrics as { MetricStat?: { Metric: never } }[]).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    const searches = ((p.Metrics ?? []) as { Expression?: string }[]).flatMap((m) =>
      m.Expression && isSearch(m.Expression) ? [render(m.Expression)] : [],
    );
    return {
      source: `alarm ${id}`,
      metrics: [
        ...stats.map((s) => metricId(s.Namespace, s.MetricName, (s.Dimensions ?? []).map((d) => [d.Name, render(d.Value)]))),
        ...searches,
      ],
    };
  });
  const [[, dashboard]] = resourcesOfType(stateless, 'AWS::CloudWatch::Dashboard');
  const body = JSON.parse(render(dashboard!.Properties!.DashboardBody)) as {
    widgets: { type: string; properties: { title?: string; metrics?: unknown[][] } }[];
  };
  const widgets = body.widgets
    .filter((w) => w.type === 'metric')
    .map((w) => ({
      source: `widget ${w.properties.title}`,
      metrics: (w.properties.metrics ?? []).flatMap((row) => {
        const first = row[0] as string | { expression: string };
        if (typeof first === 'object') return isSearch(first.expression) ? [first.expression] : [];
        const values = row.filter((v): v is string => typeof v === 'string');
        const [namespace, name, ...flat] = values;
        const dimensions = Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as const);
        return [metricId(namespace!, name!, dimensions)];
      }),
    }));
  return [...alarms, ...widgets];
}

describe('dev and prod in one account', () => {
  it('read disjoint metrics in every alarm and dashboard widget', () => {
    const [dev, prod] = STAGE_NAMES.map((stage) => monitoredMetrics(stages[stage]));
    for (const { source, metrics } of [...dev!, ...prod!]) {
      expect(metrics.length, source).toBeGreaterThan(0);
    }
    const prodMetrics = new Set(prod!.flatMap((s) => s.metrics));
    const shared = dev!.flatMap(({ source, metrics }) => metrics.filter((m) => prodMetrics.has(m)).map((m) => `${source}: ${m}`));
    expect(shared).toEqual([]);
  });

  it('filter every custom metric and every SEARCH on the stage', () => {
    for (const stage of STAGE_NAMES) {
      const metrics = monitoredMetrics(stages[stage]).flatMap((s) => s.metrics);
      const custom = metrics.filter((m) => m.startsWith(`${METRICS.namespace} `));
      const searches = metrics.filter(isSearch);
      expect(custom.length).toBeGreaterThan(10);
      expect(searches.length).toBeGreaterThan(0);
      for (const metric of custom) expect(metric).toContain(`${METRICS.stageDimension}=${stage}`);
      for (const search of searches) expect(search).toContain(`${METRICS.stageDimension}="${stage}"`);
    }
  });

  it('name the APIs and the dashboard after the stage, and alarm on each of the stage’s own APIs’ 5xx rate', () => {
    for (const stage of STAGE_NAMES) {
      const { stateless } = stages[stage];
      const restApis = resourcesOfType(stateless, 'AWS::ApiGateway::RestApi').map(([, api]) => api.Properties!.Name as string);
      expect(restApis.sort()).toEqual([`vnt-${stage}-metered-api`, `vnt-${stage}-reads-api`]);
      expect(resourcesOfType(stateless, 'AWS::ApiGatewayV2::Api')[0]![1].Properties!.Name).toBe(`vnt-${stage}-progress`);
      expect(resourcesOfType(stateless, 'AWS::CloudWatch::Dashboard')[0]![1].Properties!.DashboardName).toBe(`vnt-${stage}-operations`);
      const api5xx = monitoredMetrics(stages[stage]).filter((s) => s.source.includes('Api5xxRateAlarm'));
      expect(api5xx.map((alarm) => alarm.metrics).sort()).toEqual(
        restApis.sort().map((name) => [metricId('AWS/ApiGateway', '5XXError', [['ApiName', name], ['Stage', stage]])]),
      );
    }
  });
});
