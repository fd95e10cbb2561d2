import { describe, expect, it } from 'vitest';
import { escapeXml, niceStep, renderStackedBarChart } from '../../../bench/report/svg-chart';

describe('stacked bar SVG', () => {
  it('draws one rect per non-zero segment with its value in the tooltip', () => {
    const svg = renderStackedBarChart({
      title: 'Stages',
      unit: 'ms',
      series: ['normalize', 'transcribe', 'translate'],
      bars: [
        { label: '5 s note', values: [100, 900, 0] },
        { label: '30 s note', values: [200, 4000, 300] },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(3 + 2 + 3); // segments + legend swatches
    expect(svg).toContain('<title>30 s note · transcribe: 4000 ms</title>');
    expect(svg).not.toContain('5 s note · translate');
  });

  it('escapes labels so a stage name cannot break the document', () => {
    expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
    const svg = renderStackedBarChart({ title: '<x>', unit: 'ms', series: ['s&t'], bars: [{ label: 'l', values: [1] }] });
    expect(svg).toContain('&lt;x&gt;');
    expect(svg).toContain('s&amp;t');
  });

  it('picks 1-2-5 axis steps', () => {
    expect(niceStep(1000)).toBe(200);
    expect(niceStep(37)).toBe(10);
    expect(niceStep(0)).toBe(1);
  });
});
