import type { MachineInfo } from '../lib/machine';
import { round } from '../lib/stats';
import type { GoalResult, SuiteResult, Table } from '../lib/types';

export interface BenchReport {
  readonly generatedAt: string;
  readonly mode: 'full' | 'smoke';
  readonly command: string;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly goals: readonly GoalResult[];
  readonly suites: readonly SuiteResult[];
  /** File names of the per-stage charts next to the report (empty when the pipeline suite did not run). */
  readonly charts: readonly string[];
  /** Data-driven findings: what the numbers say is slow. */
  readonly findings: readonly string[];
}

/** Escapes the one character that breaks a Markdown table cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTable(table: Table): string {
  const lines = [
    `**${table.title}**`,
    '',
    `| ${table.header.map(cell).join(' | ')} |`,
    `| ${table.header.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  if (table.note) lines.push('', `_${table.note}_`);
  return lines.join('\n');
}

function formatMeasured(g: GoalResult): string {
  return `${g.measured} ${g.unit}`;
}

export function renderGoals(goals: readonly GoalResult[]): string {
  if (goals.length === 0) return '_No goal was measured in this run._';
  return renderTable({
    title: 'Goals (ratio = measured / threshold)',
    header: ['goal', 'measured', 'goal', 'ratio', 'result', 'what exactly'],
    rows: goals.map((g) => [
      g.description,
      formatMeasured(g),
      `${g.comparator} ${g.threshold} ${g.unit}`,
      Number.isFinite(g.ratio) ? String(round(g.ratio, 2)) : '∞',
      g.pass ? '✅ pass' : '❌ fail',
      g.detail ?? '',
    ]),
  });
}

export function renderReport(report: BenchReport): string {
  const m = report.machine;
  const passed = report.goals.filter((g) => g.pass).length;
  const out: string[] = [
    '# Benchmark report',
    '',
    `Generated ${report.generatedAt} by \`${report.command}\` (${report.mode} run, ${round(report.durationMs / 1000, 1)} s), commit \`${m.gitCommit}\`${m.gitDirty ? ' with uncommitted changes' : ''}.`,
    '',
    `> Measured on a small shared machine (${m.cores} cores, other work running). Absolute numbers move from run to run;`,
    '> read the ratios, which compare things measured side by side in the same run.',
    '',
    `## Goals: ${passed} of ${report.goals.length} pass`,
    '',
    renderGoals(report.goals),
    '',
  ];
  if (report.charts.length > 0) {
    out.push('## Where a note\'s time goes', '', ...report.charts.map((c) => `![${c.replace(/\.svg$/, '').replace(/-/g, ' ')}](${c})`), '');
  }
  for (const suite of report.suites) {
    out.push(`## ${suite.title}`, '');
    if (suite.status !== 'ok') {
      out.push(`**${suite.status.toUpperCase()}**${suite.error ? `: ${suite.error}` : ''}`, '');
    }
    for (const table of suite.tables) out.push(renderTable(table), '');
    if (suite.notes.length > 0) out.push(...suite.notes.map((n) => `- ${n}`), '');
    out.push(`_Suite time: ${round(suite.durationMs / 1000, 1)} s._`, '');
  }
  if (report.findings.length > 0) {
    out.push('## What the numbers say is slow', '', ...report.findings.map((f) => `- ${f}`), '');
  }
  out.push(
    '## Machine',
    '',
    `- CPU: ${m.cpuModel}, ${m.cores} cores; memory ${m.memoryGb} GB`,
    `- OS: ${m.os}, kernel ${m.kernel}`,
    `- Node ${m.node}; ffmpeg: ${m.ffmpeg}`,
    `- Load average (1/5/15 min) at start ${m.loadAverageAtStart.join(' / ')}, at end ${report.loadAverageAtEnd.join(' / ')}`,
    '',
    '## How to rerun',
    '',
    '```sh',
    'npm run bench                      # full run (several minutes), writes bench/results/',
    'npm run bench -- --smoke           # short CI-friendly run (< 2 min)',
    'npm run bench -- --only conversion,cold-start   # some suites: cold-start, conversion, pipeline, api, cost, experiments',
    '```',
    '',
    'Reports: `bench/results/report.md`, `report.json` (every raw number), `stage-breakdown.svg` and `overhead-breakdown.svg`.',
    'The stack-based suites start their own embedded local stack (fresh state in a temp dir) in a child process.',
    '',
  );
  return out.join('\n');
}
