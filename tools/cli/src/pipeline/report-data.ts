/**
 * Turns a finished run (its history, final state, SageMaker jobs, the schema.json mlops_ingest wrote and
 * the evaluation report mlops_eval wrote to S3) into the report the HTML page draws.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeTrainingJobCommand, DescribeTransformJobCommand, type DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import {
  deployOutputOf,
  EvaluationReportSchema,
  ExecutionStatusSchema,
  modelLabel,
  parseS3Uri,
  TrainConfigSchema,
  type EvaluationReport,
  type PipelineState,
} from '@mlops/common';
import { SchemaDocumentSchema, type SchemaDocument } from '@mlops/mlops_ingest/core';
import type { AslDefinition, DeploymentSummary, HyperparameterSetting, JobSummary, RegisteredModel, RunReport, TrainingSummary } from '@mlops/report';
import type { LocalStack } from '@mlops/local-stack';
import type { RunOutcome } from './run';

/** The report.json mlops_eval wrote; a missing or foreign document leaves the report without it. */
async function readEvaluation(stack: LocalStack, uri: string): Promise<EvaluationReport | undefined> {
  try {
    const { bucket, key } = parseS3Uri(uri);
    const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return EvaluationReportSchema.parse(JSON.parse(await object.Body!.transformToString()));
  } catch {
    return undefined;
  }
}

/** The run's data/schema.json, parsed with the schema mlops_ingest writes it with; a missing or foreign document leaves the report without it. */
async function readSchema(stack: LocalStack, uri: string): Promise<SchemaDocument | undefined> {
  try {
    const { bucket, key } = parseS3Uri(uri);
    const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return SchemaDocumentSchema.parse(JSON.parse(await object.Body!.transformToString()));
  } catch {
    return undefined;
  }
}

const iso = (d: Date | undefined) => (d ? new Date(d).toISOString() : undefined);

/**
 * Each hyperparameter the job was given, with where its value came from. mlops_train layers them (the stage's,
 * then what the problem type requires, then the run's overrides), so a value is the run's when the run set it,
 * the stage's when the stage's is the same, and otherwise the pipeline's (objective, num_class). Without the
 * stage's defaults the source is left out rather than guessed.
 */
export function hyperparameterSettings(given: Record<string, string>, layers: { stage?: Record<string, string>; run?: Record<string, string> }): HyperparameterSetting[] {
  const { stage, run } = layers;
  return Object.keys(given)
    .sort()
    .map((name) => {
      const value = given[name]!;
      const setting: HyperparameterSetting = { name, value };
      if (run && Object.hasOwn(run, name)) setting.source = 'run';
      else if (stage) setting.source = stage[name] === value ? 'stage' : 'pipeline';
      const stageValue = stage && Object.hasOwn(stage, name) ? stage[name] : undefined;
      if (setting.source && setting.source !== 'stage' && stageValue !== undefined && stageValue !== value) setting.stageValue = stageValue;
      return setting;
    });
}

/** The stage's default hyperparameters: mlops_train's HYPERPARAMETERS, read as mlops_train reads it. */
export function stageHyperparameters(stack: Pick<LocalStack, 'resources'>): Record<string, string> | undefined {
  const train = stack.resources.functions.find((f) => f.key === 'mlops_train');
  if (!train) return undefined;
  const parsed = TrainConfigSchema.shape.HYPERPARAMETERS.safeParse(train.environment.HYPERPARAMETERS);
  return parsed.success ? parsed.data : undefined;
}

/** What the report shows of the training job: the hyperparameters it was given and the final metrics it logged. */
export function trainingSummaryOf(
  job: Pick<DescribeTrainingJobCommandOutput, 'TrainingJobName' | 'AlgorithmSpecification' | 'HyperParameters' | 'FinalMetricDataList'>,
  layers: { stage?: Record<string, string>; run?: Record<string, string> },
): TrainingSummary {
  const summary: TrainingSummary = {
    jobName: job.TrainingJobName ?? '',
    hyperparameters: hyperparameterSettings(job.HyperParameters ?? {}, layers),
    finalMetrics: (job.FinalMetricDataList ?? []).flatMap((m) => (m.MetricName && typeof m.Value === 'number' ? [{ name: m.MetricName, value: m.Value }] : [])),
  };
  if (job.AlgorithmSpecification?.TrainingImage) summary.image = job.AlgorithmSpecification.TrainingImage;
  return summary;
}

async function describeTraining(stack: LocalStack, state: PipelineState | undefined): Promise<DescribeTrainingJobCommandOutput | undefined> {
  if (!state?.training) return undefined;
  return stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: state.training.jobName })).catch(() => undefined);
}

