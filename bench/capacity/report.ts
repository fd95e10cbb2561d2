/**
 * `npm run capacity [-- --peak <factor>] [-- --hits <ratio>]`: synthesises both stages (offline, no bundling)
 * and prints, as Markdown, what README's "Deploy to AWS" and docs/capacity.md quote: stack outputs, what
 * `cdk destroy` retains, the fixed monthly cost of an idle stage, per-note figures, and which quota binds first
 * at 10 k, 100 k and 1 M notes a day.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { App, type Stack } from 'aws-cdk-lib';
import { STAGE_NAMES, stageConfig, type StageName } from '../../lib/config/stages';
import { createDeployment } from '../../lib/stacks/deployment';
import { US_EAST_1_PRICES as prices } from '../cost/prices';
import { renderCapacityReport, type StageTemplates, usd, VOLUMES } from './render';
import { DEFAULT_ASSUMPTIONS } from './capacity-model';
import type { Template } from './template-facts';

const { values } = parseArgs({ options: { peak: { type: 'string' }, hits: { type: 'string' } } });
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function synth(): Record<StageName, StageTemplates> {
  const { context } = JSON.parse(readFileSync(`${ROOT}/cdk.json`, 'utf8')) as { context?: Record<string, unknown> };
  // Bundling skipped: the templates are what matters here, and this stays fast and offline.
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const deployments = STAGE_NAMES.map((stage) => createDeployment(app, { stage: stageConfig(stage), serviceVersion: '0.0.0-capacity' }));
  const assembly = app.synth();
  const template = (stack: Stack) => assembly.getStackByName(stack.stackName).template as Template;
  return Object.fromEntries(
    deployments.map((d, i) => [STAGE_NAMES[i], { stateful: template(d.stateful), stateless: template(d.stateless) }]),
  ) as Record<StageName, StageTemplates>;
}

const overrides = {
  ...(values.peak !== undefined && { peakToAverage: Number(values.peak) }),
  ...(values.hits !== undefined && { cacheHitRatio: Number(values.hits) }),
};
const a = { ...DEFAULT_ASSUMPTIONS, ...overrides };
const report = renderCapacityReport(synth(), overrides);
console.log(
  [
    '## Stack outputs (dev; prod has the same)\n',
    report.outputs,
    '\n## Retained by `cdk destroy` (DeletionPolicy Retain)\n',
    report.retained,
    `\n## Fixed monthly cost of an idle stage (${prices.region}; ${prices.fixedCostAsOf})\n`,
    report.fixedCost,
    `\n**Idle total: ${usd(report.idleMonthlyTotal)} a month per stage** (parenthesised: billed only with traffic).`,
    `\n## Per-note figures (${a.noteSeconds} s note; transitions from the synthesised state machine)\n`,
    report.perNote,
    `\n## Capacity (peak = ${a.peakToAverage}× the daily average; ${a.cacheHitRatio * 100} % cache hits; batch job ${a.batchJobSeconds} s; prod stage throttle)\n`,
    ...VOLUMES.map((v) => `${report.volumes[v]}\n`),
    `## Cost per 1,000 notes of ${a.noteSeconds} s (basic tier, bench/cost/cost-model.ts)\n`,
    report.costPerThousand,
  ].join('\n'),
);
