/**
 * Small static SVG charts: scatter, histogram, confusion-matrix heatmap and a job status timeline.
 *
 * Hand-written rather than taken from a charting library: the usual ones (d3, Chart.js, Vega, Plotly, ECharts)
 * render in a browser — they need a DOM or a canvas and a script in the page — while this report is produced
 * in Node and must open offline as a single file with no JavaScript. The charts are a few scales, ticks and
 * shapes, so a little code does it.
 */
import type { Histogram, JobTransition } from './types';
import { escapeHtml, formatDuration, formatInt, formatNumber, formatPercent, n, truncate } from './format';

export interface Domain {
  min: number;
  max: number;
}

/** A "nice" step (1, 2, 2.5 or 5 × 10^k) near span / count. */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * power;
}

function cleanFloat(x: number): number {
  return Number(x.toPrecision(12));
}

/** Extends [min, max] to multiples of a nice step and lists the ticks. A flat range is widened around its value. */
export function niceTicks(min: number, max: number, count = 5): { min: number; max: number; step: number; ticks: number[] } {
  let lo = Number.isFinite(min) ? min : 0;
  let hi = Number.isFinite(max) ? max : 1;
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const nmin = cleanFloat(Math.floor(cleanFloat(lo / step)) * step);
  const nmax = cleanFloat(Math.ceil(cleanFloat(hi / step)) * step);
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const t = cleanFloat(nmin + i * step);
    if (t > nmax + step * 1e-9 || i > 1000) break;
    ticks.push(t);
  }
  return { min: nmin, max: nmax, step, ticks };
}

/** Ticks inside a fixed domain (not extended). */
export function ticksWithin(min: number, max: number, count = 5): number[] {
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  const first = Math.ceil(cleanFloat(min / step)) * step;
  for (let t = first, i = 0; t <= max + step * 1e-9 && i < 1000; t += step, i++) ticks.push(cleanFloat(t));
  return ticks;
}

export function linearScale(domain: Domain, range: [number, number]): (v: number) => number {
  const span = domain.max - domain.min;
  return (v) => (span === 0 ? (range[0] + range[1]) / 2 : range[0] + ((v - domain.min) / span) * (range[1] - range[0]));
}

function tickLabel(v: number, step: number): string {
  if (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0)) return formatNumber(v, 3);
  let decimals = 0;
  while (decimals < 8 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6) decimals++;
  return v.toFixed(decimals).replace(/^-(0(\.0+)?)$/, '$1');
}

export interface PlotFrame {
  width: number;
  height: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const DEFAULT_MARGIN = { left: 58, right: 18, top: 14, bottom: 46 };

function frame(width: number, height: number): PlotFrame {
  return { width, height, left: DEFAULT_MARGIN.left, top: DEFAULT_MARGIN.top, right: width - DEFAULT_MARGIN.right, bottom: height - DEFAULT_MARGIN.bottom };
}

function axes(
  f: PlotFrame,
  x: { ticks: number[]; step: number; scale: (v: number) => number; label: string },
  y: { ticks: number[]; step: number; scale: (v: number) => number; label: string },
): string {
  const out: string[] = [];
  out.push(`<g class="grid" stroke="#eef1f5" stroke-width="1">`);
  for (const t of x.ticks) out.push(`<line x1="${n(x.scale(t))}" x2="${n(x.scale(t))}" y1="${n(f.top)}" y2="${n(f.bottom)}"/>`);
  for (const t of y.ticks) out.push(`<line x1="${n(f.left)}" x2="${n(f.right)}" y1="${n(y.scale(t))}" y2="${n(y.scale(t))}"/>`);
  out.push('</g>');
  out.push(`<rect class="plot-area" x="${n(f.left)}" y="${n(f.top)}" width="${n(f.right - f.left)}" height="${n(f.bottom - f.top)}" fill="none" stroke="#94a3b8" stroke-width="1"/>`);
  out.push(`<g class="x-axis" font-size="10.5" fill="#475569" text-anchor="middle">`);
  for (const t of x.ticks) {
    const px = x.scale(t);
    out.push(`<line x1="${n(px)}" x2="${n(px)}" y1="${n(f.bottom)}" y2="${n(f.bottom + 4)}" stroke="#94a3b8"/><text x="${n(px)}" y="${n(f.bottom + 16)}">${escapeHtml(tickLabel(t, x.step))}</text>`);
  }
  out.push(`<text class="axis-label" x="${n((f.left + f.right) / 2)}" y="${n(f.height - 8)}" font-size="11.5" fill="#1e293b" font-weight="600">${escapeHtml(x.label)}</text></g>`);
  out.push(`<g class="y-axis" font-size="10.5" fill="#475569" text-anchor="end">`);
  for (const t of y.ticks) {
    const py = y.scale(t);
    out.push(`<line x1="${n(f.left - 4)}" x2="${n(f.left)}" y1="${n(py)}" y2="${n(py)}" stroke="#94a3b8"/><text x="${n(f.left - 7)}" y="${n(py + 3.5)}">${escapeHtml(tickLabel(t, y.step))}</text>`);
  }
  const cy = (f.top + f.bottom) / 2;
  out.push(`<text class="axis-label" x="14" y="${n(cy)}" transform="rotate(-90 14 ${n(cy)})" text-anchor="middle" font-size="11.5" fill="#1e293b" font-weight="600">${escapeHtml(y.label)}</text></g>`);
  return out.join('');
}

function svgOpen(width: number, height: number, label: string, cls: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${cls}" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}" role="img" aria-label="${escapeHtml(label)}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`;
}

/** Keeps at most `max` items, evenly spaced (deterministic). */
export function downsample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.floor((i * items.length) / max)]!);
  return out;
}

