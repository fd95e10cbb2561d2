/**
 * `npm run capacity`: synthesises both stages (offline, no bundling) and prints, as Markdown, what README's
 * "Deploy to AWS" and docs/capacity.md quote: stack outputs, what `cdk destroy` retains, the fixed monthly
 * cost of an idle stage, per-note figures, and which quota binds first at 10 k, 100 k and 1 M notes a day.
 * `--peak <factor>` and `--hits <ratio>` change the assumptions.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { METRICS } from '../../lib/config/metric-names';
import { ROUTES } from '../../lib/config/routes';
import { STAGE_NAMES, STAGES, stageConfig, type StageName } from '../../lib/config/stages';
import { createDeployment } from '../../lib/stacks/deployment';
import { PIPELINE_FAILURE_CODES } from '../../functions/shared/errors';
import { estimateCost } from '../cost/cost-model';
import { US_EAST_1_PRICES as prices } from '../cost/prices';
import { capacityAt, DEFAULT_ASSUMPTIONS, fastPathCapacity, perNoteFigures, transitionsByPath, type WorkflowPath } from './capacity-model';
import { customMetricSeries, fixedMonthlyCost, idleMonthlyTotal } from './fixed-cost';
import * as facts from './template-facts';

const { values } = parseArgs({ options: { peak: { type: 'string' }, hits: { type: 'string' } } });
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VOLUMES = [10_000, 100_000, 1_000_000];

function synth(): Record<StageName, { stateful: facts.Template; stateless: facts.Template }> {
  const { context } = JSON.parse(readFileSync(`${ROOT}/cdk.json`, 'utf8')) as { context?: Record<string, unknown> };
  // Bundling skipped: the templates are what matters here, and this stays fast and offline.
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const deployments = STAGE_NAMES.map((stage) => createDeployment(app, { stage: stageConfig(stage), serviceVersion: '0.0.0-capacity' }));
  const assembly = app.synth();
  const template = (stack: Stack) => assembly.getStackByName(stack.stackName).template as facts.Template;
  return Object.fromEntries(
    deployments.map((d, i) => [STAGE_NAMES[i], { stateful: template(d.stateful), stateless: template(d.stateless) }]),
  ) as Record<StageName, { stateful: facts.Template; stateless: facts.Template }>;
}

const table = (header: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const usd = (v: number) => `$${v.toFixed(2)}`;
const n = (v: number, digits = 1) => (Number.isNaN(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits }));

const stages = synth();
const dev = stages.dev;
const out: string[] = [];

out.push('## Stack outputs (dev; prod has the same)\n');
for (const [name, t] of [['Stateful', dev.stateful], ['Stateless', dev.stateless]] as const) {
  out.push(table([`${name} output`, 'exported', 'description'], facts.stackOutputs(t).map((o) => [`\`${o.id}\``, o.exported ? 'yes' : 'no', o.description ?? ''])));
  out.push('');
}

out.push('## Retained by `cdk destroy` (DeletionPolicy Retain)\n');
out.push(
  table(
    ['stage', 'stack', 'retained resources'],
    STAGE_NAMES.flatMap((stage) =>
      (['stateful', 'stateless'] as const).map((stack) => [
        stage,
        stack,
        Object.entries(facts.retainedResources(stages[stage][stack]))
          .map(([type, count]) => `${count} × ${type}`)
          .join(', '),
      ]),
    ),
  ),
);

const all = [dev.stateful, dev.stateless];
const sum = (f: (t: facts.Template) => number) => all.reduce((s, t) => s + f(t), 0);
const functionsWithMetrics = all.flatMap(facts.lambdaFunctions).filter((f) => f.powertoolsService !== undefined).length;
const series = customMetricSeries({
  functionsWithMetrics,
  routes: ROUTES.length,
  metricNames: Object.keys(METRICS.names).length,
  failureCodes: PIPELINE_FAILURE_CODES.length,
});
const items = fixedMonthlyCost(
  {
    dashboards: sum((t) => facts.countOfType(t, 'AWS::CloudWatch::Dashboard')),
    alarmMetrics: sum(facts.alarmMetricCount),
    secrets: sum((t) => facts.countOfType(t, 'AWS::SecretsManager::Secret')),
    customerManagedKmsKeys: sum((t) => facts.countOfType(t, 'AWS::KMS::Key')),
    customMetricSeries: series,
    webAclAssociations: sum((t) => facts.countOfType(t, 'AWS::WAFv2::WebACLAssociation') + facts.countOfType(t, 'AWS::WAFv2::WebACL')),
  },
  { queues: sum((t) => facts.countOfType(t, 'AWS::Lambda::EventSourceMapping')), pollersPerQueue: 5, waitSeconds: 20 },
  all.flatMap((t) =>
    facts.scheduledRuns(t).map((run) => {
      const f = facts.lambdaFunctions(t).find((x) => x.logicalId === run.functionLogicalId)!;
      return { name: f.entry ?? f.logicalId, everySeconds: run.everySeconds, memoryMb: f.memoryMb, idleRunMs: 100, logBytesPerRun: 1_500 };
    }),
  ),
  prices,
);
out.push(`\n## Fixed monthly cost of an idle stage (${prices.region}; ${prices.fixedCostAsOf})\n`);
out.push(
  table(
    ['item', 'quantity', 'unit price', 'per month', 'note'],
    items.map((i) => [i.item, n(i.quantity, 0), `$${i.unitPrice < 0.001 ? i.unitPrice.toExponential(1) : i.unitPrice}`, i.onlyWithTraffic ? `(${usd(i.monthly)})` : usd(i.monthly), i.note ?? '']),
  ),
);
out.push(`\n**Idle total: ${usd(idleMonthlyTotal(items))} a month per stage** (parenthesised: billed only with traffic). `
  + `${functionsWithMetrics} functions emit ColdStart, ${ROUTES.length} routes RequestDuration, ${Object.keys(METRICS.names).length - 1} other metric names, ${PIPELINE_FAILURE_CODES.length} failure codes. `
  + 'Not itemised, near zero at rest: DynamoDB storage and PITR ($0.20/GB-month), S3 storage, log storage ($0.03/GB-month).');

const transitions = transitionsByPath(facts.statePaths(facts.stateMachineDefinition(dev.stateless)));
const assumptions = { ...DEFAULT_ASSUMPTIONS, ...(values.peak && { peakToAverage: Number(values.peak) }), ...(values.hits && { cacheHitRatio: Number(values.hits) }), stageRestRateLimit: STAGES.prod.apiThrottle.rateLimitPerSecond };
out.push(`\n## Per-note figures (${assumptions.noteSeconds} s note; transitions from the synthesised state machine)\n`);
const paths: WorkflowPath[] = ['fast', 'fast-fallback', 'batch', 'cache-hit'];
out.push(
  table(
    ['path', 'state transitions', 'Lambda invocations', 'Lambda GB-s', 'Lambda busy s', 'DynamoDB WRU'],
    paths.map((p) => {
      const f = perNoteFigures(p, assumptions.noteSeconds, transitions);
      return [p, f.transitions, f.lambdaInvocations, n(f.lambdaGbSeconds, 2), n(f.lambdaBusySeconds, 2), f.dynamoWriteUnits];
    }),
  ),
);
out.push(`\nThe stream lease (${assumptions.maxStreamsPerStage} streams a stage) takes at most ${n(fastPathCapacity(assumptions), 3)} fresh ${assumptions.noteSeconds} s notes a second on the fast path (${n(fastPathCapacity(assumptions) * 86_400, 0)} a day if they arrived evenly).`);

out.push(`\n## Capacity (peak = ${assumptions.peakToAverage}× the daily average; ${assumptions.cacheHitRatio * 100}% cache hits; batch job ${assumptions.batchJobSeconds} s; prod stage throttle)\n`);
for (const volume of VOLUMES) {
  const c = capacityAt(volume, transitions, assumptions);
  out.push(`### ${volume.toLocaleString('en-US')} notes a day: peak ${n(c.peakNotesPerSecond, 2)} notes/s (${n(c.fastPathNotesPerSecond, 2)} fast path, ${n(c.fallbackNotesPerSecond, 2)} batch)\n`);
  out.push(
    table(
      ['constraint', 'peak demand', 'default limit', 'use'],
      c.constraints.map((x) => [x.name, `${n(x.demand)} ${x.unit}`, n(x.limit, 0), Number.isNaN(x.utilisation) ? 'no published limit' : `${n(x.utilisation * 100, 0)} %`]),
    ),
  );
  out.push('');
}

out.push('## Cost per 1,000 notes of 30 s (basic tier, bench/cost/cost-model.ts)\n');
const per1000 = (path: 'fast' | 'batch', cacheHitRatio: number) =>
  usd(estimateCost({ tier: 'basic', noteSeconds: 30, cacheHitRatio, notes: 1_000, path }, prices).total);
out.push(table(['cache hits', 'fast path', 'batch (long notes, or the lease full)'], [0, 0.3, 0.6].map((h) => [`${h * 100} %`, per1000('fast', h), per1000('batch', h)])));
console.log(out.join('\n'));
