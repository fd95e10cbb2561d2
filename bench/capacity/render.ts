import { METRICS } from '../../lib/config/metric-names';
import { ROUTES } from '../../lib/config/routes';
import { STAGES, type StageName } from '../../lib/config/stages';
import { PIPELINE_FAILURE_CODES } from '../../functions/shared/errors';
import { estimateCost } from '../cost/cost-model';
import { US_EAST_1_PRICES, type PriceList } from '../cost/prices';
import { capacityAt, type CapacityAssumptions, DEFAULT_ASSUMPTIONS, fastPathCapacity, perNoteFigures, transitionsByPath, type WorkflowPath } from './capacity-model';
import { customMetricSeries, type FixedCostItem, fixedMonthlyCost, idleMonthlyTotal } from './fixed-cost';
import * as facts from './template-facts';

/**
 * The Markdown `npm run capacity` prints, as named sections, from the synthesised templates of every stage.
 * Pure, so test/infra/deploy-docs.test.ts renders the same sections from its own synth and checks that
 * README.md and docs/capacity.md still say what the code does.
 */
export interface StageTemplates {
  readonly stateful: facts.Template;
  readonly stateless: facts.Template;
}

export const VOLUMES = [10_000, 100_000, 1_000_000] as const;

export interface CapacityReport {
  readonly outputs: string;
  readonly retained: string;
  readonly fixedCost: string;
  readonly idleMonthlyTotal: number;
  readonly perNote: string;
  /** One table per daily volume, with its heading. */
  readonly volumes: Readonly<Record<(typeof VOLUMES)[number], string>>;
  readonly costPerThousand: string;
}

export const table = (header: readonly string[], rows: readonly (readonly (string | number)[])[]): string =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
export const usd = (v: number): string => `$${v.toFixed(2)}`;
const n = (v: number, digits = 1) => (Number.isNaN(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits }));

/** The stage's idle cost items, counted from its templates and the code's metric definitions. */
export function idleCostItems(stage: StageTemplates, prices: PriceList = US_EAST_1_PRICES): FixedCostItem[] {
  const all = [stage.stateful, stage.stateless];
  const sum = (f: (t: facts.Template) => number) => all.reduce((s, t) => s + f(t), 0);
  const functionsWithMetrics = all.flatMap(facts.lambdaFunctions).filter((f) => f.powertoolsService !== undefined).length;
  return fixedMonthlyCost(
    {
      dashboards: sum((t) => facts.countOfType(t, 'AWS::CloudWatch::Dashboard')),
      alarmMetrics: sum(facts.alarmMetricCount),
      secrets: sum((t) => facts.countOfType(t, 'AWS::SecretsManager::Secret')),
      customerManagedKmsKeys: sum((t) => facts.countOfType(t, 'AWS::KMS::Key')),
      customMetricSeries: customMetricSeries({
        functionsWithMetrics,
        routes: ROUTES.length,
        metricNames: Object.keys(METRICS.names).length,
        failureCodes: PIPELINE_FAILURE_CODES.length,
      }),
      webAclAssociations: sum((t) => facts.countOfType(t, 'AWS::WAFv2::WebACLAssociation') + facts.countOfType(t, 'AWS::WAFv2::WebACL')),
    },
    // Lambda's SQS poller: AWS publishes no idle connection count; 5 is an assumption, 20 s its long poll.
    { queues: sum((t) => facts.countOfType(t, 'AWS::Lambda::EventSourceMapping')), pollersPerQueue: 5, waitSeconds: 20 },
    all.flatMap((t) =>
      facts.scheduledRuns(t).map((run) => {
        const f = facts.lambdaFunctions(t).find((x) => x.logicalId === run.functionLogicalId)!;
        return { name: f.entry ?? f.logicalId, everySeconds: run.everySeconds, memoryMb: f.memoryMb, idleRunMs: 100, logBytesPerRun: 1_500 };
      }),
    ),
    prices,
  );
}

