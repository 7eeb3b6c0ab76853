import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeHtml, formatDuration, formatNumber, renderReportHtml, writeReport, type RunReport } from '../src';
import { childScopes, type AslDefinition } from '../src';
import { classificationReport, evaluationReport, failedBeforeEvalReport, firstModelReport, pipelineDefinition, regressionReport, succeededPath } from './fixtures';
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

  it('contains every state name of the pipeline ASL, branches included, with the taken path highlighted', () => {
    const names = (def: AslDefinition): string[] => Object.entries(def.States).flatMap(([name, state]) => [name, ...childScopes(state).flatMap(names)]);
    const nodes = tags(html, 'g', 'sm-node');
    expect(nodes.map((t) => t.attrs['data-state']).sort()).toEqual(names(pipelineDefinition()).sort());
    expect(names(pipelineDefinition())).toEqual(expect.arrayContaining(['Transforms', 'AwaitChallengerTransform', 'AwaitChampionTransform']));
    const taken = nodes.filter((t) => t.attrs['data-taken'] === 'true').map((t) => t.attrs['data-state']);
    expect(new Set(taken)).toEqual(new Set(succeededPath()));
  });

  it('has the timing table, the jobs of both models, and the metrics of both against the threshold', () => {
    const stepRows = tags(html, 'tr').filter((t) => t.attrs['data-state']);
    expect(stepRows.map((t) => t.attrs['data-state'])).toEqual(regressionReport().steps.map((s) => s.state));
    expect(html).toContain('abalone-1a2b3c4d5e-train');
    expect(html).toContain('Starting → Downloading → Training → Uploading → Completed');
    expect(tags(html, 'tr').filter((t) => t.attrs['data-role']).map((t) => t.attrs['data-role'])).toEqual(['challenger', 'champion']);
    expect(html).toContain('abalone-1a2b3c4d5e-champion');
    // Metrics: a column per model, the gate row with the comparison.
    expect(tags(html, 'table', 'with-champion')).toHaveLength(1);
    expect(html).toContain('Challenger (this run)');
    expect(html).toContain('Champion (abalone v3)');
    const gateRow = tags(html, 'tr', 'gate-row')[0]!;
    expect(gateRow.attrs.class).toContain('pass');
    const row = (metric: string) => html.slice(html.indexOf(`data-metric="${metric}"`), html.indexOf('</tr>', html.indexOf(`data-metric="${metric}"`)));
    expect(row('mse')).toContain('4.812');
    expect(row('mse')).toContain('5.377');
    expect(row('mse')).toContain('≤ 6');
    expect(row('mse')).toContain('✓ vs champion');
    expect(row('r2')).toContain(formatNumber(0.5387));
    expect(row('r2')).toContain(formatNumber(0.4846));
    // The gate's comparison sentence, in the summary card and the evaluation section.
    expect(html).toContain('mse 4.812 (challenger) meets the threshold 6 and is not worse than 5.377 (champion, abalone v3)');
    expect(html).toContain('abalone v3: 5.377 <span class="ok">✓ not worse</span>');
    expect(html).toContain('id="champion-comparison"');
  });

  it('plots both models: two series on the scatter plots, a residual histogram each', () => {
    const report = regressionReport();
    expect(tags(html, 'figure', 'plot-scatter')).toHaveLength(1);
    expect(tags(html, 'figure', 'plot-residuals')).toHaveLength(1);
    expect(tags(html, 'figure', 'plot-histogram').map((t) => t.attrs.class)).toEqual(['plot-histogram plot-challenger', 'plot-histogram plot-champion']);
    // 300 points per model on each of the two scatter plots, in two colours.
    expect(tags(html, 'circle', 'pt').length).toBe(2 * 2 * 300);
    // The champion drawn first, the run's own model on top.
    expect(tags(html, 'g', 'points').map((t) => [t.attrs['data-series'], t.attrs.fill])).toEqual([
      ['champion (abalone v3)', '#f59e0b'],
      ['challenger (abalone v4)', '#2563eb'],
      ['champion (abalone v3)', '#f59e0b'],
      ['challenger (abalone v4)', '#2563eb'],
    ]);
    expect(tags(html, 'g', 'series-legend')).toHaveLength(2);
    // Histograms computed from each model's points when the report carries none.
    const bars = tags(html, 'g', 'bars');
    expect(bars.map((b) => b.attrs.fill)).toEqual(['#6366f1', '#f59e0b']);
    expect(tags(html, 'rect', 'bar').reduce((a, b) => a + Number(b.attrs['data-count']), 0)).toBe(2 * 300);
    expect(report.evaluation!.champion!.sample).toHaveLength(300);
    expect(tags(html, 'figure', 'plot-confusion')).toHaveLength(0);
  });

  it('shows the registered version, its approval and the deploy', () => {
    const card = html.slice(html.indexOf('id="model-summary"'), html.indexOf('id="endpoint-summary"'));
    expect(card).toContain('data-model-version="4"');
    expect(card).toContain('abalone v4');
    expect(tags(card, 'span', 'approval')[0]!.attrs['data-approval']).toBe('Approved');
    expect(card).toContain('arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/4');
    expect(card).toContain('data-deploy-action="updated"');
    expect(card).toContain('mlops-local-abalone-v4');
    expect(card).toContain('was <code>mlops-local-abalone-v3</code>');
    expect(card).toContain('execution:mlops-local-deploy:abalone-1a2b3c4d5e-v4');
    // The endpoint checks and artifacts as before.
    expect(tags(html, 'table', 'endpoint-checks')).toHaveLength(1);
    expect(html).toContain('11.84');
    expect(html).toContain('s3://mlops-models-local/abalone-1a2b3c4d5e/output/model.tar.gz');

    const pending = regressionReport();
    pending.model = { ...pending.model!, approvalStatus: 'PendingManualApproval' };
    delete pending.deployment;
    const page = renderReportHtml(pending);
    expect(tags(page, 'span', 'approval')[0]!.attrs['data-approval']).toBe('PendingManualApproval');
    expect(page).toContain('Awaiting approval: approving this version deploys it.');
  });

  it('shows the challenger alone when the family had no champion, as before the lifecycle', () => {
    const page = renderReportHtml(firstModelReport());
    expect(tags(page, 'table', 'with-champion')).toHaveLength(0);
    expect(page).not.toMatch(/champion \(abalone/i);
    expect(page).toContain('<th class="num">Value</th>');
    expect(page).toContain("none: the family's first model, judged by the threshold alone");
    expect(page).toContain('judged by the threshold alone');
    expect(tags(page, 'figure', 'plot-histogram')).toHaveLength(1);
    expect(tags(page, 'circle', 'pt').length).toBe(2 * 300);
    expect(tags(page, 'g', 'points').map((t) => t.attrs.fill)).toEqual(['#2563eb', '#2563eb']);
    expect(tags(page, 'g', 'series-legend')).toHaveLength(0);
    expect(tags(page, 'tr').filter((t) => t.attrs['data-role'] === 'champion')).toHaveLength(0);
    expect(page).toContain('data-deploy-action="created"');
    // The champion's branch went through NoChampion.
    expect(tags(page, 'g', 'sm-taken').map((t) => t.attrs['data-state'])).toEqual(expect.arrayContaining(['HasChampion', 'NoChampion']));
  });

  it('says which gate rule applied and why: the threshold the stage sets for the family', () => {
    const rule = tags(html, 'dd').filter((t) => t.attrs['data-rule'] !== undefined);
    expect(rule.map((t) => t.attrs['data-rule'])).toEqual(['threshold']);
    expect(html).toContain('<dt>Rule</dt><dd data-rule="threshold"><b>threshold</b>: the stage sets a threshold for family abalone (gateThresholds)</dd>');
    expect(html).not.toContain('<dt>Baseline</dt>');
    expect(html).not.toContain('(baseline)');
  });

  it('shows the baseline a family without a threshold was judged by: what it predicted, its score, the margin', () => {
    const r = firstModelReport();
    r.evaluation!.gate = {
      ...r.evaluation!.gate,
      threshold: 9.18,
      summary: 'mse = 4.812 beats the baseline (predicting the training mean 9.93: mse = 10.2) by 52.8 %, at least 10 % (must be <= 9.18; no threshold for family abalone)',
      rule: {
        kind: 'baseline',
        baseline: { predicts: 'training-mean', prediction: 9.93, trainingRows: 2924, value: 10.2 },
        margin: 0.1,
        marginSource: 'stage',
        reason: "family abalone has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family",
      },
    };
    const page = renderReportHtml(r);
    expect(page).toContain(escapeHtml(r.evaluation!.gate.summary));
    expect(page).toContain(`<dt>Rule</dt><dd data-rule="baseline"><b>baseline</b>: ${escapeHtml("family abalone has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family")}</dd>`);
    expect(page).toContain('<dt>Baseline</dt><dd data-baseline="training-mean">predicting the training mean, 9.93 <span class="muted">(from 2,924 training rows)</span>: mse 10.2; to beat by 10 %</dd>');
    expect(page).toContain('<dt>Must be</dt><dd>≤ 9.18</dd>');
    expect(page).toContain("none: the family's first model, judged by the baseline alone");
    expect(page).toContain("this run's model is judged by the baseline alone");
    expect(page).toContain('<td class="num">≤ 9.18 <span class="muted">(baseline)</span></td>');

    // Classification: the majority class, by its label; the upload's margin is said to be the upload's.
    const c = classificationReport();
    c.evaluation!.gate = {
      ...c.evaluation!.gate,
      rule: { kind: 'baseline', baseline: { predicts: 'majority-class', prediction: 2, label: 'virginica', trainingRows: 105, value: 0.333 }, margin: 0.25, marginSource: 'upload', reason: 'family iris has no threshold' },
    };
    expect(renderReportHtml(c)).toContain(`predicting the majority class, virginica <span class="muted">(from 105 training rows)</span>: accuracy 0.333; to beat by 25 % <span class="muted">(the upload's margin)</span>`);
  });

  it('renders a report written before the rule was recorded as a threshold gate, without a Rule row', () => {
    const r = firstModelReport();
    delete r.evaluation!.gate.rule;
    const page = renderReportHtml(r);
    expect(page).not.toContain('<dt>Rule</dt>');
    expect(page).toContain('judged by the threshold alone');
  });

  it("mirrors mlops_eval's residual bins (prediction − label) into actual − predicted", () => {
    const r = regressionReport();
    r.evaluation!.residualHistogram = [
      { from: -2, to: -1, count: 2 },
      { from: -1, to: 0, count: 6 },
      { from: 0, to: 1, count: 4 },
      { from: 1, to: 2, count: 1 },
    ];
    r.evaluation!.champion!.residualHistogram = [{ from: -3, to: 3, count: 13 }];
    const page = renderReportHtml(r);
    expect(tags(page, 'rect', 'bar').map((b) => Number(b.attrs['data-count']))).toEqual([1, 4, 6, 2, 13]);
  });

  it('draws both confusion matrices and the per-class table for classification, with a failing gate in red', () => {
    const r = classificationReport();
    r.evaluation!.gate = { ...r.evaluation!.gate, threshold: 0.95, passed: false, summary: 'accuracy = 0.913 is below the threshold 0.95 (must be >= 0.95)' };
    const page = renderReportHtml(r);
    expect(tags(page, 'figure', 'plot-confusion').map((t) => t.attrs.class)).toEqual(['plot-confusion plot-challenger', 'plot-confusion plot-champion']);
    const cells = tags(page, 'g', 'cm-cell');
    expect(cells.map((c) => Number(c.attrs['data-count']))).toEqual([8, 0, 0, 0, 6, 1, 0, 1, 7, 8, 0, 0, 0, 5, 2, 0, 2, 6]);
    expect(page).toContain('Confusion matrix — champion (iris v2)');
    expect(page).toContain('>versicolor</text>');
    expect(tags(page, 'table', 'per-class')).toHaveLength(1);
    expect(page).toContain('Champion F1');
    expect(page).toContain('0.857');
    expect(page).toContain('0.714');
    expect(tags(page, 'tr', 'gate-row')[0]!.attrs.class).toContain('fail');
    expect(page).toContain('is below the threshold 0.95');
    expect(page).toContain('✗ differs');
    expect(tags(page, 'figure', 'plot-scatter')).toHaveLength(0);
    // A failed gate registers nothing.
    delete r.model;
    delete r.deployment;
    expect(renderReportHtml(r)).toContain('Not registered: the gate failed; the champion keeps serving.');
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
    expect(tags(page, 'g', 'sm-terminal').map((t) => t.attrs['data-state'])).toEqual(['PipelineFailed']);
    expect(tags(page, 'g', 'sm-node').filter((t) => t.attrs['data-taken'] === 'true').map((t) => t.attrs['data-state'])).toEqual(
      expect.arrayContaining(['TrainingFailed', 'RecordRun', 'Outcome', 'PipelineFailed']),
    );
    expect(tags(page, 'g', 'sm-node').filter((t) => t.attrs['data-taken'] === 'true')).toHaveLength(9);
    expect(page).toContain('Not registered by this run.');
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