async function jobsOf(stack: LocalStack, outcome: RunOutcome, state: PipelineState | undefined, job: DescribeTrainingJobCommandOutput | undefined): Promise<JobSummary[]> {
  const jobs: JobSummary[] = [];
  const sm = stack.clients.sageMaker;
  const polls = (kind: string) => outcome.tracker.polls.get(kind)?.polls ?? 0;
  if (state?.training) {
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
  // The challenger's transform and, when the family had a live model, the champion's over the same rows.
  const transforms: [string | undefined, 'challenger' | 'champion', string][] = [
    [state?.batch?.transformJobName, 'challenger', 'transform'],
    [state?.batch?.champion?.transformJobName, 'champion', 'transform:champion'],
  ];
  for (const [name, role, pollKey] of transforms) {
    if (!name) continue;
    const job = await sm.send(new DescribeTransformJobCommand({ TransformJobName: name })).catch(() => undefined);
    if (job) {
      jobs.push({
        kind: 'transform',
        role,
        name,
        status: job.TransformJobStatus ?? 'Unknown',
        polls: polls(pollKey),
        seconds: job.TransformEndTime && job.CreationTime ? (job.TransformEndTime.getTime() - job.CreationTime.getTime()) / 1000 : undefined,
      });
    }
  }
  if (deployOutputOf(state)) {
    const endpoint = await sm.send(new DescribeEndpointCommand({ EndpointName: deployOutputOf(state)!.endpointName })).catch(() => undefined);
    if (endpoint) {
      jobs.push({
        kind: 'endpoint',
        name: deployOutputOf(state)!.endpointName,
        status: endpoint.EndpointStatus ?? 'Unknown',
        polls: polls('endpoint'),
        seconds: endpoint.LastModifiedTime && endpoint.CreationTime ? (endpoint.LastModifiedTime.getTime() - endpoint.CreationTime.getTime()) / 1000 : undefined,
      });
    }
  }
  return jobs;
}

/** The version this run registered, as the report shows it. */
export function registeredModelOf(state: PipelineState | undefined): RegisteredModel | undefined {
  const r = state?.registration;
  return r ? { label: modelLabel(state.family, r), arn: r.arn, group: r.group, version: r.version, approvalStatus: r.approvalStatus } : undefined;
}

/** The deploy of this run's model: the deploy state machine's execution (startExecution.sync:2) and its output. */
export function deploymentOf(state: PipelineState | undefined): DeploymentSummary | undefined {
  const deployed = deployOutputOf(state);
  if (!deployed) return undefined;
  const summary: DeploymentSummary = {
    executionArn: state?.deployment?.ExecutionArn,
    status: state?.deployment?.Status,
    model: modelLabel(deployed.family, deployed.modelVersion),
    endpointName: deployed.endpointName,
    endpointConfigName: deployed.endpointConfigName,
    action: deployed.action,
  };
  if (deployed.previousConfigName) summary.previousConfigName = deployed.previousConfigName;
  return summary;
}

/** The S3 locations the report lists (text, never links). */
export function artifactUris(state: PipelineState | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!state) return out;
  if (state.trainingPoll?.outputs.modelArtifacts) out.model = state.trainingPoll.outputs.modelArtifacts;
  out.schema = state.dataset.schema;
  const predictions = state.transforms?.challenger.outputs.transformOutput ?? state.batch?.transformOutput;
  if (predictions) out.predictions = predictions;
  if (state.batch?.champion) out.championPredictions = state.batch.champion.transformOutput;
  if (state.evaluation) out.evaluation = state.evaluation.reportUri;
  if (state.registration) out.modelPackage = state.registration.arn;
  out.runRecord = `${state.runPrefix.endsWith('/') ? state.runPrefix : `${state.runPrefix}/`}run.json`;
  return out;
}

export async function buildRunReport(stack: LocalStack, outcome: RunOutcome, run: { source: string }): Promise<RunReport> {
  const state = outcome.state;
  const evaluation = state?.evaluation ? await readEvaluation(stack, state.evaluation.reportUri) : undefined;
  const schema = state ? await readSchema(stack, state.dataset.schema) : undefined;
  const trainingJob = await describeTraining(stack, state);
  const snapshot = stack.stepFunctions.executions.get(outcome.executionArn);
  const parsed = ExecutionStatusSchema.safeParse(outcome.status);
  const status = parsed.success ? parsed.data : 'FAILED';
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
    schema,
    training: trainingJob ? trainingSummaryOf(trainingJob, { stage: stageHyperparameters(stack), run: state?.overrides.hyperparameters }) : undefined,
    definition: stack.resources.stateMachine.definition as unknown as AslDefinition,
    path: outcome.tracker.path,
    steps: outcome.tracker.timings(),
    jobs: await jobsOf(stack, outcome, state, trainingJob),
    evaluation,
    model: registeredModelOf(state),
    deployment: deploymentOf(state),
    endpoint: deployOutputOf(state) ? { name: deployOutputOf(state)!.endpointName, configName: deployOutputOf(state)!.endpointConfigName, checks: outcome.endpointChecks } : undefined,
    artifacts: artifactUris(state),
  };
}
