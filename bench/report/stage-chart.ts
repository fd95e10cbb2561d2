import type { SuiteResult } from '../lib/types';
import type { StageRow } from '../suites/pipeline';
import { renderStackedBarChart } from './svg-chart';

const SERIES = [
  'POST /uploads',
  'upload to S3',
  'intake (S3 → SQS → Step Functions)',
  'normalize',
  'transcribe: engine',
  'transcribe: rest',
  'translate: engine',
  'translate + complete: rest',
];

/** Per-stage breakdown of a fresh note by length, engine time split from the rest; undefined without data. */
export function stageChart(results: readonly SuiteResult[]): string | undefined {
  const pipeline = results.find((r) => r.suite === 'pipeline' && r.status === 'ok');
  const rows = (pipeline?.data as { rows?: StageRow[] } | null)?.rows?.filter((r) => Number.isFinite(r.pipelineMs));
  if (!rows || rows.length === 0) return undefined;
  return renderStackedBarChart({
    title: 'Where a fresh note\'s time goes (local stack, median)',
    unit: 'milliseconds',
    series: SERIES,
    bars: rows.map((r) => {
      const speech = Math.min(r.speechEngineMs, r.phases.transcribe);
      const translate = Math.min(r.translateEngineMs, r.phases.translate);
      return {
        label: `${r.seconds} s note`,
        values: [
          r.createMs,
          r.uploadMs,
          r.phases.intake,
          r.phases.normalize,
          speech,
          r.phases.transcribe - speech,
          translate,
          r.phases.translate - translate,
        ],
      };
    }),
  });
}
