/**
 * A horizontal stacked-bar chart as a standalone SVG string: one bar per row, one coloured segment per
 * stage, a shared millisecond axis and a legend. Hand-written so the report needs no charting dependency.
 */

export interface StackedBar {
  readonly label: string;
  /** Segment values in the order of `StackedChart.series`; missing or zero segments are not drawn. */
  readonly values: readonly number[];
}

export interface StackedChart {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly string[];
  readonly bars: readonly StackedBar[];
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#9c755f', '#bab0ac'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A "nice" axis step (1, 2 or 5 × 10^k) giving at most `maxTicks` ticks up to `max`. */
export function niceStep(max: number, maxTicks = 6): number {
  if (!(max > 0)) return 1;
  const raw = max / maxTicks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  const nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
  return nice * magnitude;
}

const fmt = (v: number) => (v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10));

export function renderStackedBarChart(chart: StackedChart): string {
  const labelWidth = 170;
  const plotWidth = 560;
  const totalWidth = 40;
  const barHeight = 22;
  const gap = 10;
  const top = 44;
  const legendRowHeight = 18;
  const width = labelWidth + plotWidth + totalWidth + 40;
  const totals = chart.bars.map((b) => b.values.reduce((s, v) => s + Math.max(0, v), 0));
  const max = Math.max(1, ...totals);
  const step = niceStep(max);
  const axisMax = Math.ceil(max / step) * step;
  const x = (v: number) => labelWidth + (v / axisMax) * plotWidth;
  const plotBottom = top + chart.bars.length * (barHeight + gap);
  const legendTop = plotBottom + 56;
  const legendCols = 3;
  const legendLeft = 20;
  const legendColWidth = (width - 2 * legendLeft) / legendCols;
  const height = legendTop + Math.ceil(chart.series.length / legendCols) * legendRowHeight + 12;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  );
  for (let t = 0; t <= axisMax + step / 2; t += step) {
    parts.push(
      `<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${plotBottom}" stroke="#dddddd"/>`,
      `<text x="${x(t)}" y="${plotBottom + 16}" text-anchor="middle" fill="#555555">${fmt(t)}</text>`,
    );
  }
  parts.push(`<text x="${labelWidth + plotWidth / 2}" y="${plotBottom + 32}" text-anchor="middle" fill="#555555">${escapeXml(chart.unit)}</text>`);

  chart.bars.forEach((bar, i) => {
    const y = top + i * (barHeight + gap);
    parts.push(`<text x="${labelWidth - 8}" y="${y + barHeight / 2 + 4}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    let start = 0;
    bar.values.forEach((value, s) => {
      if (!(value > 0)) return;
      const w = x(start + value) - x(start);
      const name = chart.series[s] ?? `series ${s}`;
      parts.push(
        `<rect x="${x(start).toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${barHeight}" fill="${PALETTE[s % PALETTE.length]}"><title>${escapeXml(`${bar.label} · ${name}: ${fmt(value)} ${chart.unit}`)}</title></rect>`,
      );
      start += value;
    });
    parts.push(`<text x="${x(start) + 6}" y="${y + barHeight / 2 + 4}" fill="#333333">${fmt(totals[i]!)}</text>`);
  });

  chart.series.forEach((name, s) => {
    const col = s % legendCols;
    const row = Math.floor(s / legendCols);
    const lx = legendLeft + col * legendColWidth;
    const ly = legendTop + row * legendRowHeight;
    parts.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${PALETTE[s % PALETTE.length]}"/>`,
      `<text x="${lx + 18}" y="${ly}">${escapeXml(name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
