/**
 * `pnpm pipeline`: the whole MLOps workflow offline, on the bundled sample or on your CSV.
 * Exit code 0 only when the execution succeeded: the model deployed, or registered and awaiting approval.
 */
import { join } from 'node:path';
import { deployOutputOf, modelLabel } from '@mlops/common';
import { writeReport } from '@mlops/report';
import { projectRoot } from '@mlops/serverless-config';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';
import { parsePipelineArgs, USAGE, UsageError } from './args';
import { createProgressView } from './progress';
import { buildRunReport } from './report-data';
import { runPipeline, type RunOutcome } from './run';

function formatMetric(value: number): string {
  return Number(value.toPrecision(5)).toString();
}

/** A numeric prediction to five significant digits, for reading; a class label as it came. --json keeps the endpoint's text. */
function formatPrediction(text: string): string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? formatMetric(value) : text;
}

function humanSummary(outcome: RunOutcome, reportPath: string): string {
  const lines = [''];
  const state = outcome.state;
  lines.push(`execution  ${outcome.executionName}  ${outcome.status}  (${(outcome.wallMs / 1000).toFixed(1)} s)`);
  if (outcome.error) lines.push(`error      ${outcome.error}`, `cause      ${outcome.cause ?? ''}`);
  if (state?.evaluation) {
    const metrics = Object.entries(state.evaluation.metrics).map(([k, v]) => `${k}=${formatMetric(v)}`).join('  ');
    lines.push(`metrics    ${metrics}`, `gate       ${state.evaluation.gate.summary}`);
  }
  const deployed = deployOutputOf(state);
  if (deployed) lines.push(`endpoint   ${deployed.endpointName} (${deployed.action}, ${modelLabel(deployed.family, deployed.modelVersion)}, config ${deployed.endpointConfigName})`);
  if (state?.registration?.approvalStatus === 'PendingManualApproval') {
    lines.push(`model      ${modelLabel(state.family, state.registration)} awaits approval: pnpm mlops approve ${state.family} ${state.registration.version}`);
  }
  if (outcome.endpointChecks.length) {
    lines.push('', 'held-out rows sent to the endpoint (InvokeEndpoint):', `  ${'actual'.padStart(10)}  ${'predicted'.padStart(10)}  features`);
    for (const c of outcome.endpointChecks) lines.push(`  ${c.actual.padStart(10)}  ${formatPrediction(c.predicted).padStart(10)}  ${c.features.length > 60 ? `${c.features.slice(0, 57)}...` : c.features}`);
  }
  lines.push('', `report     ${reportPath}`);
  return lines.join('\n');
}

function jsonSummary(outcome: RunOutcome, report: { htmlPath: string; jsonPath: string }): string {
  const state = outcome.state;
  return JSON.stringify(
    {
      execution: { name: outcome.executionName, arn: outcome.executionArn, status: outcome.status, error: outcome.error, cause: outcome.cause, wallSeconds: outcome.wallMs / 1000 },
      metrics: state?.evaluation?.metrics,
      gate: state?.evaluation?.gate,
      model: state?.registration,
      endpoint: deployOutputOf(state) ? { ...deployOutputOf(state), checks: outcome.endpointChecks } : undefined,
      report: report.htmlPath,
      reportJson: report.jsonPath,
    },
    null,
    2,
  );
}

export async function main(argv: string[]): Promise<number> {
  const root = projectRoot();
  let options;
  try {
    const parsed = parsePipelineArgs(argv, { data: join(root, 'data/abalone.csv'), outDir: join(root, '.local/reports') });
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    options = parsed;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`pnpm pipeline: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const progress = createProgressView(process.stderr);
  progress.message('starting the offline stack (S3, SageMaker, Step Functions, Lambda)...');
  let stack: LocalStack | undefined;
  const stop = () => void stack?.close().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    stack = await startLocalStack({ waitScale: 1 / options.timeScale });
    const outcome = await runPipeline(stack, options, progress);
    if (outcome.rejection) {
      process.stderr.write(`pnpm pipeline: the dataset was rejected: ${outcome.rejection}\n`);
      if (options.json) process.stdout.write(`${JSON.stringify({ execution: { name: outcome.executionName, status: 'REJECTED' }, error: outcome.rejection }, null, 2)}\n`);
      return 1;
    }
    const report = await buildRunReport(stack, outcome, { source: options.data });
    const written = await writeReport(join(options.outDir, outcome.executionName), report);
    if (options.json) process.stdout.write(`${jsonSummary(outcome, written)}\n`);
    else process.stderr.write(`${humanSummary(outcome, written.htmlPath)}\n`);
    return outcome.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await stack?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`pnpm pipeline: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
