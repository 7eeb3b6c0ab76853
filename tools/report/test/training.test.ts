import { renderReportHtml } from '../src';
import { metricsByChannel } from '../src/training';
import { classificationReport, failedBeforeEvalReport, regressionReport, trainingSummary } from './fixtures';
import { rowCells, section, tags } from './helpers';

describe('hyperparameters', () => {
  const html = section(renderReportHtml(regressionReport()), 'training');

  it('lists every hyperparameter the training job was given, with its value and where it came from', () => {
    const rows = tags(html, 'tr').filter((t) => t.attrs['data-hyperparameter']);
    expect(rows.map((r) => [r.attrs['data-hyperparameter'], r.attrs['data-source']])).toEqual(
      trainingSummary().hyperparameters.map((h) => [h.name, h.source]),
    );
    expect(rowCells(html, 'data-hyperparameter', 'eta')).toEqual(['eta', '0.2', 'stage']);
    expect(rowCells(html, 'data-hyperparameter', 'objective')).toEqual(['objective', 'reg:squarederror', 'stage']);
    expect(html).toContain('<code>mlops-local-abalone-1a2b3c4d5e-train</code>');
    expect(html).toContain('sagemaker-xgboost:1.7-1');
  });

  it("marks the run's overrides, with the stage's value they replaced", () => {
    expect(rowCells(html, 'data-hyperparameter', 'max_depth')).toEqual(['max_depth', '8', 'run (stage: 5)']);
    // The legend explains only the sources that occur.
    expect(html).toContain("this run&#39;s override (--hyperparameters, upload metadata mlops-hyperparameters)");
    expect(html).not.toContain('set by mlops_train from the problem type</span>');
  });

  it('marks what the pipeline set from the problem type (objective over the stage’s, num_class)', () => {
    const page = section(renderReportHtml(classificationReport()), 'training');
    expect(rowCells(page, 'data-hyperparameter', 'objective')).toEqual(['objective', 'multi:softmax', 'pipeline (stage: reg:squarederror)']);
    expect(rowCells(page, 'data-hyperparameter', 'num_class')).toEqual(['num_class', '3', 'pipeline']);
  });

  it('leaves the source out when it is not known, and escapes values', () => {
    const r = regressionReport();
    r.training = { jobName: 'j', hyperparameters: [{ name: 'interaction_constraints', value: '[[0,1],["<b>x</b>"]]' }], finalMetrics: [] };
    const page = section(renderReportHtml(r), 'training');
    expect(rowCells(page, 'data-hyperparameter', 'interaction_constraints')).toEqual(['interaction_constraints', '[[0,1],["<b>x</b>"]]', '—']);
    expect(page).not.toContain('<b>x</b>');
    expect(page).not.toContain('class="legend"');
    r.training.hyperparameters = [];
    expect(renderReportHtml(r)).toContain("The training job was given no hyperparameters (the algorithm's defaults).");
  });

  it('has no training section when the run stopped before its training job was described', () => {
    expect(renderReportHtml(failedBeforeEvalReport())).not.toContain('id="training"');
  });
});

describe('metrics by channel', () => {
  it("splits SageMaker's `<channel>:<metric>` names and adds the evaluation's test metrics", () => {
    const { channels, rows } = metricsByChannel(
      [
        { name: 'validation:rmse', value: 2.2 },
        { name: 'train:rmse', value: 1.7 },
        { name: 'train:ndcg@5', value: 0.9 },
        { name: 'ObjectiveMetric', value: 3 },
      ],
      { rmse: 2.3, r2: 0.5 },
    );
    expect(channels).toEqual(['train', 'validation', 'test', 'training']);
    expect([...rows.keys()]).toEqual(['rmse', 'ndcg@5', 'ObjectiveMetric', 'r2']);
    expect(Object.fromEntries(rows.get('rmse')!)).toEqual({ validation: 2.2, train: 1.7, test: 2.3 });
    expect(Object.fromEntries(rows.get('ndcg@5')!)).toEqual({ train: 0.9 });
    expect(Object.fromEntries(rows.get('ObjectiveMetric')!)).toEqual({ training: 3 });
    expect(metricsByChannel([], undefined)).toEqual({ channels: [], rows: new Map() });
  });

  it('puts train, validation and test side by side in one metric × channel table, the gate metric marked', () => {
    const html = section(renderReportHtml(regressionReport()), 'training');
    const table = html.slice(html.indexOf('<table class="channel-metrics"'));
    expect([...table.slice(0, table.indexOf('</thead>')).matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(['Metric', 'train', 'validation', 'test']);
    expect(rowCells(table, 'data-channel-metric', 'rmse')).toEqual(['rmse', '1.703', '2.157', '2.194']);
    expect(rowCells(table, 'data-channel-metric', 'mse')).toEqual(['mse (gate)', '—', '—', '4.812']);
    expect(rowCells(table, 'data-channel-metric', 'r2')).toEqual(['r2', '—', '—', '0.5387']);
    expect(tags(table, 'td').filter((t) => t.attrs['data-channel'] === 'validation' && !t.raw.includes('muted'))).toHaveLength(1);
  });

  it("shows a classification's XGBoost losses per channel next to the evaluation's scores", () => {
    const html = section(renderReportHtml(classificationReport()), 'training');
    expect(rowCells(html, 'data-channel-metric', 'mlogloss')).toEqual(['mlogloss', '0.0623', '0.1875', '—']);
    expect(rowCells(html, 'data-channel-metric', 'merror')).toEqual(['merror', '0', '0.0455', '—']);
    expect(rowCells(html, 'data-channel-metric', 'accuracy')).toEqual(['accuracy (gate)', '—', '—', '0.913']);
  });

  it('shows the training channels alone when the run has no evaluation', () => {
    const r = failedBeforeEvalReport();
    r.training = { ...trainingSummary(), finalMetrics: [{ name: 'train:rmse', value: 1.5 }] };
    const html = section(renderReportHtml(r), 'training');
    expect(rowCells(html, 'data-channel-metric', 'rmse')).toEqual(['rmse', '1.5']);
    r.training.finalMetrics = [];
    expect(renderReportHtml(r)).toContain('The training job reported no final metrics and there is no evaluation.');
  });
});
