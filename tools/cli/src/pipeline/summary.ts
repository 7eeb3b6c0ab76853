/**
 * What `pnpm pipeline` prints when a run ends (for people on stderr, or one JSON document on stdout) and how it
 * keeps the run: its folder, its artifacts, its report.
 */
import { deployOutputOf, modelLabel } from '@mlops/common';
import type { LocalStack } from '@mlops/local-stack';
import { writeReport } from '@mlops/report';
import { keepArtifacts, runArtifacts, runFolder, type KeptArtifacts } from './keep';
import { buildRunReport } from './report-data';
import type { RunOutcome } from './run';

function formatMetric(value: number): string {
  return Number(value.toPrecision(5)).toString();
}

/** A numeric prediction to five significant digits, for reading; a class label as it came. --json keeps the endpoint's text. */
function formatPrediction(text: string): string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? formatMetric(value) : text;
}

/** Where a run was kept: its folder, its report, the artifacts copied out of the stack before it closed. */
export interface KeptRun {
  dir: string;
  htmlPath: string;
  jsonPath: string;
  artifacts: KeptArtifacts;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function humanSummary(outcome: RunOutcome, kept: KeptRun): string {
  const lines = [''];
  const state = outcome.state;
  lines.push(`execution  ${outcome.executionName}  ${outcome.status}  (${(outcome.wallMs / 1000).toFixed(1)} s)`);
  if (outcome.error) lines.push(`error      ${outcome.error}`, `cause      ${outcome.cause ?? ''}`);
  if (state?.evaluation) {
    const metrics = (values: Record<string, number>) => Object.entries(values).map(([k, v]) => `${k}=${formatMetric(v)}`).join('  ');
    lines.push(`metrics    ${metrics(state.evaluation.metrics)}${state.evaluation.champion ? '  (challenger)' : ''}`);
    if (state.evaluation.champion) lines.push(`champion   ${metrics(state.evaluation.champion.metrics)}  (${state.evaluation.champion.label})`);
    lines.push(`gate       ${state.evaluation.gate.summary}`);
    const rule = state.evaluation.gate.rule;
    if (rule) lines.push(`rule       ${rule.kind}: ${rule.reason}`);
  }
  if (state?.registration) lines.push(`model      ${modelLabel(state.family, state.registration)}  ${state.registration.approvalStatus}  ${state.registration.arn}`);
  const deployed = deployOutputOf(state);
  if (deployed) lines.push(`endpoint   ${deployed.endpointName} (${deployed.action}, ${modelLabel(deployed.family, deployed.modelVersion)}, config ${deployed.endpointConfigName})`);
  if (state?.registration?.approvalStatus === 'PendingManualApproval') {
    lines.push(`           awaits approval: pnpm mlops approve ${state.family} ${state.registration.version}`);
  }
  if (outcome.endpointChecks.length) {
    lines.push('', 'held-out rows sent to the endpoint (InvokeEndpoint):', `  ${'actual'.padStart(10)}  ${'predicted'.padStart(10)}  features`);
    for (const c of outcome.endpointChecks) lines.push(`  ${c.actual.padStart(10)}  ${formatPrediction(c.predicted).padStart(10)}  ${c.features.length > 60 ? `${c.features.slice(0, 57)}...` : c.features}`);
  }
  lines.push('', `run        ${kept.dir}`, `report     ${kept.htmlPath}`);
  const { kept: files, missing, failed } = kept.artifacts;
  if (files.length > 0) {
    const width = Math.max(...files.map((f) => f.path.length));
    lines.push('artifacts  copied from the stack before it closed:');
    for (const f of files) lines.push(`  ${f.path.padEnd(width)}  ${formatBytes(f.bytes).padStart(9)}  ${f.source}`);
  }
  for (const m of missing) lines.push(`  (no ${m.name}: ${m.source})`);
  for (const f of failed) lines.push(`  (could not copy ${f.name} from ${f.source}: ${f.error})`);
  return lines.join('\n');
}

export function jsonSummary(outcome: RunOutcome, kept: KeptRun): string {
  const state = outcome.state;
  return JSON.stringify(
    {
      execution: { name: outcome.executionName, arn: outcome.executionArn, status: outcome.status, error: outcome.error, cause: outcome.cause, wallSeconds: outcome.wallMs / 1000 },
      runId: state?.runId ?? outcome.runId,
      family: state?.family ?? outcome.family,
      metrics: state?.evaluation?.metrics,
      champion: state?.evaluation?.champion,
      gate: state?.evaluation?.gate,
      model: state?.registration,
      endpoint: deployOutputOf(state) ? { ...deployOutputOf(state), checks: outcome.endpointChecks } : undefined,
      runDir: kept.dir,
      report: kept.htmlPath,
      reportJson: kept.jsonPath,
      artifacts: kept.artifacts.kept,
      missingArtifacts: kept.artifacts.missing.length > 0 ? kept.artifacts.missing : undefined,
      failedArtifacts: kept.artifacts.failed.length > 0 ? kept.artifacts.failed : undefined,
    },
    null,
    2,
  );
}

/**
 * Keeps a finished run in `<outDir>/<family>/<UTC timestamp>-<runId>/`: its artifacts copied out of the stack's
 * S3 into `artifacts/` (call it before the stack closes), then the report, which lists them.
 */
export async function keepRun(stack: LocalStack, outcome: RunOutcome, options: { outDir: string; source: string }): Promise<KeptRun> {
  const family = outcome.state?.family ?? outcome.family;
  const runId = outcome.state?.runId ?? outcome.runId;
  const dir = await runFolder(options.outDir, family, outcome.startedAt, runId);
  const artifacts = await keepArtifacts(stack.clients.s3, runArtifacts(outcome.state, { bucket: stack.bucket }), dir);
  const report = await buildRunReport(stack, outcome, { source: options.source });
  for (const f of artifacts.kept) report.artifacts = { ...report.artifacts, [`kept ${f.path}`]: f.source };
  const written = await writeReport(dir, report);
  return { dir, ...written, artifacts };
}