/** How one model's points or bars look: the run's model (challenger) in blue, the family's live model (champion) in amber. */
export interface SeriesStyle {
  label: string;
  fill: string;
  stroke: string;
}

export const CHALLENGER_STYLE: Omit<SeriesStyle, 'label'> = { fill: '#2563eb', stroke: '#1d4ed8' };
export const CHAMPION_STYLE: Omit<SeriesStyle, 'label'> = { fill: '#f59e0b', stroke: '#b45309' };

export interface ScatterOptions {
  /** Styles of the series the points belong to (a point's `s`, default 0); with two or more, a legend. */
  series?: SeriesStyle[];
  width?: number;
  height?: number;
  xLabel: string;
  yLabel: string;
  /** Accessible name of the chart. */
  title?: string;
  /** Draw y = x and use one domain for both axes (predicted vs actual). */
  identityLine?: boolean;
  /** Draw a horizontal reference line at this y (e.g. 0 for residuals). */
  referenceY?: number;
  /** At most this many points are drawn (evenly sampled). Default 2,000. */
  maxPoints?: number;
}

/**
 * A scatter plot. The domains are the data's extent widened to nice tick values, so a point at the minimum of
 * nice data sits on the bottom-left corner of the plot area and one at the maximum on the top-right.
 */
export function scatterSvg(points: readonly { x: number; y: number; s?: number }[], opts: ScatterOptions): string {
  const width = opts.width ?? 400;
  const height = opts.height ?? 330;
  const f = frame(width, height);
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const shown = downsample(finite, opts.maxPoints ?? 2000);
  const xs = finite.map((p) => p.x);
  const ys = finite.map((p) => p.y);
  let xmin = Math.min(...xs);
  let xmax = Math.max(...xs);
  let ymin = Math.min(...ys);
  let ymax = Math.max(...ys);
  if (finite.length === 0) [xmin, xmax, ymin, ymax] = [0, 1, 0, 1];
  if (opts.referenceY !== undefined) {
    ymin = Math.min(ymin, opts.referenceY);
    ymax = Math.max(ymax, opts.referenceY);
  }
  if (opts.identityLine) {
    xmin = ymin = Math.min(xmin, ymin);
    xmax = ymax = Math.max(xmax, ymax);
  }
  const xt = niceTicks(xmin, xmax, 6);
  const yt = niceTicks(ymin, ymax, 6);
  const sx = linearScale(xt, [f.left, f.right]);
  const sy = linearScale(yt, [f.bottom, f.top]);
  const out: string[] = [svgOpen(width, height, opts.title ?? `${opts.yLabel} vs ${opts.xLabel}`, 'scatter')];
  out.push(axes(f, { ticks: xt.ticks, step: xt.step, scale: sx, label: opts.xLabel }, { ticks: yt.ticks, step: yt.step, scale: sy, label: opts.yLabel }));
  if (opts.identityLine) {
    const lo = Math.max(xt.min, yt.min);
    const hi = Math.min(xt.max, yt.max);
    out.push(`<line class="identity" x1="${n(sx(lo))}" y1="${n(sy(lo))}" x2="${n(sx(hi))}" y2="${n(sy(hi))}" stroke="#dc2626" stroke-width="1.4" stroke-dasharray="6 4"/>`);
    out.push(
      `<g class="legend"><line x1="${n(f.left + 10)}" x2="${n(f.left + 34)}" y1="${n(f.top + 14)}" y2="${n(f.top + 14)}" stroke="#dc2626" stroke-width="1.4" stroke-dasharray="6 4"/><text x="${n(f.left + 40)}" y="${n(f.top + 17.5)}" font-size="10.5" fill="#dc2626">y = x (exact prediction)</text></g>`,
    );
  }
  if (opts.referenceY !== undefined) {
    const py = sy(opts.referenceY);
    out.push(`<line class="reference" x1="${n(f.left)}" y1="${n(py)}" x2="${n(f.right)}" y2="${n(py)}" stroke="#dc2626" stroke-width="1.4" stroke-dasharray="6 4"/>`);
  }
  const r = shown.length > 800 ? 2 : shown.length > 200 ? 2.6 : 3.2;
  const styles = opts.series && opts.series.length > 0 ? opts.series : [{ label: '', ...CHALLENGER_STYLE }];
  // The first series (the run's own model) on top.
  [...styles.keys()].reverse().forEach((si) => {
    const style = styles[si]!;
    const mine = shown.filter((p) => (p.s ?? 0) === si);
    if (mine.length === 0) return;
    out.push(
      `<g class="points${si > 0 ? ` points-${si}` : ''}" data-series="${escapeHtml(style.label)}" fill="${style.fill}" fill-opacity="${shown.length > 800 ? 0.35 : 0.5}" stroke="${style.stroke}" stroke-opacity=".6" stroke-width=".5">`,
    );
    for (const p of mine) out.push(`<circle class="pt" cx="${n(sx(p.x))}" cy="${n(sy(p.y))}" r="${r}"/>`);
    out.push('</g>');
  });
  if (styles.length > 1) {
    const top = f.top + (opts.identityLine ? 32 : 14);
    out.push(
      `<g class="series-legend" font-size="10.5">${styles
        .map((style, i) => `<circle cx="${n(f.left + 16)}" cy="${n(top + i * 15)}" r="4" fill="${style.fill}" stroke="${style.stroke}"/><text x="${n(f.left + 26)}" y="${n(top + i * 15 + 3.5)}" fill="#334155">${escapeHtml(style.label)}</text>`)
        .join('')}</g>`,
    );
  }
  if (finite.length === 0) out.push(`<text x="${n((f.left + f.right) / 2)}" y="${n((f.top + f.bottom) / 2)}" text-anchor="middle" font-size="12" fill="#64748b">no points</text>`);
  if (shown.length < finite.length) {
    out.push(`<text x="${n(f.right - 4)}" y="${n(f.top + 13)}" text-anchor="end" font-size="10" fill="#64748b">${formatInt(shown.length)} of ${formatInt(finite.length)} points</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** One model's (label, prediction) sample, for plots that show several models on the same rows. */
export interface ModelSample {
  style: SeriesStyle;
  points: readonly { actual: number; predicted: number }[];
}

function seriesPoints(models: readonly ModelSample[], point: (p: { actual: number; predicted: number }) => { x: number; y: number }): { x: number; y: number; s: number }[] {
  return models.flatMap((m, s) => m.points.map((p) => ({ ...point(p), s })));
}

/** Predicted vs actual of several models on one plot (one colour each), with the y = x line. */
export function predictedVsActualModelsSvg(models: readonly ModelSample[], opts: Partial<ScatterOptions> = {}): string {
  return scatterSvg(
    seriesPoints(models, (p) => ({ x: p.actual, y: p.predicted })),
    { xLabel: 'Actual', yLabel: 'Predicted', title: 'Predicted vs actual', identityLine: true, series: models.map((m) => m.style), maxPoints: 2000 * Math.max(1, models.length), ...opts },
  );
}

/** Residuals vs predicted of several models on one plot (one colour each), with the zero line. */
export function residualsVsPredictedModelsSvg(models: readonly ModelSample[], opts: Partial<ScatterOptions> = {}): string {
  return scatterSvg(
    seriesPoints(models, (p) => ({ x: p.predicted, y: p.actual - p.predicted })),
    { xLabel: 'Predicted', yLabel: 'Residual (actual − predicted)', title: 'Residuals vs predicted', referenceY: 0, series: models.map((m) => m.style), maxPoints: 2000 * Math.max(1, models.length), ...opts },
  );
}

/** Predicted vs actual: x = actual, y = predicted, with the y = x line. */
export function predictedVsActualSvg(points: readonly { actual: number; predicted: number }[], opts: Partial<ScatterOptions> = {}): string {
  return scatterSvg(
    points.map((p) => ({ x: p.actual, y: p.predicted })),
    { xLabel: 'Actual', yLabel: 'Predicted', title: 'Predicted vs actual', identityLine: true, ...opts },
  );
}

/** Residual (actual − predicted) vs predicted, with the zero line. */
export function residualsVsPredictedSvg(points: readonly { actual: number; predicted: number }[], opts: Partial<ScatterOptions> = {}): string {
  return scatterSvg(
    points.map((p) => ({ x: p.predicted, y: p.actual - p.predicted })),
    { xLabel: 'Predicted', yLabel: 'Residual (actual − predicted)', title: 'Residuals vs predicted', referenceY: 0, ...opts },
  );
}

/** Histogram of `values` over nice, equal-width bins (the last bin includes its upper edge). */
export function histogram(values: readonly number[], bins?: number): Histogram {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { binEdges: [0, 1], counts: [0] };
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  if (min === max) return { binEdges: [min - 0.5, min + 0.5], counts: [finite.length] };
  const target = bins ?? Math.max(5, Math.min(30, Math.ceil(Math.sqrt(finite.length))));
  const step = niceStep(max - min, target);
  const lo = cleanFloat(Math.floor(cleanFloat(min / step)) * step);
  const count = Math.max(1, Math.ceil(cleanFloat((max - lo) / step)));
  const edges = Array.from({ length: count + 1 }, (_, i) => cleanFloat(lo + i * step));
  const counts = new Array<number>(count).fill(0);
  for (const v of finite) {
    const i = Math.min(count - 1, Math.floor((v - lo) / step));
    counts[Math.max(0, i)]!++;
  }
  return { binEdges: edges, counts };
}

/** Histogram of the residuals (actual − predicted) of a regression sample. */
export function residualHistogram(points: readonly { actual: number; predicted: number }[], bins?: number): Histogram {
  return histogram(
    points.map((p) => p.actual - p.predicted),
    bins,
  );
}

export interface HistogramOptions {
  width?: number;
  height?: number;
  xLabel: string;
  yLabel?: string;
  title?: string;
  /** Vertical reference line (e.g. 0 for residuals). */
  referenceX?: number;
  /** Bar colours (default: indigo). */
  fill?: string;
  stroke?: string;
}

export function histogramSvg(hist: Histogram, opts: HistogramOptions): string {
  const width = opts.width ?? 400;
  const height = opts.height ?? 330;
  const f = frame(width, height);
  const k = Math.min(hist.counts.length, Math.max(0, hist.binEdges.length - 1));
  const edges = hist.binEdges.slice(0, k + 1);
  const counts = hist.counts.slice(0, k);
  const out: string[] = [svgOpen(width, height, opts.title ?? `Histogram of ${opts.xLabel}`, 'histogram')];
  if (k === 0) {
    out.push(`<text x="${n(width / 2)}" y="${n(height / 2)}" text-anchor="middle" font-size="12" fill="#64748b">no data</text></svg>`);
    return out.join('');
  }
  const x0 = edges[0]!;
  const x1 = edges[k]!;
  const xd = { min: x0, max: x1 === x0 ? x0 + 1 : x1 };
  const sx = linearScale(xd, [f.left, f.right]);
  const yt = niceTicks(0, Math.max(1, ...counts), 5);
  const sy = linearScale(yt, [f.bottom, f.top]);
  const xt = ticksWithin(xd.min, xd.max, 6);
  out.push(axes(f, { ticks: xt, step: niceStep(xd.max - xd.min, 6), scale: sx, label: opts.xLabel }, { ticks: yt.ticks, step: yt.step, scale: sy, label: opts.yLabel ?? 'Count' }));
  const total = counts.reduce((a, b) => a + b, 0);
  out.push(`<g class="bars" fill="${opts.fill ?? '#6366f1'}" fill-opacity=".78" stroke="${opts.stroke ?? '#4338ca'}" stroke-width=".6">`);
  for (let i = 0; i < k; i++) {
    const c = counts[i]!;
    const left = sx(edges[i]!);
    const right = sx(edges[i + 1]!);
    const top = sy(c);
    out.push(
      `<rect class="bar" data-count="${c}" x="${n(left + 0.5)}" y="${n(top)}" width="${n(Math.max(0.5, right - left - 1))}" height="${n(f.bottom - top)}"><title>[${escapeHtml(formatNumber(edges[i]!))}, ${escapeHtml(formatNumber(edges[i + 1]!))}${i === k - 1 ? ']' : ')'}: ${c}</title></rect>`,
    );
    if (k <= 24 && c > 0) out.push(`<text x="${n((left + right) / 2)}" y="${n(top - 3)}" text-anchor="middle" font-size="9.5" fill="#334155" stroke="none">${c}</text>`);
  }
  out.push('</g>');
  if (opts.referenceX !== undefined && opts.referenceX >= xd.min && opts.referenceX <= xd.max) {
    const px = sx(opts.referenceX);
    out.push(`<line class="reference" x1="${n(px)}" x2="${n(px)}" y1="${n(f.top)}" y2="${n(f.bottom)}" stroke="#dc2626" stroke-width="1.4" stroke-dasharray="6 4"/>`);
  }
  out.push(`<text x="${n(f.right - 4)}" y="${n(f.top + 13)}" text-anchor="end" font-size="10" fill="#64748b">n = ${formatInt(total)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.replace('#', ''), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Colour between `from` and `to` (hex), t in [0, 1]. */
export function mixColor(from: string, to: string, t: number): string {
  const a = hexToRgb(from);
  const b = hexToRgb(to);
  const c = a.map((x, i) => Math.round(x + (b[i]! - x) * Math.min(1, Math.max(0, t))));
  return `#${c.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

export interface ConfusionMatrixOptions {
  /** Largest cell side in px. */
  maxCell?: number;
}

/**
 * Confusion-matrix heatmap, rows = actual, columns = predicted. Each cell shows its count (and the share of its
 * row, i.e. of the actual class, when there is room); the colour is that share — blue on the diagonal (right),
 * red off it (confused).
 */
export function confusionMatrixSvg(matrix: readonly (readonly number[])[], classes: readonly string[] = [], opts: ConfusionMatrixOptions = {}): string {
  const k = Math.max(matrix.length, ...matrix.map((r) => r.length), 0);
  const label = (i: number) => classes[i] ?? String(i);
  if (k === 0) return `${svgOpen(200, 40, 'Confusion matrix', 'confusion')}<text x="8" y="24" font-size="12" fill="#64748b">empty matrix</text></svg>`;
  const cell = Math.max(24, Math.min(opts.maxCell ?? 70, Math.floor(420 / k)));
  const labels = Array.from({ length: k }, (_, i) => label(i));
  const maxLen = Math.min(16, Math.max(...labels.map((l) => l.length)));
  const rotate = k > 4 || maxLen * 6.6 > cell;
  const leftPad = 34 + Math.min(16, maxLen) * 6.6 + 8;
  const topPad = 34;
  const gridW = cell * k;
  const bottomPad = rotate ? 30 + Math.min(16, maxLen) * 5 : 40;
  const width = leftPad + gridW + 16;
  const height = topPad + gridW + bottomPad;
  const out: string[] = [svgOpen(width, height, 'Confusion matrix', 'confusion')];
  const rowTotals = Array.from({ length: k }, (_, i) => (matrix[i] ?? []).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0));
  out.push(`<text x="${n(leftPad + gridW / 2)}" y="16" text-anchor="middle" font-size="11.5" font-weight="600" fill="#1e293b">Predicted →</text>`);
  const cy = topPad + gridW / 2;
  out.push(`<text x="14" y="${n(cy)}" transform="rotate(-90 14 ${n(cy)})" text-anchor="middle" font-size="11.5" font-weight="600" fill="#1e293b">Actual →</text>`);
  for (let i = 0; i < k; i++) {
    const rowTotal = rowTotals[i]!;
    for (let j = 0; j < k; j++) {
      const v = matrix[i]?.[j] ?? 0;
      const share = rowTotal > 0 ? v / rowTotal : 0;
      const diag = i === j;
      const fill = v === 0 ? '#f8fafc' : mixColor('#ffffff', diag ? '#1d4ed8' : '#dc2626', 0.12 + 0.88 * share);
      const dark = v > 0 && 0.12 + 0.88 * share > 0.55;
      const x = leftPad + j * cell;
      const y = topPad + i * cell;
      out.push(
        `<g class="cm-cell" data-row="${i}" data-col="${j}" data-count="${v}"><rect x="${n(x)}" y="${n(y)}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff" stroke-width="1.5"/>` +
          `<title>${escapeHtml(`actual ${label(i)}, predicted ${label(j)}: ${v} (${formatPercent(share)} of ${label(i)})`)}</title>` +
          `<text x="${n(x + cell / 2)}" y="${n(y + cell / 2 + (cell >= 44 ? -1 : 4))}" text-anchor="middle" font-size="${cell >= 44 ? 14 : 11}" font-weight="700" fill="${dark ? '#fff' : '#0f172a'}">${formatInt(v)}</text>` +
          (cell >= 44 && rowTotal > 0 && v > 0
            ? `<text x="${n(x + cell / 2)}" y="${n(y + cell / 2 + 14)}" text-anchor="middle" font-size="9.5" fill="${dark ? '#e2e8f0' : '#475569'}">${formatPercent(share)}</text>`
            : '') +
          '</g>',
      );
    }
  }
  out.push(`<rect x="${n(leftPad)}" y="${n(topPad)}" width="${n(gridW)}" height="${n(gridW)}" fill="none" stroke="#94a3b8"/>`);
  for (let i = 0; i < k; i++) {
    const text = escapeHtml(truncate(label(i), 16));
    const full = escapeHtml(label(i));
    out.push(`<text class="cm-row-label" x="${n(leftPad - 6)}" y="${n(topPad + i * cell + cell / 2 + 4)}" text-anchor="end" font-size="11" fill="#334155"><title>${full}</title>${text}</text>`);
    const xx = leftPad + i * cell + cell / 2;
    const yy = topPad + gridW + 14;
    out.push(
      rotate
        ? `<text class="cm-col-label" x="${n(xx)}" y="${n(yy)}" transform="rotate(-40 ${n(xx)} ${n(yy)})" text-anchor="end" font-size="11" fill="#334155"><title>${full}</title>${text}</text>`
        : `<text class="cm-col-label" x="${n(xx)}" y="${n(yy + 2)}" text-anchor="middle" font-size="11" fill="#334155"><title>${full}</title>${text}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

const STATUS_COLORS: [RegExp, string][] = [
  [/fail|error/i, '#dc2626'],
  [/complete|inservice|succeed/i, '#16a34a'],
  [/stop|abort|rollingback|deleting/i, '#94a3b8'],
  [/updating|creating|systemupdating/i, '#d97706'],
  [/progress|training|starting|downloading|uploading|pending|launching/i, '#2563eb'],
];

export function statusColor(status: string): string {
  return STATUS_COLORS.find(([re]) => re.test(status))?.[1] ?? '#64748b';
}

/** A job's status transitions as one horizontal bar, each status a segment proportional to its duration. */
export function jobTimelineSvg(transitions: readonly JobTransition[], opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 240;
  const height = opts.height ?? 14;
  const items = transitions
    .map((t) => ({ t, start: Date.parse(t.start), end: t.end ? Date.parse(t.end) : NaN }))
    .filter((x) => Number.isFinite(x.start));
  if (items.length === 0) return '';
  const t0 = Math.min(...items.map((x) => x.start));
  const t1 = Math.max(...items.map((x) => (Number.isFinite(x.end) ? x.end : x.start)));
  const spans = items.map((x, i) => {
    const end = Number.isFinite(x.end) ? x.end : (items[i + 1]?.start ?? t1);
    return { ...x, end: Math.max(end, x.start) };
  });
  const total = t1 - t0;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="status timeline">`];
  let x = 0;
  spans.forEach((s, i) => {
    const w = total > 0 ? Math.max(3, ((s.end - s.start) / total) * width) : width / spans.length;
    const wClamped = Math.min(w, width - x);
    if (wClamped <= 0) return;
    const seconds = (s.end - s.start) / 1000;
    out.push(
      `<rect x="${n(x)}" y="0" width="${n(wClamped)}" height="${height}" fill="${statusColor(s.t.status)}"${i > 0 ? ' stroke="#fff" stroke-width="1"' : ''}><title>${escapeHtml(`${s.t.status} — ${formatDuration(seconds)}${s.t.message ? `: ${s.t.message}` : ''}`)}</title></rect>`,
    );
    x += wClamped;
  });
  out.push('</svg>');
  return out.join('');
}
