import {
  confusionMatrixSvg,
  histogram,
  histogramSvg,
  niceTicks,
  predictedVsActualSvg,
  residualHistogram,
  scatterSvg,
  downsample,
  jobTimelineSvg,
} from '../src';
import { rng } from './fixtures';
import { num, tags } from './helpers';

describe('niceTicks', () => {
  it('widens a range to nice steps and lists the ticks', () => {
    expect(niceTicks(0, 10, 5)).toEqual({ min: 0, max: 10, step: 2, ticks: [0, 2, 4, 6, 8, 10] });
    const t = niceTicks(0.13, 0.87, 5);
    expect(t.min).toBeLessThanOrEqual(0.13);
    expect(t.max).toBeGreaterThanOrEqual(0.87);
    expect(t.ticks[0]).toBe(t.min);
    expect(t.ticks[t.ticks.length - 1]).toBe(t.max);
    expect(niceTicks(5, 5).ticks.length).toBeGreaterThan(1);
  });
});

describe('scatterSvg', () => {
  const area = (svg: string) => {
    const r = tags(svg, 'rect', 'plot-area')[0]!;
    return { left: num(r, 'x'), top: num(r, 'y'), right: num(r, 'x') + num(r, 'width'), bottom: num(r, 'y') + num(r, 'height') };
  };

  it('maps the minimum to the bottom-left corner and the maximum to the top-right corner', () => {
    const svg = scatterSvg(
      [
        { x: 0, y: 0 },
        { x: 10, y: 20 },
        { x: 5, y: 10 },
      ],
      { xLabel: 'Actual', yLabel: 'Predicted', width: 400, height: 300 },
    );
    const a = area(svg);
    const pts = tags(svg, 'circle', 'pt').map((c) => ({ x: num(c, 'cx'), y: num(c, 'cy') }));
    expect(pts).toHaveLength(3);
    expect(pts[0]!.x).toBeCloseTo(a.left, 1);
    expect(pts[0]!.y).toBeCloseTo(a.bottom, 1);
    expect(pts[1]!.x).toBeCloseTo(a.right, 1);
    expect(pts[1]!.y).toBeCloseTo(a.top, 1);
    expect(pts[2]!.x).toBeCloseTo((a.left + a.right) / 2, 1);
    expect(pts[2]!.y).toBeCloseTo((a.top + a.bottom) / 2, 1);
    expect(svg).toContain('>Actual<');
    expect(svg).toContain('>Predicted<');
  });

  it('predicted vs actual shares one domain on both axes and draws y = x across the plot', () => {
    const svg = predictedVsActualSvg([
      { actual: 0, predicted: 2 },
      { actual: 8, predicted: 10 },
    ]);
    const a = area(svg);
    const line = tags(svg, 'line', 'identity')[0]!;
    expect(num(line, 'x1')).toBeCloseTo(a.left, 1);
    expect(num(line, 'y1')).toBeCloseTo(a.bottom, 1);
    expect(num(line, 'x2')).toBeCloseTo(a.right, 1);
    expect(num(line, 'y2')).toBeCloseTo(a.top, 1);
    // actual = 0 on the left edge; predicted = 10 (the shared max) on the top edge.
    const pts = tags(svg, 'circle', 'pt');
    expect(num(pts[0]!, 'cx')).toBeCloseTo(a.left, 1);
    expect(num(pts[1]!, 'cy')).toBeCloseTo(a.top, 1);
    // Tick labels on both axes.
    expect(tags(svg, 'g', 'x-axis')).toHaveLength(1);
    expect(svg).toMatch(/>10<\/text>/);
  });

  it('samples large inputs and survives empty or non-finite ones', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ x: i, y: i % 7 }));
    expect(tags(scatterSvg(many, { xLabel: 'x', yLabel: 'y', maxPoints: 500 }), 'circle', 'pt')).toHaveLength(500);
    expect(downsample([1, 2, 3, 4], 2)).toEqual([1, 3]);
    const empty = scatterSvg([{ x: NaN, y: 1 }], { xLabel: 'x', yLabel: 'y' });
    expect(empty).toContain('no points');
    expect(empty).not.toMatch(/NaN|Infinity/);
  });
});