export function renderCapacityReport(
  stages: Readonly<Record<StageName, StageTemplates>>,
  overrides: Partial<Pick<CapacityAssumptions, 'peakToAverage' | 'cacheHitRatio'>> = {},
  prices: PriceList = US_EAST_1_PRICES,
): CapacityReport {
  const dev = stages.dev;
  const outputs = (['Stateful', 'Stateless'] as const)
    .map((name) =>
      table(
        [`${name} output`, 'exported', 'description'],
        facts.stackOutputs(name === 'Stateful' ? dev.stateful : dev.stateless).map((o) => [`\`${o.id}\``, o.exported ? 'yes' : 'no', o.description ?? '']),
      ),
    )
    .join('\n\n');

  const retained = table(
    ['stage', 'stack', 'retained resources'],
    (Object.keys(stages) as StageName[]).flatMap((stage) =>
      (['stateful', 'stateless'] as const).map((stack) => [
        stage,
        stack,
        Object.entries(facts.retainedResources(stages[stage][stack]))
          .map(([type, count]) => `${count} × ${type}`)
          .join(', '),
      ]),
    ),
  );

  const items = idleCostItems(dev, prices);
  const unit = (p: number) => `$${p < 0.001 ? p.toExponential(1) : p}`;
  const fixedCost = table(
    ['item', 'quantity', 'unit price', 'per month', 'note'],
    items.map((i) => [i.item, n(i.quantity, 0), unit(i.unitPrice), i.onlyWithTraffic ? `(${usd(i.monthly)})` : usd(i.monthly), i.note ?? '']),
  );

  const transitions = transitionsByPath(facts.statePaths(facts.stateMachineDefinition(dev.stateless)));
  const a: CapacityAssumptions = { ...DEFAULT_ASSUMPTIONS, ...overrides, stageRestRateLimit: STAGES.prod.apiThrottle.rateLimitPerSecond };
  const paths: WorkflowPath[] = ['fast', 'fast-fallback', 'batch', 'cache-hit'];
  const perNote = table(
    ['path', 'state transitions', 'Lambda invocations', 'Lambda GB-s', 'Lambda busy s', 'DynamoDB WRU'],
    paths.map((p) => {
      const f = perNoteFigures(p, a.noteSeconds, transitions);
      return [p, f.transitions, f.lambdaInvocations, n(f.lambdaGbSeconds, 2), n(f.lambdaBusySeconds, 2), f.dynamoWriteUnits];
    }),
  );

  const volumes = Object.fromEntries(
    VOLUMES.map((volume) => {
      const c = capacityAt(volume, transitions, a);
      const heading = `#### ${volume.toLocaleString('en-US')} notes a day: peak ${n(c.peakNotesPerSecond, 2)} notes/s (${n(c.fastPathNotesPerSecond, 2)} fast path, ${n(c.fallbackNotesPerSecond, 2)} batch)`;
      const rows = c.constraints.map((x) => [x.name, `${n(x.demand)} ${x.unit}`, n(x.limit, 0), Number.isNaN(x.utilisation) ? 'no published limit' : `${n(x.utilisation * 100, 0)} %`]);
      return [volume, `${heading}\n\n${table(['constraint', 'peak demand', 'default limit', 'use'], rows)}`];
    }),
  ) as Record<(typeof VOLUMES)[number], string>;

  const per1000 = (path: 'fast' | 'batch', cacheHitRatio: number) =>
    usd(estimateCost({ tier: 'basic', noteSeconds: a.noteSeconds, cacheHitRatio, notes: 1_000, path }, prices).total);
  const costPerThousand = table(
    ['cache hits', 'fast path', 'batch (long notes, or the lease full)'],
    [0, 0.3, 0.6].map((h) => [`${h * 100} %`, per1000('fast', h), per1000('batch', h)]),
  );

  const lease = fastPathCapacity(a);
  return {
    outputs,
    retained,
    fixedCost,
    idleMonthlyTotal: idleMonthlyTotal(items),
    perNote: `${perNote}\n\nThe stream lease (${a.maxStreamsPerStage} streams a stage) takes at most ${n(lease, 3)} fresh ${a.noteSeconds} s notes a second on the fast path (${n(lease * 86_400, 0)} a day arriving evenly).`,
    volumes,
    costPerThousand,
  };
}
