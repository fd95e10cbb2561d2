import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { transitionsByPath } from '../../bench/capacity/capacity-model';
import { idleCostItems, renderCapacityReport, type CapacityReport, type StageTemplates, VOLUMES } from '../../bench/capacity/render';
import { lambdaFunctions, retainedResources, stackOutputs, stateMachineDefinition, statePaths, type Template } from '../../bench/capacity/template-facts';
import { DEFAULT_USAGE, estimateCost } from '../../bench/cost/cost-model';
import { US_EAST_1_PRICES } from '../../bench/cost/prices';
import { STAGE_NAMES, type StageName } from '../../lib/config/stages';
import { synthesize } from './helpers/synth';

/**
 * README's "Deploy to AWS" and docs/capacity.md quote the synthesised templates and `npm run capacity`: these
 * tests render the same figures from the same synth and fail when the docs no longer say what the code does.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
const capacityDoc = readFileSync(`${ROOT}/docs/capacity.md`, 'utf8');

let stages: Record<StageName, StageTemplates>;
let report: CapacityReport;

beforeAll(() => {
  stages = Object.fromEntries(
    STAGE_NAMES.map((stage) => {
      const { stateful, stateless } = synthesize({ stage });
      return [stage, { stateful: stateful.toJSON() as Template, stateless: stateless.toJSON() as Template }];
    }),
  ) as Record<StageName, StageTemplates>;
  report = renderCapacityReport(stages);
});

/** The README section under `heading`, up to the next heading of the same or a higher level. */
function readmeSection(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const level = heading.split(' ')[0]!;
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next === -1 ? rest : rest.slice(0, next);
}

describe('README: Deploy to AWS', () => {
  it('lists every output of both stacks, and nothing else, in its Stack outputs table', () => {
    const rows = readmeSection('### Stack outputs')
      .split('\n')
      .filter((line) => /^\| (Stateful|Stateless) \|/.test(line));
    const documented = (stack: string) =>
      new Set(rows.filter((r) => r.startsWith(`| ${stack} |`)).flatMap((r) => [...r.split('|')[2]!.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]!)));
    for (const stage of STAGE_NAMES) {
      expect(documented('Stateful'), stage).toEqual(new Set(stackOutputs(stages[stage].stateful).map((o) => o.id)));
      expect(documented('Stateless'), stage).toEqual(new Set(stackOutputs(stages[stage].stateless).map((o) => o.id)));
    }
  });

  it('quotes the idle stage cost and the cost per 1,000 notes the models compute', () => {
    const cost = readmeSection('### Cost');
    expect(cost).toContain(`about $${report.idleMonthlyTotal.toFixed(2)} a month`);
    const items = idleCostItems(stages.dev);
    const quantity = (prefix: string) => items.find((i) => i.item.startsWith(prefix))!.quantity;
    expect(cost).toContain(`| ${quantity('CloudWatch alarm')} metrics |`);
    expect(cost).toContain(`${quantity('Custom metrics')} series × $0.30`);
    for (const path of ['fast', 'batch'] as const) {
      for (const cacheHitRatio of [0, 0.3, 0.6]) {
        const total = estimateCost({ tier: 'basic', noteSeconds: 30, cacheHitRatio, notes: 1_000, path }, US_EAST_1_PRICES).total;
        expect(cost, `${path} at ${cacheHitRatio}`).toContain(`$${total.toFixed(2)}`);
      }
    }
  });

  it("counts prod's retained log groups as the templates retain them", () => {
    const logs = (t: Template) => retainedResources(t)['AWS::Logs::LogGroup'] ?? 0;
    expect(logs(stages.dev.stateful) + logs(stages.dev.stateless)).toBe(0);
    expect(readmeSection('### Remove a stage (`cdk destroy`)')).toContain(`(${logs(stages.prod.stateless)} + ${logs(stages.prod.stateful)})`);
  });
});

describe('docs/capacity.md', () => {
  it('shows the per-note figures and every volume’s table as `npm run capacity` computes them now', () => {
    expect(capacityDoc).toContain(report.perNote.split('\n\n')[0]);
    for (const volume of VOLUMES) expect(capacityDoc).toContain(report.volumes[volume]);
  });
});

describe('the cost model against the templates', () => {
  it('counts the state transitions of the synthesised state machine on each path', () => {
    const fromTemplate = transitionsByPath(statePaths(stateMachineDefinition(stages.dev.stateless)));
    expect(DEFAULT_USAGE.stateTransitions).toEqual({ fast: fromTemplate.fast, batch: fromTemplate.batch, 'cache-hit': fromTemplate['cache-hit'] });
  });

  it('prices each Lambda run at the memory its function is deployed with', () => {
    const memory = new Map(lambdaFunctions(stages.dev.stateless).flatMap((f) => (f.entry ? [[f.entry, f.memoryMb] as const] : [])));
    const runs = [...Object.values(DEFAULT_USAGE.lambda).flat()];
    const modelled = runs.filter((r) => memory.has(`functions/pipeline/${r.fn}.ts`) || memory.has(`functions/api/${r.fn}.ts`));
    expect(modelled.length).toBeGreaterThan(5);
    for (const run of modelled) {
      expect(run.memoryMb, run.fn).toBe(memory.get(`functions/pipeline/${run.fn}.ts`) ?? memory.get(`functions/api/${run.fn}.ts`));
    }
    expect(DEFAULT_USAGE.fastTranscribeMemoryMb).toBe(memory.get('functions/pipeline/fast-transcribe.ts'));
  });
});