describe('histograms', () => {
  it('bins every value once (the last bin includes its upper edge)', () => {
    const r = rng(7);
    const values = Array.from({ length: 1234 }, () => (r() - 0.5) * 9);
    const h = histogram(values);
    expect(h.binEdges).toHaveLength(h.counts.length + 1);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1234);
    expect(h.binEdges[0]).toBeLessThanOrEqual(Math.min(...values));
    expect(h.binEdges[h.binEdges.length - 1]).toBeGreaterThanOrEqual(Math.max(...values));
    expect(histogram([0, 1, 2, 3, 4], 4).counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(histogram([3, 3, 3])).toEqual({ binEdges: [2.5, 3.5], counts: [3] });
  });

  it('computes residuals as actual - predicted and draws one bar per bin whose counts sum to the sample', () => {
    const points = [
      { actual: 10, predicted: 9 },
      { actual: 10, predicted: 11 },
      { actual: 5, predicted: 5 },
      { actual: 7, predicted: 4 },
    ];
    const h = residualHistogram(points);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(4);
    const svg = histogramSvg(h, { xLabel: 'Residual', referenceX: 0 });
    const bars = tags(svg, 'rect', 'bar');
    expect(bars).toHaveLength(h.counts.length);
    expect(bars.reduce((a, b) => a + num(b, 'data-count'), 0)).toBe(4);
    expect(tags(svg, 'line', 'reference')).toHaveLength(1);
    expect(svg).toContain('n = 4');
    // Taller bar for the larger count.
    const given = histogramSvg({ binEdges: [0, 1, 2, 3], counts: [1, 5, 2] }, { xLabel: 'x' });
    const [b0, b1, b2] = tags(given, 'rect', 'bar');
    expect(num(b1!, 'height')).toBeGreaterThan(num(b2!, 'height'));
    expect(num(b2!, 'height')).toBeGreaterThan(num(b0!, 'height'));
    expect(num(b1!, 'height') / num(b0!, 'height')).toBeCloseTo(5, 5);
  });
});

describe('confusionMatrixSvg', () => {
  it('shows every count in its cell with the class labels', () => {
    const m = [
      [50, 2, 0],
      [3, 41, 6],
      [0, 9, 39],
    ];
    const classes = ['cat', 'dog', '<bird>'];
    const svg = confusionMatrixSvg(m, classes);
    const cells = tags(svg, 'g', 'cm-cell');
    expect(cells).toHaveLength(9);
    for (const c of cells) {
      const i = num(c, 'data-row');
      const j = num(c, 'data-col');
      expect(num(c, 'data-count')).toBe(m[i]![j]);
      // The cell's text is its count.
      const body = svg.slice(svg.indexOf(c.raw), svg.indexOf('</g>', svg.indexOf(c.raw)));
      expect(body).toMatch(new RegExp(`font-weight="700"[^>]*>${m[i]![j]}</text>`));
    }
    expect(svg).toContain('>cat</text>');
    expect(svg).toContain('&lt;bird&gt;');
    expect(svg).not.toContain('<bird>');
    expect(svg).toContain('Predicted');
    expect(svg).toContain('Actual');
    // Diagonal cells are blue, the biggest confusion is red.
    const fill = (i: number, j: number) => {
      const c = cells.find((x) => x.attrs['data-row'] === String(i) && x.attrs['data-col'] === String(j))!;
      return /fill="(#[0-9a-f]{6})"/.exec(svg.slice(svg.indexOf(c.raw)))![1]!;
    };
    const [r0, , b0] = [parseInt(fill(0, 0).slice(1, 3), 16), 0, parseInt(fill(0, 0).slice(5, 7), 16)];
    expect(b0).toBeGreaterThan(r0);
    expect(parseInt(fill(2, 1).slice(1, 3), 16)).toBeGreaterThan(parseInt(fill(2, 1).slice(5, 7), 16));
  });

  it('handles many classes and an empty matrix', () => {
    const k = 12;
    const m = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 10 : 1)));
    const svg = confusionMatrixSvg(m, Array.from({ length: k }, (_, i) => `class-number-${i}-with-a-long-name`));
    expect(tags(svg, 'g', 'cm-cell')).toHaveLength(k * k);
    expect(svg).toContain('rotate(-40');
    expect(confusionMatrixSvg([], [])).toContain('empty matrix');
  });
});

describe('jobTimelineSvg', () => {
  it('draws one segment per status transition, escaped', () => {
    const svg = jobTimelineSvg([
      { status: 'InProgress', start: '2025-01-01T00:00:00Z', end: '2025-01-01T00:09:00Z' },
      { status: 'Failed', start: '2025-01-01T00:09:00Z', end: '2025-01-01T00:10:00Z', message: '<oops>' },
    ]);
    expect(tags(svg, 'rect')).toHaveLength(2);
    expect(svg).toContain('&lt;oops&gt;');
    expect(jobTimelineSvg([])).toBe('');
  });
});
