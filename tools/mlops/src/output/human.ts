/** The human form of each command's document (the `--json` form is the document itself). */
import type { ApprovalOutput, ModelsOutput, PromoteOutput, ReportOutput, RollbackOutput, RunsOutput, VersionRow } from './schemas';
import { formatTime, formatValue, table } from './table';

type Gate = VersionRow['gate'];

function gateCell(gate: Gate): string {
  if (!gate) return '-';
  const champion = gate.champion === undefined ? '' : ` vs ${formatValue(gate.champion)}`;
  return `${gate.metric} ${formatValue(gate.value)}${champion}`;
}

/**
 * Which gate rule applied: `threshold ≤ 6 (stage)` (the stage's threshold for the family), `(upload)`
 * (the upload's), or `baseline ≤ 9.18 (training mean scores 10.2, margin 10 %)` (no threshold: beat
 * the baseline). `-` for records written before the rule was recorded.
 */
function ruleCell(gate: Gate): string {
  if (!gate?.rule || gate.threshold === undefined || gate.direction === undefined) return '-';
  const bound = `${gate.direction === 'lte' ? '≤' : '≥'} ${formatValue(gate.threshold)}`;
  if (gate.rule.kind === 'threshold') return `threshold ${bound} (${gate.rule.source})`;
  const { baseline, margin } = gate.rule;
  const predictor = baseline.predicts === 'training-mean' ? 'training mean' : 'majority class';
  return `baseline ${bound} (${predictor} scores ${formatValue(baseline.value)}, margin ${Number((margin * 100).toPrecision(6))} %)`;
}

export function formatRuns(doc: RunsOutput): string {
  if (doc.runs.length === 0) return `no runs recorded on stage '${doc.stage}'`;
  const rows = doc.runs.map((r) => [
    r.runId,
    r.family,
    r.status,
    r.outcome,
    gateCell(r.gate),
    ruleCell(r.gate),
    r.version ? `v${r.version.version} ${r.version.approvalStatus}` : '-',
    r.deploy ? `${r.deploy.status} (${r.deploy.reason})` : '-',
    formatTime(r.finishedAt),
  ]);
  const lines = [table(['RUN', 'FAMILY', 'STATUS', 'OUTCOME', 'GATE (challenger vs champion)', 'RULE', 'VERSION', 'DEPLOY', 'FINISHED (UTC)'], rows)];
  if (doc.unreadable.length) lines.push('', `${doc.unreadable.length} record(s) could not be read: ${doc.unreadable.join(', ')}`);
  return lines.join('\n');
}

function sourceCell(row: VersionRow): string {
  if (row.source) return `promoted from ${row.source.stage} v${row.source.version}`;
  return row.runId ? `run ${row.runId}` : '-';
}

export function formatModels(doc: ModelsOutput): string {
  const endpoint = doc.endpoint.status
    ? `endpoint ${doc.endpoint.name}: ${doc.endpoint.status}, ${doc.endpoint.liveVersion === undefined ? 'serving no registry version' : `serving v${doc.endpoint.liveVersion}`}`
    : `endpoint ${doc.endpoint.name}: not deployed`;
  const header = `${doc.family} on stage '${doc.stage}' (group ${doc.group}); ${endpoint}`;
  if (doc.versions.length === 0) return `${header}\nno versions registered`;
  const rows = doc.versions.map((v) => [v.live ? '*' : '', `v${v.version}`, v.approvalStatus, formatTime(v.createdAt), gateCell(v.gate), ruleCell(v.gate), sourceCell(v)]);
  return `${header}\n\n${table(['LIVE', 'VERSION', 'STATUS', 'CREATED (UTC)', 'GATE (metric vs champion)', 'RULE', 'SOURCE'], rows)}`;
}

export function formatApproval(doc: ApprovalOutput): string {
  const lines = [doc.message];
  if (doc.deploy) {
    lines.push(
      `watch the deploy: aws stepfunctions list-executions --state-machine-arn ${doc.deploy.stateMachineArn}`,
      `then: pnpm mlops models ${doc.family} --stage ${doc.stage}`,
    );
  }
  return lines.join('\n');
}

export function formatPromote(doc: PromoteOutput): string {
  const lines = [
    `promoted ${doc.family} v${doc.from.version} of stage '${doc.from.stage}' to stage '${doc.to.stage}' as v${doc.to.version} (${doc.to.approvalStatus}, approval policy ${doc.to.approvalPolicy})`,
    `artifact ${doc.artifact.source} → ${doc.artifact.target} (${doc.artifact.method})`,
    `version  ${doc.to.arn}`,
  ];
  if (doc.deploy) lines.push(`deploying: ${doc.deploy.executionArn}`, `watch it:  aws stepfunctions describe-execution --execution-arn ${doc.deploy.executionArn}`);
  if (doc.approveCommand) lines.push(`the stage approves manually; to deploy it: ${doc.approveCommand}`);
  return lines.join('\n');
}

export function formatRollback(doc: RollbackOutput): string {
  const from = doc.from ? `v${doc.from.version}` : 'nothing live';
  const lines = [`rolling back ${doc.family} on stage '${doc.stage}': ${from} → v${doc.to.version}`, `deploy execution ${doc.executionArn}`];
  if (doc.result) lines.push(`deploy ${doc.result.status}${doc.result.error ? `: ${doc.result.error}${doc.result.cause ? `: ${doc.result.cause}` : ''}` : ''}`);
  else lines.push(`watch it: aws stepfunctions describe-execution --execution-arn ${doc.executionArn}   (or run with --wait)`);
  return lines.join('\n');
}

export function formatReport(doc: ReportOutput): string {
  return doc.htmlPath;
}
