import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeHtml, formatDuration, formatNumber, renderReportHtml, writeReport, type RunReport } from '../src';
import { classificationReport, evaluationReport, failedBeforeEvalReport, pipelineDefinition, regressionReport, succeededPath } from './fixtures';
import { tags } from './helpers';

describe('renderReportHtml', () => {
  const html = renderReportHtml(regressionReport());

  it('is one self-contained page: no scripts, no external references, inline CSS and SVG', () => {
    for (const page of [html, renderReportHtml(classificationReport()), renderReportHtml(failedBeforeEvalReport())]) {
      expect(page.startsWith('<!doctype html>')).toBe(true);
      expect(page).not.toMatch(/<script/i);
      expect(page).not.toMatch(/\s(src|href|xlink:href)\s*=/i);
      expect(page).not.toMatch(/<link\b/i);
      expect(page).not.toMatch(/@import|url\((?!#)/i); // only in-document references (SVG markers)
      expect(page).not.toMatch(/https?:\/\//i);
      expect(page).toContain('<style>');
      expect(page).toContain('<svg');
      expect(page).toContain("default-src 'none'");
    }
  });

  it('shows the header: status badge, execution name, wall and virtual time', () => {
    const badge = tags(html, 'span', 'status-badge')[0]!;
    expect(badge.attrs['data-status']).toBe('SUCCEEDED');
    expect(html).toContain('abalone-1a2b3c4d5e');
    expect(html).toContain(formatDuration(250.5));
    expect(html).toContain('2h 14m');
    expect(html).toContain('<title>abalone-1a2b3c4d5e — SUCCEEDED</title>');
  });

  it('contains every state name of the pipeline ASL, with the taken path highlighted', () => {
    const nodes = tags(html, 'g', 'sm-node');
    expect(nodes.map((t) => t.attrs['data-state']).sort()).toEqual(Object.keys(pipelineDefinition().States).sort());
    const taken = nodes.filter((t) => t.attrs['data-taken'] === 'true').map((t) => t.attrs['data-state']);
    expect(new Set(taken)).toEqual(new Set(succeededPath()));
  });

  it('has the timing table, the jobs, the metrics against the threshold and the regression plots', () => {
    const stepRows = tags(html, 'tr').filter((t) => t.attrs['data-state']);
    expect(stepRows.map((t) => t.attrs['data-state'])).toEqual(regressionReport().steps.map((s) => s.state));
    expect(html).toContain('abalone-1a2b3c4d5e-train');
    expect(html).toContain('Starting → Downloading → Training → Uploading → Completed');
    const gateRow = tags(html, 'tr', 'gate-row')[0]!;
    expect(gateRow.attrs.class).toContain('pass');
    expect(html).toContain('mse = 4.812 meets the threshold 6 (must be &lt;= 6)');
    expect(html).toContain('≤ 6');
    expect(html).toContain(formatNumber(0.5387));
    expect(tags(html, 'figure', 'plot-scatter')).toHaveLength(1);
    expect(tags(html, 'figure', 'plot-histogram')).toHaveLength(1);
    expect(tags(html, 'figure', 'plot-residuals')).toHaveLength(1);
    expect(tags(html, 'circle', 'pt').length).toBe(2 * 300);
    // Histogram computed from the points when the report carries none.
    expect(tags(html, 'rect', 'bar').reduce((a, b) => a + Number(b.attrs['data-count']), 0)).toBe(300);
    expect(tags(html, 'table', 'endpoint-checks')).toHaveLength(1);
    expect(html).toContain('11.84');
    expect(html).toContain('s3://mlops-models-local/abalone-1a2b3c4d5e/output/model.tar.gz');
    expect(tags(html, 'figure', 'plot-confusion')).toHaveLength(0);
  });

  it("mirrors mlops_eval's residual bins (prediction − label) into actual − predicted", () => {
    const r = regressionReport();
    r.evaluation!.residualHistogram = [
      { from: -2, to: -1, count: 2 },
      { from: -1, to: 0, count: 6 },
      { from: 0, to: 1, count: 4 },
      { from: 1, to: 2, count: 1 },
    ];
    const page = renderReportHtml(r);
    expect(tags(page, 'rect', 'bar').map((b) => Number(b.attrs['data-count']))).toEqual([1, 4, 6, 2]);
  });

  it('draws the confusion matrix and per-class table for classification, with a failing gate in red', () => {
    const r = classificationReport();
    r.evaluation!.gate = { ...r.evaluation!.gate, threshold: 0.95, passed: false, summary: 'accuracy = 0.913 is below the threshold 0.95 (must be >= 0.95)' };
    const page = renderReportHtml(r);
    const cells = tags(page, 'g', 'cm-cell');
    expect(cells.map((c) => Number(c.attrs['data-count']))).toEqual([8, 0, 0, 0, 6, 1, 0, 1, 7]);
    expect(page).toContain('>versicolor</text>');
    expect(tags(page, 'table', 'per-class')).toHaveLength(1);
    expect(page).toContain('0.857');
    expect(tags(page, 'tr', 'gate-row')[0]!.attrs.class).toContain('fail');
    expect(page).toContain('is below the threshold 0.95');
    expect(page).toContain('✗ differs');
    expect(tags(page, 'figure', 'plot-scatter')).toHaveLength(0);
  });

  it('shows a failed run’s error and cause prominently, escaped', () => {
    const page = renderReportHtml(failedBeforeEvalReport());
    expect(page).toContain('role="alert"');
    expect(page).toContain('TrainingJobFailed');
    expect(page).not.toContain('<script>');
    expect(page).toContain('AlgorithmError: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; column &quot;rings&quot; not found &amp; exit code 1');
    expect(page).not.toContain('<b>x</b>');
    expect(page).toContain('abalone-&lt;b&gt;x&lt;/b&gt; — FAILED');
    // The alert comes before the state machine.
    expect(page.indexOf('role="alert"')).toBeLessThan(page.indexOf('id="state-machine"'));
  });

  it('renders a run that failed before evaluation: no evaluation or endpoint section, terminal state marked', () => {
    const page = renderReportHtml(failedBeforeEvalReport());
    expect(page).not.toContain('id="evaluation"');
    expect(page).not.toContain('id="endpoint"');
    expect(page).toContain('No evaluation');
    expect(tags(page, 'g', 'sm-terminal').map((t) => t.attrs['data-state'])).toEqual(['TrainingFailed']);
    expect(tags(page, 'g', 'sm-node').filter((t) => t.attrs['data-taken'] === 'true')).toHaveLength(6);
  });

  it('renders a minimal running report without crashing', () => {
    const base = regressionReport();
    const minimal: RunReport = {
      title: 'x — RUNNING',
      generatedAt: 'not a date',
      execution: { name: 'x', arn: 'arn', status: 'RUNNING', startedAt: '2025-01-01T00:00:00Z', wallSeconds: 0 },
      dataset: { source: '', rows: { train: 0, validation: 0, test: 0 }, featureCount: 0, problemType: 'classification', target: 'y' },
      definition: base.definition,
      path: [],
      steps: [],
      jobs: [],
    };
    const page = renderReportHtml(minimal);
    expect(page).toContain('No SageMaker job was started');
    expect(page).not.toMatch(/NaN|undefined|Infinity/);
    expect(page).not.toContain('role="alert"');
    expect(tags(page, 'g', 'sm-taken')).toHaveLength(0);
    // An evaluation with only metrics and a gate (no plots) also renders.
    const onlyMetrics = renderReportHtml({ ...minimal, evaluation: evaluationReport({ problemType: 'classification', metrics: {}, gate: { metric: 'f1_macro', threshold: 0.5, direction: 'gte', value: 0.7, passed: true, summary: 'ok' } }) });
    expect(onlyMetrics).toContain('id="evaluation"');
    expect(onlyMetrics).toContain('f1_macro');
  });
});

describe('writeReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes report.html and report.json; the JSON round-trips', async () => {
    const report = regressionReport();
    const out = await writeReport(join(dir, 'nested', 'run'), report);
    expect(out).toEqual({ htmlPath: join(dir, 'nested', 'run', 'report.html'), jsonPath: join(dir, 'nested', 'run', 'report.json') });
    const html = await readFile(out.htmlPath, 'utf8');
    expect(html).toBe(renderReportHtml(report));
    const json = JSON.parse(await readFile(out.jsonPath, 'utf8')) as RunReport;
    expect(json).toEqual(report);
    expect(renderReportHtml(json)).toBe(html);
  });
});

describe('format', () => {
  it('escapes markup and formats durations', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
    expect(formatDuration(0.25)).toBe('250 ms');
    expect(formatDuration(12.34)).toBe('12.3 s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(3 * 3600 + 4 * 60)).toBe('3h 04m');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatNumber(4.81234)).toBe('4.812');
  });
});
