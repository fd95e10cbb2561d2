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

function pipelineRows(results: readonly SuiteResult[]): StageRow[] {
  const pipeline = results.find((r) => r.suite === 'pipeline' && r.status === 'ok');
  return (pipeline?.data as { rows?: StageRow[] } | null)?.rows?.filter((r) => Number.isFinite(r.pipelineMs)) ?? [];
}

export interface StageCharts {
  /** Every stage, engines included. */
  readonly stages: string;
  /** The same bars without the engine segments: what the pipeline itself adds. */
  readonly overhead: string;
}

/** Per-stage breakdown of a fresh note by length, engine time split from the rest; undefined without data. */
export function stageCharts(results: readonly SuiteResult[]): StageCharts | undefined {
  const rows = pipelineRows(results);
  if (rows.length === 0) return undefined;
  const bars = rows.map((r) => {
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
  });
  const engineSeries = new Set(['transcribe: engine', 'translate: engine']);
  return {
    stages: renderStackedBarChart({ title: 'Where a fresh note\'s time goes (local stack, median)', unit: 'milliseconds', series: SERIES, bars }),
    overhead: renderStackedBarChart({
      title: 'The same without the engines: what the pipeline adds (median)',
      unit: 'milliseconds',
      series: SERIES.filter((name) => !engineSeries.has(name)),
      bars: bars.map((b) => ({ label: b.label, values: b.values.filter((_, i) => !engineSeries.has(SERIES[i]!)) })),
    }),
  };
}
