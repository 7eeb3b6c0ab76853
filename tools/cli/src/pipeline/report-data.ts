/**
 * Turns a finished run (its history, final state, SageMaker jobs and the evaluation report that
 * mlops_eval wrote to S3) into the report the HTML page draws.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeTrainingJobCommand, DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
// The CLI takes single modules of @mlops/common: its index also loads the Lambda wiring (ESM-only middy).
import { parseS3Uri } from '@mlops/common';
import type { PipelineState } from '@mlops/common';
import type { AslDefinition, EvaluationReport, ExecutionStatus, JobSummary, RunReport } from '@mlops/report';
import type { LocalStack } from '@mlops/local-stack';
import type { RunOutcome } from './run';

interface StoredEvaluation {
  metrics: Record<string, number>;
  gate: NonNullable<EvaluationReport['gate']>;
  sample?: { actual: number; predicted: number }[];
  residualHistogram?: { from: number; to: number; count: number }[];
  perClass?: NonNullable<EvaluationReport['perClass']>;
  confusionMatrix?: { labels: string[]; matrix: number[][] };
}

async function readJson<T>(stack: LocalStack, uri: string): Promise<T | undefined> {
  try {
    const { bucket, key } = parseS3Uri(uri);
    const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as T;
  } catch {
    return undefined;
  }
}

function evaluationOf(stored: StoredEvaluation): EvaluationReport {
  // mlops_eval bins predicted − actual; the page shows actual − predicted.
  const bins = stored.residualHistogram;
  return {
    metrics: stored.metrics,
    gate: stored.gate,
    points: stored.sample,
    residualHistogram: bins?.length
      ? { binEdges: [...bins.map((b) => -b.to).reverse(), -bins[0]!.from], counts: bins.map((b) => b.count).reverse() }
      : undefined,
    confusionMatrix: stored.confusionMatrix?.matrix,
    classes: stored.confusionMatrix?.labels,
    perClass: stored.perClass,
  };
}

const iso = (d: Date | undefined) => (d ? new Date(d).toISOString() : undefined);

async function jobsOf(stack: LocalStack, outcome: RunOutcome, state: PipelineState | undefined): Promise<JobSummary[]> {
  const jobs: JobSummary[] = [];
  const sm = stack.clients.sageMaker;
  const polls = (kind: string) => outcome.tracker.polls.get(kind)?.polls ?? 0;
  if (state?.training) {
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: state.training.jobName })).catch(() => undefined);
    if (job) {
      jobs.push({
        kind: 'training',
        name: state.training.jobName,
        status: job.TrainingJobStatus ?? 'Unknown',
        polls: polls('training'),
        seconds: job.TrainingEndTime && job.CreationTime ? (job.TrainingEndTime.getTime() - job.CreationTime.getTime()) / 1000 : undefined,
        transitions: (job.SecondaryStatusTransitions ?? []).map((t) => ({ status: t.Status ?? '', start: iso(t.StartTime)!, end: iso(t.EndTime), message: t.StatusMessage })),
      });
    }
  }
  if (state?.batch) {
    const job = await sm.send(new DescribeTransformJobCommand({ TransformJobName: state.batch.transformJobName })).catch(() => undefined);
    if (job) {
      jobs.push({
        kind: 'transform',
        name: state.batch.transformJobName,
        status: job.TransformJobStatus ?? 'Unknown',
        polls: polls('transform'),
        seconds: job.TransformEndTime && job.CreationTime ? (job.TransformEndTime.getTime() - job.CreationTime.getTime()) / 1000 : undefined,
      });
    }
  }
  if (state?.deploy) {
    const endpoint = await sm.send(new DescribeEndpointCommand({ EndpointName: state.deploy.endpointName })).catch(() => undefined);
    if (endpoint) {
      jobs.push({
        kind: 'endpoint',
        name: state.deploy.endpointName,
        status: endpoint.EndpointStatus ?? 'Unknown',
        polls: polls('endpoint'),
        seconds: endpoint.LastModifiedTime && endpoint.CreationTime ? (endpoint.LastModifiedTime.getTime() - endpoint.CreationTime.getTime()) / 1000 : undefined,
      });
    }
  }
  return jobs;
}

export async function buildRunReport(stack: LocalStack, outcome: RunOutcome, run: { source: string }): Promise<RunReport> {
  const state = outcome.state;
  const stored = state?.evaluation ? await readJson<StoredEvaluation>(stack, state.evaluation.reportUri) : undefined;
  const snapshot = stack.stepFunctions.executions.get(outcome.executionArn);
  const status = (['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'RUNNING'].includes(outcome.status) ? outcome.status : 'FAILED') as ExecutionStatus;
  return {
    title: `${outcome.executionName} — ${outcome.status}`,
    generatedAt: new Date().toISOString(),
    execution: {
      name: outcome.executionName,
      arn: outcome.executionArn,
      status,
      error: outcome.error,
      cause: outcome.cause,
      startedAt: outcome.startedAt.toISOString(),
      stoppedAt: iso(outcome.stoppedAt),
      wallSeconds: outcome.wallMs / 1000,
      virtualSeconds: snapshot?.virtualElapsedSeconds,
    },
    dataset: {
      source: run.source,
      rows: state?.dataset.rows ?? { train: 0, validation: 0, test: 0 },
      featureCount: state?.dataset.featureCount ?? 0,
      problemType: state?.task.problemType ?? 'regression',
      target: state?.task.target ?? '',
      classes: state?.task.classes,
    },
    definition: stack.resources.stateMachine.definition as unknown as AslDefinition,
    path: outcome.tracker.path,
    steps: outcome.tracker.timings(),
    jobs: await jobsOf(stack, outcome, state),
    evaluation: stored ? evaluationOf(stored) : undefined,
    endpoint: state?.deploy ? { name: state.deploy.endpointName, configName: state.deploy.endpointConfigName, checks: outcome.endpointChecks } : undefined,
    artifacts: {
      ...(state?.trainingPoll?.outputs.modelArtifacts ? { model: state.trainingPoll.outputs.modelArtifacts } : {}),
      ...(state?.transformPoll?.outputs.transformOutput ? { predictions: state.transformPoll.outputs.transformOutput } : {}),
      ...(state?.evaluation ? { evaluation: state.evaluation.reportUri } : {}),
    },
  };
}
