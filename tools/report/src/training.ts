/**
 * The training job as an ML engineer reads it: the hyperparameters it was given, each with where its value
 * came from, and one metric × channel table that puts the training job's final train and validation metrics
 * (SageMaker's FinalMetricDataList, `train:rmse`) beside mlops_eval's test metrics, so over-fitting shows as a
 * gap along a row.
 */
import { escapeHtml as e, formatNumber } from './format';
import type { EvaluationReport, HyperparameterSetting, HyperparameterSource, TrainingSummary } from './types';

const SOURCE_TEXT: Record<HyperparameterSource, string> = {
  run: "this run's override (--hyperparameters, upload metadata mlops-hyperparameters)",
  stage: "the stage's default (serverless.yml params hyperparameters)",
  pipeline: 'set by mlops_train from the problem type',
};

/** The channels in the order data flows through them; any other a metric names goes after them. */
const CHANNEL_ORDER = ['train', 'validation', 'test'];

export interface ChannelMetrics {
  channels: string[];
  /** Metric name → channel → value, metrics in first-seen order (the training job's first, then the evaluation's). */
  rows: Map<string, Map<string, number>>;
}

/**
 * `train:rmse` → channel `train`, metric `rmse` (XGBoost's metric names may hold `@` but not `:`); the test
 * channel's metrics are mlops_eval's. A name without a channel is kept under `training`.
 */
export function metricsByChannel(finalMetrics: TrainingSummary['finalMetrics'], test: Record<string, number> | undefined): ChannelMetrics {
  const rows = new Map<string, Map<string, number>>();
  const seen = new Set<string>();
  const put = (channel: string, metric: string, value: number) => {
    seen.add(channel);
    const row = rows.get(metric) ?? new Map<string, number>();
    row.set(channel, value);
    rows.set(metric, row);
  };
  for (const { name, value } of finalMetrics) {
    const colon = name.indexOf(':');
    if (colon < 0) put('training', name, value);
    else put(name.slice(0, colon), name.slice(colon + 1), value);
  }
  for (const [metric, value] of Object.entries(test ?? {})) put('test', metric, value);
  const rank = (c: string) => (CHANNEL_ORDER.includes(c) ? CHANNEL_ORDER.indexOf(c) : CHANNEL_ORDER.length);
  const channels = [...seen].sort((a, b) => rank(a) - rank(b));
  return { channels, rows };
}

function sourceCell(h: HyperparameterSetting): string {
  if (!h.source) return '<td class="muted">—</td>';
  const replaced = h.stageValue === undefined ? '' : ` <span class="muted">(stage: <code>${e(h.stageValue)}</code>)</span>`;
  return `<td><span class="src src-${h.source}" title="${e(SOURCE_TEXT[h.source])}">${h.source}</span>${replaced}</td>`;
}

function hyperparameterTable(settings: readonly HyperparameterSetting[]): string {
  if (settings.length === 0) return '<p class="muted">The training job was given no hyperparameters (the algorithm\'s defaults).</p>';
  const rows = settings.map((h) => `<tr data-hyperparameter="${e(h.name)}"${h.source ? ` data-source="${h.source}"` : ''}><td><code>${e(h.name)}</code></td><td><code class="wrap">${e(h.value)}</code></td>${sourceCell(h)}</tr>`);
  const sources = new Set(settings.map((h) => h.source).filter((s): s is HyperparameterSource => s !== undefined));
  const legend = [...sources].map((s) => `<span><span class="src src-${s}">${s}</span> ${e(SOURCE_TEXT[s])}</span>`).join('');
  return `<table class="hyperparameters"><thead><tr><th>Name</th><th>Value</th><th>Source</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${legend ? `<div class="legend">${legend}</div>` : ''}<p class="muted" style="font-size:12px">Any other hyperparameter has the algorithm's default.</p>`;
}

function channelTable(metrics: ChannelMetrics, gateMetric: string | undefined): string {
  if (metrics.rows.size === 0) return '<p class="muted">The training job reported no final metrics and there is no evaluation.</p>';
  const head = metrics.channels.map((c) => `<th class="num">${e(c)}</th>`).join('');
  const rows = [...metrics.rows].map(([metric, values]) => {
    const cells = metrics.channels.map((c) => {
      const v = values.get(c);
      return v === undefined ? `<td class="num muted" data-channel="${e(c)}">—</td>` : `<td class="num" data-channel="${e(c)}">${e(formatNumber(v))}</td>`;
    });
    const gate = metric === gateMetric ? ' <span class="muted">(gate)</span>' : '';
    return `<tr data-channel-metric="${e(metric)}"><td><code>${e(metric)}</code>${gate}</td>${cells.join('')}</tr>`;
  });
  return `<table class="channel-metrics"><thead><tr><th>Metric</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="muted" style="font-size:12px">train and validation: the training job's last logged value of each XGBoost eval_metric (FinalMetricDataList); test: mlops_eval's, on the held-out test channel.</p>`;
}

export function trainingSection(training: TrainingSummary | undefined, evaluation: EvaluationReport | undefined): string {
  if (!training) return '';
  const metrics = metricsByChannel(training.finalMetrics, evaluation?.metrics);
  const image = training.image ? `<p class="muted">Algorithm image <code class="wrap">${e(training.image)}</code></p>` : '';
  return `<section id="training"><h2>Training <span class="muted" style="font-weight:400;font-size:13px"><code>${e(training.jobName)}</code></span></h2>${image}
<div class="grid2"><div><h3>Hyperparameters</h3>${hyperparameterTable(training.hyperparameters)}</div>
<div><h3>Metrics by channel</h3>${channelTable(metrics, evaluation?.gate.metric)}</div></div></section>`;
}
