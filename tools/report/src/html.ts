/**
 * The run report as one self-contained HTML page: inline CSS and inline SVG only — no scripts, no fonts, no
 * images, no links to anything — so it opens offline from S3, a CI artifact or a laptop. Every piece of run data
 * is escaped (names, causes, labels and URIs can come from users).
 */
import type { HistogramBin } from '@mlops/common';
import type { EvaluationReport, Histogram, JobSummary, RunReport, StepTiming } from './types';
import {
  CHALLENGER_STYLE,
  CHAMPION_STYLE,
  confusionMatrixSvg,
  histogramSvg,
  jobTimelineSvg,
  predictedVsActualModelsSvg,
  residualHistogram,
  residualsVsPredictedModelsSvg,
  statusColor,
  type ModelSample,
  type SeriesStyle,
} from './charts';
import { encodedFeatureNames, featuresSection } from './features';
import { escapeHtml as e, formatDuration, formatInt, formatNumber, formatPercent, formatTimestamp } from './format';
import { wideRow } from './rows';
import { renderStateMachineSvg, STATE_TYPE_STYLES, typeStyle } from './state-machine';
import { trainingSection } from './training';

const STATUS_STYLE: Record<RunReport['execution']['status'], { bg: string; fg: string; label: string }> = {
  SUCCEEDED: { bg: '#16a34a', fg: '#fff', label: 'Succeeded' },
  FAILED: { bg: '#dc2626', fg: '#fff', label: 'Failed' },
  TIMED_OUT: { bg: '#ea580c', fg: '#fff', label: 'Timed out' },
  ABORTED: { bg: '#64748b', fg: '#fff', label: 'Aborted' },
  RUNNING: { bg: '#2563eb', fg: '#fff', label: 'Running' },
};

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px 24px 40px}
h1{font-size:22px;margin:0;line-height:1.25;word-break:break-word}
h2{font-size:16px;margin:0 0 12px;display:flex;align-items:center;gap:10px}
h3{font-size:13px;margin:0 0 8px;color:#334155;text-transform:uppercase;letter-spacing:.05em}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
section,.card{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(15,23,42,.04)}
header.run{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:20px;margin-bottom:18px;border-top:6px solid var(--status)}
.title-row{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.badge{display:inline-block;padding:3px 10px;border-radius:999px;font-weight:700;font-size:12px;letter-spacing:.04em;text-transform:uppercase;white-space:nowrap}
.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px 24px;margin-top:16px}
.meta div{min-width:0}
.meta div.wide{grid-column:span 2}
.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#64748b}
.meta dd{margin:2px 0 0;font-weight:600;word-break:break-all}
.meta dd.big{font-size:20px;font-weight:700}
.meta dd small{font-weight:400;color:#64748b;font-size:11.5px;display:block;word-break:normal}
.alert{border:1px solid #fecaca;background:#fef2f2;border-left:6px solid #dc2626;border-radius:10px;padding:16px 20px;margin:0 0 18px}
.alert h2{color:#991b1b;margin-bottom:6px}
.alert .error-name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:700;color:#991b1b;font-size:15px}
.alert pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #fecaca;border-radius:6px;padding:10px 12px;margin:8px 0 0;font-size:12.5px;max-height:320px;overflow:auto}
.alert.warn{border-color:#fed7aa;background:#fff7ed;border-left-color:#ea580c}
.alert.warn h2{color:#9a3412}
.grid3{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:18px;margin-bottom:18px}
.grid3>.card{margin:0}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:5px 14px;margin:0}
.kv dt{color:#64748b}
.kv dd{margin:0;font-weight:600;word-break:break-all}
.split-bar{display:flex;height:10px;border-radius:5px;overflow:hidden;margin:10px 0 4px;background:#e2e8f0}
.split-legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:#475569}
.dot{display:inline-block;width:10px;height:10px;border-radius:3px;vertical-align:-1px;margin-right:5px}
.chip{display:inline-block;border:1px solid #cbd5e1;border-radius:999px;padding:0 8px;margin:2px 4px 2px 0;font-size:12px;background:#f8fafc}
.gate{border-radius:8px;padding:12px 14px;font-weight:600}
.gate.pass{background:#f0fdf4;border:1px solid #bbf7d0;color:#166534}
.gate.fail{background:#fef2f2;border:1px solid #fecaca;color:#991b1b}
.gate .verdict{font-size:22px;font-weight:800;letter-spacing:.03em;display:block}
.muted{color:#64748b}
.sm-layout{display:grid;grid-template-columns:1fr;gap:22px;align-items:start}
.sm-figure{margin:0;overflow-x:auto}
.sm-figure svg{display:block;max-width:100%;height:auto;margin:0 auto}
.sm-figure .legend{justify-content:center}
.model-head{display:inline-flex;align-items:center;gap:5px}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:12px;color:#475569;margin:10px 0 0}
.legend span{display:inline-flex;align-items:center;gap:5px}
.legend i{display:inline-block;width:16px;height:11px;border:2px solid;border-radius:3px}
.legend b{display:inline-block;width:22px;border-top:2.6px solid #1e293b}
.legend b.thin{border-top:1.2px solid #a3adbb}
.legend b.catch{border-top:1.4px dashed #e8a5a5}
table{border-collapse:collapse;width:100%;font-size:13px}
th{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#64748b;text-align:left;font-weight:600;border-bottom:1px solid #cbd5e1;padding:6px 8px;white-space:nowrap}
td{border-bottom:1px solid #eef2f6;padding:6px 8px;vertical-align:middle}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.untaken td{color:#94a3b8}
.share{display:flex;align-items:center;gap:6px;min-width:84px}
td .type{color:#94a3b8;font-size:11px;margin-left:6px}
table.steps td{padding:5px 6px}
table.steps td:first-child{white-space:nowrap}
.share .bar{flex:1;height:8px;background:#eef2f6;border-radius:4px;overflow:hidden}
.share .bar span{display:block;height:100%;border-radius:4px}
.share em{font-style:normal;font-size:11px;color:#475569;width:38px;text-align:right;font-variant-numeric:tabular-nums}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-size:11.5px;font-weight:700;color:#fff;white-space:nowrap}
tr.gate-row.pass td{background:#f0fdf4}
tr.gate-row.fail td{background:#fef2f2}
.ok{color:#15803d;font-weight:700}
.bad{color:#b91c1c;font-weight:700}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:16px;margin-top:16px}
.plots figure{margin:0;border:1px solid #e2e8f0;border-radius:8px;padding:10px 10px 6px;background:#fff;min-width:0}
.plots figure svg{display:block;width:100%;height:auto;max-width:520px;margin:0 auto}
.plots figure.plot-confusion svg{width:auto;max-width:100%}
table.metrics{max-width:760px}
.per-class-wrap{grid-column:span 2;min-width:0}
@media (max-width:800px){.per-class-wrap{grid-column:auto}}
.plots figcaption{font-weight:700;font-size:13px;margin:0 0 4px 4px}
.plots figcaption i.dot{vertical-align:0}
.plots figcaption small{display:block;font-weight:400;color:#64748b;font-size:11.5px}
.wrap{word-break:break-all}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:18px}
.grid2>div{min-width:0}
.vscroll{max-height:540px;overflow:auto;border:1px solid #e2e8f0;border-radius:6px}
.vscroll thead th{position:sticky;top:0;background:#fff;z-index:1}
.hscroll{overflow-x:auto;max-width:100%;border:1px solid #e2e8f0;border-radius:6px;margin:6px 0}
table.endpoint-checks td.request-line{max-width:0;width:100%}
table.wide-row{width:auto}
table.wide-row th,table.wide-row td{white-space:nowrap;text-transform:none;letter-spacing:0}
td.encoding{min-width:220px}
.row-values{display:flex;flex-wrap:wrap;gap:4px 6px;align-items:baseline}
.kvp{display:inline-flex;gap:5px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;background:#f8fafc;border:1px solid #e2e8f0;border-radius:4px;padding:0 5px}
.kvp i{font-style:normal;color:#64748b}
details.row-more{flex-basis:100%;min-width:0}
details.more{display:inline}
summary{cursor:pointer;color:#1d4ed8;font-size:12px}
.raw{font-size:12px;margin-top:4px}
pre.feature-order{white-space:pre-wrap;word-break:break-all;max-height:160px;overflow:auto;background:#f8fafc;border:1px solid #e2e8f0;border-radius:6px;padding:8px 10px;margin:6px 0 0;font-size:12px}
.chip.out{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px}
.role,.src{display:inline-block;border-radius:4px;padding:0 6px;font-size:11.5px;font-weight:700}
.role-label{background:#fef3c7;color:#92400e}
.role-feature{background:#e0f2fe;color:#075985}
.role-dropped{background:#f1f5f9;color:#64748b}
tr.dropped td{color:#94a3b8}
.src-run{background:#dbeafe;color:#1e40af}
.src-stage{background:#f1f5f9;color:#334155}
.src-pipeline{background:#ede9fe;color:#5b21b6}
footer{color:#64748b;font-size:12px;text-align:center;margin-top:10px}
@media print{body{background:#fff}section,.card,header.run{box-shadow:none;break-inside:avoid}}
`;

function statusPill(status: string): string {
  return `<span class="pill" style="background:${statusColor(status)}">${e(status)}</span>`;
}

function header(report: RunReport): string {
  const x = report.execution;
  const st = STATUS_STYLE[x.status] ?? STATUS_STYLE.RUNNING;
  const last = report.path[report.path.length - 1];
  const lastType = last ? report.definition.States[last]?.Type : undefined;
  const items: [string, string, string?][] = [
    ['Execution', `<span class="mono">${e(x.name)}</span>`],
    ['Wall time', formatDuration(x.wallSeconds), 'big'],
    [
      'Virtual time',
      x.virtualSeconds === undefined ? '—' : `${formatDuration(x.virtualSeconds)}<small>in the state machine's time (waits on the scaled clock)</small>`,
      'big',
    ],
    ['States entered', `${formatInt(report.path.length)}${last ? `<small>ended in ${e(last)}${lastType ? ` (${e(lastType)})` : ''}</small>` : ''}`, 'big'],
    ['Started', e(formatTimestamp(x.startedAt))],
    ['Stopped', e(formatTimestamp(x.stoppedAt))],
    ['Execution ARN', `<span class="mono">${e(x.arn)}</span>`],
  ];
  return `<header class="run" style="--status:${st.bg}">
<div class="title-row"><span class="badge status-badge" data-status="${e(x.status)}" style="background:${st.bg};color:${st.fg}">${e(st.label)}</span><h1>${e(report.title)}</h1></div>
<dl class="meta">${items.map(([k, v, cls]) => `<div${k === 'Execution ARN' ? ' class="wide"' : ''}><dt>${e(k)}</dt><dd${cls ? ` class="${cls}"` : ''}>${v}</dd></div>`).join('')}</dl>
</header>`;
}

function errorBox(report: RunReport): string {
  const x = report.execution;
  if (!x.error && !x.cause && (x.status === 'SUCCEEDED' || x.status === 'RUNNING')) return '';
  const warn = x.status === 'ABORTED';
  const heading = x.status === 'TIMED_OUT' ? 'The execution timed out' : x.status === 'ABORTED' ? 'The execution was aborted' : x.status === 'FAILED' ? 'The execution failed' : 'Error';
  return `<div class="alert${warn ? ' warn' : ''}" role="alert" id="error">
<h2>${e(heading)}</h2>
${x.error ? `<div>Error: <span class="error-name">${e(x.error)}</span></div>` : ''}
${x.cause ? `<pre class="cause">${e(x.cause)}</pre>` : ''}
</div>`;
}

function datasetCard(report: RunReport): string {
  const d = report.dataset;
  const total = d.rows.train + d.rows.validation + d.rows.test;
  const parts: [string, number, string][] = [
    ['train', d.rows.train, '#2563eb'],
    ['validation', d.rows.validation, '#7c3aed'],
    ['test', d.rows.test, '#0d9488'],
  ];
  const classes = d.classes && d.classes.length > 0 ? `<dt>Classes</dt><dd>${d.classes.map((c) => `<span class="chip">${e(c)}</span>`).join('')}</dd>` : '';
  return `<div class="card" id="dataset"><h3>Dataset</h3>
<dl class="kv"><dt>Source</dt><dd><code class="wrap">${e(d.source)}</code></dd>
<dt>Problem</dt><dd>${e(d.problemType)}</dd>
<dt>Target</dt><dd><code>${e(d.target)}</code></dd>
<dt>Features</dt><dd>${formatInt(d.featureCount)}</dd>
<dt>Rows</dt><dd>${formatInt(total)}</dd>${classes}</dl>
<div class="split-bar">${parts.map(([, v, c]) => (total > 0 && v > 0 ? `<span style="width:${((v / total) * 100).toFixed(2)}%;background:${c}"></span>` : '')).join('')}</div>
<div class="split-legend">${parts.map(([k, v, c]) => `<span><i class="dot" style="background:${c}"></i>${e(k)} ${formatInt(v)}${total > 0 ? ` <span class="muted">(${formatPercent(v / total)})</span>` : ''}</span>`).join('')}</div>
</div>`;
}

function gateCard(report: RunReport): string {
  const ev = report.evaluation;
  if (!ev) {
    return `<div class="card" id="gate-summary"><h3>Quality gate</h3><p class="muted">No evaluation: the run ${report.execution.status === 'RUNNING' ? 'has not reached' : 'stopped before'} the evaluation step.</p></div>`;
  }
  const g = ev.gate;
  const vs = g.champion;
  const champion = vs
    ? `<dt>Champion</dt><dd>${e(vs.label)}: ${e(formatNumber(vs.value))} <span class="${vs.passed ? 'ok' : 'bad'}">${vs.passed ? '✓ not worse' : '✗ worse'}</span>${vs.tolerance > 0 ? ` <span class="muted">(tolerance ${e(formatNumber(vs.tolerance))})</span>` : ''}</dd>`
    : `<dt>Champion</dt><dd class="muted">none: the family's first model, judged by the ${ruleName(g)} alone</dd>`;
  return `<div class="card" id="gate-summary"><h3>Quality gate</h3>
<div class="gate ${g.passed ? 'pass' : 'fail'}" data-passed="${g.passed}"><span class="verdict">${g.passed ? 'PASSED' : 'FAILED'}</span>${e(g.summary)}</div>
<dl class="kv" style="margin-top:10px"><dt>Metric</dt><dd>${e(g.metric)}</dd><dt>Challenger</dt><dd>${e(formatNumber(g.value))}</dd>${ruleRows(g)}<dt>Must be</dt><dd>${g.direction === 'lte' ? '≤' : '≥'} ${e(formatNumber(g.threshold))}</dd>${champion}</dl>
</div>`;
}

/** `threshold`, or `baseline` (reports written before the rule was recorded applied a threshold). */
function ruleName(g: EvaluationReport['gate']): string {
  return g.rule?.kind === 'baseline' ? 'baseline' : 'threshold';
}

/** Which rule the gate applied and why; for the baseline rule, what the baseline predicted, its score and the margin. */
function ruleRows(g: EvaluationReport['gate']): string {
  const rule = g.rule;
  if (!rule) return '';
  const why = `<dt>Rule</dt><dd data-rule="${rule.kind}"><b>${rule.kind}</b>: ${e(rule.reason)}</dd>`;
  if (rule.kind === 'threshold') return why;
  const b = rule.baseline;
  const predicts = b.predicts === 'training-mean' ? `the training mean, ${formatNumber(b.prediction)}` : `the majority class, ${b.label ?? formatNumber(b.prediction)}`;
  return `${why}<dt>Baseline</dt><dd data-baseline="${e(b.predicts)}">predicting ${e(predicts)} <span class="muted">(from ${formatInt(b.trainingRows)} training rows)</span>: ${e(g.metric)} ${e(formatNumber(b.value))}; to beat by ${e(formatNumber(rule.margin * 100))} %${rule.marginSource === 'upload' ? ' <span class="muted">(the upload\'s margin)</span>' : ''}</dd>`;
}

const APPROVAL_COLORS: Record<string, string> = { Approved: '#16a34a', PendingManualApproval: '#d97706', Rejected: '#dc2626' };

/** The registered version, its approval, and the deploy of it (the deploy state machine's output). */
function modelCard(report: RunReport): string {
  const m = report.model;
  const d = report.deployment;
  const rows: string[] = [];
  if (m) {
    rows.push(`<dt>Version</dt><dd data-model-version="${m.version}">${e(m.label)}</dd>`);
    rows.push(`<dt>Approval</dt><dd><span class="pill approval" data-approval="${e(m.approvalStatus)}" style="background:${APPROVAL_COLORS[m.approvalStatus] ?? '#64748b'}">${e(m.approvalStatus)}</span></dd>`);
    rows.push(`<dt>Package</dt><dd><code class="wrap">${e(m.arn)}</code></dd>`);
  }
  if (d) {
    rows.push(`<dt>Deploy</dt><dd data-deploy-action="${e(d.action ?? '')}">${e(d.model)} ${e(d.action ?? 'deployed to')} <code>${e(d.endpointName)}</code>${d.status ? ` ${statusPill(d.status)}` : ''}</dd>`);
    rows.push(`<dt>Config</dt><dd><code class="wrap">${e(d.endpointConfigName)}</code>${d.previousConfigName ? `<small class="muted" style="display:block">was <code>${e(d.previousConfigName)}</code></small>` : ''}</dd>`);
    if (d.executionArn) rows.push(`<dt>Execution</dt><dd><code class="wrap">${e(d.executionArn)}</code></dd>`);
  }
  let note = '';
  if (!m) note = report.evaluation && !report.evaluation.gate.passed ? 'Not registered: the gate failed; the champion keeps serving.' : 'Not registered by this run.';
  else if (!d && m.approvalStatus === 'PendingManualApproval') note = 'Awaiting approval: approving this version deploys it.';
  else if (!d) note = 'Not deployed by this run.';
  return `<div class="card" id="model-summary"><h3>Model</h3>${rows.length > 0 ? `<dl class="kv">${rows.join('')}</dl>` : ''}${note ? `<p class="muted">${e(note)}</p>` : ''}</div>`;
}

function endpointCard(report: RunReport): string {
  const ep = report.endpoint;
  const deployJob = report.jobs.find((j) => j.kind === 'endpoint');
  if (!ep) {
    return `<div class="card" id="endpoint-summary"><h3>Endpoint</h3><p class="muted">Not deployed by this run.</p>${deployJob ? `<p>Endpoint job ${e(deployJob.name)}: ${statusPill(deployJob.status)}</p>` : ''}</div>`;
  }
  return `<div class="card" id="endpoint-summary"><h3>Endpoint</h3>
<dl class="kv"><dt>Name</dt><dd><code>${e(ep.name)}</code></dd>${ep.configName ? `<dt>Config</dt><dd><code>${e(ep.configName)}</code></dd>` : ''}
${deployJob ? `<dt>Status</dt><dd>${statusPill(deployJob.status)}</dd>` : ''}
<dt>Checks</dt><dd>${formatInt(ep.checks.length)} live prediction${ep.checks.length === 1 ? '' : 's'}</dd></dl></div>`;
}

function legend(): string {
  const types = ['Task', 'Choice', 'Wait', 'Pass', 'Parallel', 'Succeed', 'Fail'];
  return `<div class="legend">${types
    .map((t) => {
      const s = STATE_TYPE_STYLES[t]!;
      return `<span><i style="border-color:${s.stroke};background:${s.fill};border-radius:${t === 'Wait' || t === 'Succeed' ? '6px' : '3px'}"></i>${t}</span>`;
    })
    .join('')}<span><b></b>taken</span><span><b class="thin"></b>not taken</span><span><b class="catch"></b>Catch</span><span><i style="border-color:#cbd5e1;background:#fff"></i>not entered</span><span class="muted">×N = times entered</span></div>`;
}

function stepTable(report: RunReport): string {
  if (report.steps.length === 0) return '<p class="muted">No step timings recorded.</p>';
  const total = report.steps.reduce((a, s) => a + Math.max(0, s.totalMs), 0);
  const rows = report.steps.map((s: StepTiming) => {
    const color = typeStyle(s.type).stroke;
    const share = total > 0 ? Math.max(0, s.totalMs) / total : 0;
    return `<tr data-state="${e(s.state)}"><td title="${e(s.type)}"><i class="dot" style="background:${color}"></i>${e(s.state)}<span class="type">${e(s.type)}</span></td><td class="num">${formatInt(s.entries)}</td><td class="num">${e(formatDuration(s.totalMs / 1000))}</td><td><div class="share"><div class="bar"><span style="width:${(share * 100).toFixed(2)}%;background:${color}"></span></div><em>${formatPercent(share)}</em></div></td></tr>`;
  });
  return `<table class="steps"><thead><tr><th>State</th><th class="num">Entries</th><th class="num">Total</th><th>Share</th></tr></thead><tbody>${rows.join('')}</tbody>
<tfoot><tr><td colspan="2"><b>Total</b></td><td class="num"><b>${e(formatDuration(total / 1000))}</b></td><td></td></tr></tfoot></table>`;
}

function jobsSection(jobs: JobSummary[]): string {
  if (jobs.length === 0) return `<section id="jobs"><h2>SageMaker jobs</h2><p class="muted">No SageMaker job was started.</p></section>`;
  const rows = jobs.map((j) => {
    const timeline = j.transitions && j.transitions.length > 0 ? jobTimelineSvg(j.transitions) : '';
    const trail = (j.transitions ?? []).map((t) => e(t.status)).join(' → ');
    const messages = (j.transitions ?? []).filter((t) => t.message).map((t) => `<div class="muted">${e(t.status)}: ${e(t.message)}</div>`).join('');
    return `<tr${j.role ? ` data-role="${j.role}"` : ''}><td>${e(j.kind)}${j.role ? ` <span class="muted">(${e(j.role)})</span>` : ''}</td><td><code class="wrap">${e(j.name)}</code></td><td>${statusPill(j.status)}</td><td class="num">${formatInt(j.polls)}</td><td class="num">${e(formatDuration(j.seconds))}</td><td>${timeline}<div class="muted" style="font-size:11.5px">${trail}</div>${messages}</td></tr>`;
  });
  return `<section id="jobs"><h2>SageMaker jobs</h2><table class="jobs"><thead><tr><th>Kind</th><th>Name</th><th>Status</th><th class="num">Polls</th><th class="num">Duration</th><th>Status transitions</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function metricsTable(ev: EvaluationReport): string {
  const g = ev.gate;
  const champion = ev.champion;
  const names = Object.keys(ev.metrics);
  for (const name of Object.keys(champion?.metrics ?? {})) if (!names.includes(name)) names.push(name);
  if (!names.includes(g.metric)) names.unshift(g.metric);
  const value = (metrics: Record<string, number> | undefined, name: string) => metrics?.[name];
  const cell = (v: number | undefined, bold = false) => (v === undefined ? '<td class="num muted">—</td>' : `<td class="num">${bold ? '<b>' : ''}${e(formatNumber(v))}${bold ? '</b>' : ''}</td>`);
  const rows = names.map((name) => {
    const mine = name === g.metric && ev.metrics[name] === undefined ? g.value : value(ev.metrics, name);
    const theirs = name === g.metric && champion && champion.metrics[name] === undefined ? g.champion?.value : value(champion?.metrics, name);
    const championCell = champion ? cell(theirs) : '';
    if (name !== g.metric) return `<tr data-metric="${e(name)}"><td><code>${e(name)}</code></td>${cell(mine)}${championCell}<td class="num muted">—</td><td class="muted">—</td></tr>`;
    const vs = g.champion ? `<div class="${g.champion.passed ? 'ok' : 'bad'}" style="font-weight:400">${g.champion.passed ? '✓' : '✗'} vs champion${g.champion.tolerance > 0 ? ` (± ${e(formatNumber(g.champion.tolerance))})` : ''}</div>` : '';
    return `<tr class="gate-row ${g.passed ? 'pass' : 'fail'}" data-gate="true" data-metric="${e(name)}"><td><code>${e(name)}</code> <span class="muted">(gate)</span></td>${cell(mine, true)}${championCell}<td class="num">${g.direction === 'lte' ? '≤' : '≥'} ${e(formatNumber(g.threshold))}${g.rule?.kind === 'baseline' ? ' <span class="muted">(baseline)</span>' : ''}</td><td class="${g.passed ? 'ok' : 'bad'}">${g.passed ? '✓ pass' : '✗ fail'}${vs}</td></tr>`;
  });
  const head = (label: string, style: SeriesStyle['fill']) => `<span class="model-head"><i class="dot" style="background:${style}"></i>${e(label)}</span>`;
  const championHead = champion ? `<th class="num champion">${head(`Champion (${champion.label})`, CHAMPION_STYLE.fill)}</th>` : '';
  return `<table class="metrics${champion ? ' with-champion' : ''}"><thead><tr><th>Metric</th><th class="num">${champion ? head('Challenger (this run)', CHALLENGER_STYLE.fill) : 'Value'}</th>${championHead}<th class="num">Threshold</th><th>Result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function figure(caption: string, note: string, svg: string, cls: string): string {
  return `<figure class="${cls}"><figcaption>${e(caption)}${note ? `<small>${e(note)}</small>` : ''}</figcaption>${svg}</figure>`;
}

/** mlops_eval bins prediction − label; the page shows actual − predicted, so the bins mirror. */
function actualMinusPredicted(bins: readonly HistogramBin[]): Histogram {
  return { binEdges: [...bins.map((b) => -b.to).reverse(), -bins[0]!.from], counts: bins.map((b) => b.count).reverse() };
}

interface ModelView {
  role: 'challenger' | 'champion';
  style: SeriesStyle;
  sample: EvaluationReport['sample'];
  residualHistogram?: EvaluationReport['residualHistogram'];
  confusionMatrix?: EvaluationReport['confusionMatrix'];
}

/** The models the evaluation scored on the same rows: the challenger, and the champion when the family had one. */
function modelsOf(ev: EvaluationReport, model: RunReport['model']): ModelView[] {
  const models: ModelView[] = [
    { role: 'challenger', style: { label: ev.champion ? `challenger${model ? ` (${model.label})` : ' (this run)'}` : 'this run', ...CHALLENGER_STYLE }, sample: ev.sample, residualHistogram: ev.residualHistogram, confusionMatrix: ev.confusionMatrix },
  ];
  if (ev.champion) {
    const c = ev.champion;
    models.push({ role: 'champion', style: { label: `champion (${c.label})`, ...CHAMPION_STYLE }, sample: c.sample, residualHistogram: c.residualHistogram, confusionMatrix: c.confusionMatrix });
  }
  return models;
}

function evaluationSection(report: RunReport): string {
  const ev = report.evaluation;
  if (!ev) return '';
  const g = ev.gate;
  const plots: string[] = [];
  const models = modelsOf(ev, report.model);
  const both = models.length > 1;
  const withPoints = models.filter((m) => m.sample.length > 0);
  const isRegression = ev.problemType === 'regression';
  const whose = (m: ModelView) => (both ? ` — ${m.style.label}` : '');
  if (isRegression) {
    const samples: ModelSample[] = withPoints.map((m) => ({ style: m.style, points: m.sample }));
    const rows = withPoints.map((m) => formatInt(m.sample.length)).join(' + ');
    if (samples.length > 0) {
      plots.push(figure('Predicted vs actual', `${rows} sampled test rows${both ? ', the same rows for both models' : ''}; on the dashed line the prediction is exact`, predictedVsActualModelsSvg(samples), 'plot-scatter'));
    }
    for (const m of models) {
      const hist = m.residualHistogram?.length ? actualMinusPredicted(m.residualHistogram) : m.sample.length > 0 ? residualHistogram(m.sample) : undefined;
      const style = m.role === 'champion' ? { fill: CHAMPION_STYLE.fill, stroke: CHAMPION_STYLE.stroke } : {};
      if (hist) plots.push(figure(`Residuals${whose(m)}`, 'actual − predicted; dashed line at 0', histogramSvg(hist, { xLabel: 'Residual (actual − predicted)', referenceX: 0, ...style }), `plot-histogram plot-${m.role}`));
    }
    if (samples.length > 0) plots.push(figure('Residuals vs predicted', 'a trend or funnel here means systematic error', residualsVsPredictedModelsSvg(samples), 'plot-residuals'));
  }
  for (const m of models) {
    const cm = m.confusionMatrix;
    if (!cm || cm.matrix.length === 0) continue;
    const classes = cm.labels.length > 0 ? cm.labels : (report.dataset.classes ?? []);
    plots.push(figure(`Confusion matrix${whose(m)}`, 'rows: actual class, columns: predicted; colour = share of the actual class (blue correct, red confused)', confusionMatrixSvg(cm.matrix, classes), `plot-confusion plot-${m.role}`));
  }
  let perClass = '';
  if (ev.perClass && ev.perClass.length > 0) {
    const theirs = new Map((ev.champion?.perClass ?? []).map((c) => [c.label, c]));
    const championHead = theirs.size > 0 ? '<th class="num">Champion F1</th>' : '';
    perClass = `<div class="per-class-wrap"><h3>Per class${both ? ' (challenger)' : ''}</h3><table class="per-class"><thead><tr><th>Class</th><th class="num">Support</th><th class="num">Precision</th><th class="num">Recall</th><th class="num">F1</th>${championHead}<th></th></tr></thead><tbody>${ev.perClass
      .map((c) => {
        const other = theirs.get(c.label);
        const championCell = theirs.size > 0 ? `<td class="num">${other ? e(formatNumber(other.f1, 3)) : '—'}</td>` : '';
        return `<tr><td>${e(c.label)}</td><td class="num">${formatInt(c.support)}</td><td class="num">${e(formatNumber(c.precision, 3))}</td><td class="num">${e(formatNumber(c.recall, 3))}</td><td class="num">${e(formatNumber(c.f1, 3))}</td>${championCell}<td><div class="share"><div class="bar"><span style="width:${(Math.max(0, Math.min(1, c.f1)) * 100).toFixed(1)}%;background:#2563eb"></span></div></div></td></tr>`;
      })
      .join('')}</tbody></table></div>`;
  }
  const comparison = ev.champion
    ? `<p class="muted" id="champion-comparison">Both models scored on the same ${formatInt(ev.rows)} test rows: this run's model (the challenger) and the family's live model, <b>${e(ev.champion.label)}</b> (the champion).</p>`
    : `<p class="muted" id="champion-comparison">The family had no live model: this run's model is judged by the ${ruleName(g)} alone.</p>`;
  return `<section id="evaluation"><h2>Evaluation <span class="pill" style="background:${g.passed ? '#16a34a' : '#dc2626'}">${g.passed ? 'gate passed' : 'gate failed'}</span></h2>
<div class="gate ${g.passed ? 'pass' : 'fail'}" style="margin-bottom:14px">${e(g.summary)}</div>
${comparison}
${metricsTable(ev)}
${plots.length > 0 || perClass ? `<div class="plots">${plots.join('')}${perClass}</div>` : ''}
</section>`;
}

function endpointSection(report: RunReport): string {
  const ep = report.endpoint;
  if (!ep || ep.checks.length === 0) return '';
  // The request line's values named by the encoded feature order; a wide row shows its first values, the rest on demand.
  const names = report.schema ? encodedFeatureNames(report.schema) : undefined;
  const rows = ep.checks.map((c) => {
    const a = Number(c.actual);
    const p = Number(c.predicted);
    const numeric = c.actual.trim() !== '' && c.predicted.trim() !== '' && Number.isFinite(a) && Number.isFinite(p);
    const verdict =
      report.dataset.problemType === 'classification' || !numeric
        ? c.actual.trim() === c.predicted.trim()
          ? '<span class="ok">✓ match</span>'
          : '<span class="bad">✗ differs</span>'
        : `${e(formatNumber(Math.abs(a - p), 3))}`;
    const values = c.features === '' ? [] : c.features.split(',');
    // max-width:0 (CSS) gives the row the width the other cells leave; a wide row scrolls inside it instead of widening the page.
    return `<tr><td class="request-line">${wideRow(names, values, { raw: c.features })}</td><td class="num">${e(c.actual)}</td><td class="num">${e(c.predicted)}</td><td class="num">${verdict}</td></tr>`;
  });
  const lastHead = report.dataset.problemType === 'classification' ? 'Match' : '|Error|';
  return `<section id="endpoint"><h2>Endpoint checks <span class="muted" style="font-weight:400;font-size:13px">live predictions from <code>${e(ep.name)}</code></span></h2>
<table class="endpoint-checks"><thead><tr><th>Features <span class="muted" style="text-transform:none;letter-spacing:0;font-weight:400">the request line, encoded</span></th><th class="num">Actual</th><th class="num">Predicted</th><th class="num">${lastHead}</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function artifactsSection(report: RunReport): string {
  const entries = Object.entries(report.artifacts ?? {});
  if (entries.length === 0) return '';
  // Shown as text, never as links: the page must not point anywhere.
  return `<section id="artifacts"><h2>Artifacts</h2><dl class="kv">${entries.map(([k, v]) => `<dt>${e(k)}</dt><dd><code class="wrap">${e(v)}</code></dd>`).join('')}</dl></section>`;
}

/** Inline SVG in HTML needs no namespace declaration; dropping it keeps the page free of any URL. */
function inline(svg: string): string {
  return svg.replaceAll(' xmlns="http://www.w3.org/2000/svg"', '');
}

export function renderReportHtml(report: RunReport): string {
  const entries: Record<string, number> = {};
  for (const s of report.path) entries[s] = (entries[s] ?? 0) + 1;
  const smSvg = renderStateMachineSvg(report.definition, report.path, { idPrefix: 'sm', entries });
  const body = [
    header(report),
    errorBox(report),
    `<div class="grid3">${datasetCard(report)}${gateCard(report)}${modelCard(report)}${endpointCard(report)}</div>`,
    `<section id="state-machine"><h2>State machine <span class="muted" style="font-weight:400;font-size:13px">the definition, with this execution's path in bold</span></h2>
<div class="sm-layout"><figure class="sm-figure">${smSvg}${legend()}</figure>
<div><h3>Time per state</h3>${stepTable(report)}</div></div></section>`,
    jobsSection(report.jobs),
    featuresSection(report.schema),
    trainingSection(report.training, report.evaluation),
    evaluationSection(report),
    endpointSection(report),
    artifactsSection(report),
    `<footer>Generated ${e(formatTimestamp(report.generatedAt))} · ${e(report.execution.name)}</footer>`,
  ]
    .filter(Boolean)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(report.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${inline(body)}
</main>
</body>
</html>
`;
}
