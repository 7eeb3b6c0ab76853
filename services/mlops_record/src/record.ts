/**
 * Run records. When a pipeline execution ends (either way) it writes `<runPrefix>run.json`; when a
 * deploy of a run's model ends (either way) it writes `<runPrefix>deployments/<execution>.json` and
 * refreshes the run's record. A run record's `deployments` is always rebuilt from that folder, so
 * the two writers never lose each other's updates, whichever order they come in.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  type SageMakerClient,
  StopProcessingJobCommand,
  StopTrainingJobCommand,
  StopTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import {
  DeploymentRecordSchema,
  errorName,
  InputValidationError,
  PipelineInputSchema,
  PreprocessInputSchema,
  PROCESSING_JOB_SUFFIXES,
  rejectionKey,
  type PreprocessInput,
  type RejectionRecord,
  sageMakerName,
  isMissingS3Object,
  isNotFound,
  joinKey,
  modelVersionOfArn,
  PACKAGE_METADATA,
  parseS3Uri,
  RunRecordSchema,
  s3Uri,
  withS3TransientAsRetryable,
  withTransientAsRetryable,
  type DeploymentRecord,
  type DeployState,
  type PipelineState,
  type RecordConfig,
  type RecordInput,
  type RecordOutput,
  type RunRecord,
} from '@mlops/common';

export interface RecordDeps {
  s3: S3Client;
  sageMaker: SageMakerClient;
  config: RecordConfig;
  now?: () => Date;
}

type Failure = { Error: string; Cause?: string };

/**
 * The failure an execution ends with. A failed child execution (startExecution.sync:2) reaches the
 * parent as States.TaskFailed with the child's DescribeExecution as the Cause: its own Error and
 * Cause say what happened (e.g. DeploymentFailed), so the run ends with those.
 */
export function normalizeFailure(error: Failure | undefined): Failure | undefined {
  if (!error || error.Error !== 'States.TaskFailed' || !error.Cause) return error;
  try {
    const child = JSON.parse(error.Cause) as Record<string, unknown>;
    const name = child.Error ?? child.error;
    const cause = child.Cause ?? child.cause;
    if (typeof name === 'string') return { Error: name, ...(typeof cause === 'string' ? { Cause: cause } : {}) };
  } catch {
    // Not a child execution's description: keep the error as it came.
  }
  return error;
}

function runLocation(config: RecordConfig, runId: string) {
  return { bucket: config.DATA_BUCKET, key: joinKey(config.RUNS_PREFIX, `${runId}/`) };
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as unknown;
  } catch (error) {
    if (isMissingS3Object(error)) return undefined;
    throw error;
  }
}

async function putJson(s3: S3Client, bucket: string, key: string, document: unknown): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(document, null, 2), ContentType: 'application/json' }));
}

/** Every deploy of the run's model so far, oldest first. */
async function readDeployments(s3: S3Client, bucket: string, runKey: string): Promise<DeploymentRecord[]> {
  const prefix = joinKey(runKey, 'deployments/');
  const records: DeploymentRecord[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key?.endsWith('.json')) continue;
      const parsed = DeploymentRecordSchema.safeParse(await readJson(s3, bucket, object.Key));
      if (parsed.success) records.push(parsed.data);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The one-word outcome, as the CLI lists it. */
function outcomeOf(state: PipelineState, failure: Failure | undefined, deployments: DeploymentRecord[]): RunRecord['outcome'] {
  if (failure) return failure.Error === 'QualityGateFailed' ? 'rejected-by-gate' : failure.Error === 'DeploymentRolledBack' ? 'rolled-back' : 'failed';
  if (deployments.some((d) => d.status === 'deployed')) return 'deployed';
  const child = state.deployment?.Output as { deploy?: { action?: string }; endpointPoll?: { state?: string } } | undefined;
  if (deployments.some((d) => d.status === 'superseded') || child?.deploy?.action === 'superseded' || child?.endpointPoll?.state === 'Superseded') return 'superseded';
  if (state.deployment?.Status === 'SUCCEEDED') return 'deployed';
  return state.registration?.approvalStatus === 'PendingManualApproval' ? 'pending-approval' : 'failed';
}

async function trainingHyperparameters(sageMaker: SageMakerClient, jobName: string | undefined): Promise<Record<string, string> | undefined> {
  if (!jobName) return undefined;
  try {
    const job = await withTransientAsRetryable(`describing training job ${jobName}`, () => sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName })));
    return job.HyperParameters;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function runIdOfVersion(sageMaker: SageMakerClient, modelPackageArn: string): Promise<string | undefined> {
  try {
    const described = await withTransientAsRetryable(`describing ${modelPackageArn}`, () => sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn })));
    return described.CustomerMetadataProperties?.[PACKAGE_METADATA.runId];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function runRecordOf(
  state: PipelineState,
  context: { stage: string; executionArn: string; startedAt: string; finishedAt: string; hyperparameters?: Record<string, string>; deployments: DeploymentRecord[] },
): RunRecord {
  const failure = normalizeFailure(state.error);
  const { evaluation, registration, transforms, batch } = state;
  const championPoll = transforms?.champion && 'name' in transforms.champion ? transforms.champion : undefined;
  return RunRecordSchema.parse({
    version: 1,
    runId: state.runId,
    family: state.family,
    stage: context.stage,
    executionArn: context.executionArn,
    status: failure ? 'FAILED' : 'SUCCEEDED',
    outcome: outcomeOf(state, failure, context.deployments),
    ...(failure ? { error: failure } : {}),
    dataset: {
      uri: s3Uri(state.source.bucket, state.source.key),
      etag: state.source.etag,
      ...(state.source.versionId ? { versionId: state.source.versionId } : {}),
      schema: state.dataset.schema,
      rows: state.dataset.rows,
    },
    problemType: state.task.problemType,
    ...(context.hyperparameters ? { hyperparameters: context.hyperparameters } : {}),
    jobs: {
      ...(state.training
        ? { training: { name: state.training.jobName, seconds: state.trainingPoll?.elapsedSeconds, modelArtifacts: state.trainingPoll?.outputs.modelArtifacts } }
        : {}),
      ...(batch ? { transform: { name: batch.transformJobName, seconds: transforms?.challenger.elapsedSeconds } } : {}),
      ...(batch?.champion ? { championTransform: { name: batch.champion.transformJobName, seconds: championPoll?.elapsedSeconds } } : {}),
    },
    ...(evaluation
      ? {
          evaluation: {
            reportUri: evaluation.reportUri,
            metric: evaluation.gate.metric,
            challenger: evaluation.metrics,
            ...(evaluation.champion ? { champion: { label: evaluation.champion.label, ...(batch?.champion?.modelVersion ? { modelVersion: batch.champion.modelVersion } : {}), metrics: evaluation.champion.metrics } } : {}),
            gate: {
              passed: evaluation.gate.passed,
              summary: evaluation.gate.summary,
              threshold: evaluation.gate.threshold,
              direction: evaluation.gate.direction,
              ...(evaluation.gate.rule ? { rule: evaluation.gate.rule } : {}),
            },
          },
        }
      : {}),
    ...(registration ? { modelPackage: registration } : {}),
    deployments: context.deployments,
    startedAt: context.startedAt,
    finishedAt: context.finishedAt,
  });
}

export function deploymentRecordOf(state: DeployState, context: { executionArn: string; startedAt: string; finishedAt: string }): DeploymentRecord {
  const failure = normalizeFailure(state.error);
  return DeploymentRecordSchema.parse({
    executionArn: context.executionArn,
    reason: state.reason,
    modelVersion: state.deploy?.modelVersion ?? modelVersionOfArn(state.modelPackageArn),
    ...(state.deploy ? { endpointName: state.deploy.endpointName, endpointConfigName: state.deploy.endpointConfigName } : {}),
    status: failure ? (failure.Error === 'DeploymentRolledBack' ? 'rolled-back' : 'failed') : state.deploy?.action === 'superseded' || state.endpointPoll?.state === 'Superseded' ? 'superseded' : 'deployed',
    ...(failure ? { error: failure } : {}),
    startedAt: context.startedAt,
    finishedAt: context.finishedAt,
  });
}

/**
 * Stops the run's jobs that are still running: a run that failed (a poll budget, a deadline, an
 * unexpected error), was aborted or timed out must leave nothing billing. The names derive from the
 * run id (mlops_train and mlops_batch name them so), so a job is found even when the step that
 * created it never returned.
 */
export async function stopLeftovers(sageMaker: SageMakerClient, config: RecordConfig, runId: string): Promise<string[]> {
  const stopped: string[] = [];
  const training = sageMakerName(config.NAME_PREFIX, runId, 'train');
  const transforms = [sageMakerName(config.NAME_PREFIX, runId, 'batch'), sageMakerName(config.NAME_PREFIX, runId, 'champion')];
  // The scale path's two processing jobs (the profile of every shard, then the split).
  const processing = PROCESSING_JOB_SUFFIXES.map((suffix) => sageMakerName(config.NAME_PREFIX, runId, suffix));
  const attempt = async (name: string, describe: () => Promise<string | undefined>, stop: () => Promise<unknown>) => {
    let status;
    try {
      status = await withTransientAsRetryable(`describing ${name}`, describe);
    } catch (error) {
      if (isNotFound(error)) return; // never created
      throw error;
    }
    if (status !== 'InProgress') return;
    try {
      await withTransientAsRetryable(`stopping ${name}`, stop);
      stopped.push(name);
    } catch (error) {
      // It ended between Describe and Stop: nothing left to stop.
      if (errorName(error) !== 'ValidationException') throw error;
    }
  };
  await attempt(
    training,
    async () => (await sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: training }))).TrainingJobStatus,
    () => sageMaker.send(new StopTrainingJobCommand({ TrainingJobName: training })),
  );
  for (const name of transforms) {
    await attempt(
      name,
      async () => (await sageMaker.send(new DescribeTransformJobCommand({ TransformJobName: name }))).TransformJobStatus,
      () => sageMaker.send(new StopTransformJobCommand({ TransformJobName: name })),
    );
  }
  for (const name of processing) {
    await attempt(
      name,
      async () => (await sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }))).ProcessingJobStatus,
      () => sageMaker.send(new StopProcessingJobCommand({ ProcessingJobName: name })),
    );
  }
  return stopped;
}

async function writeRunRecord(state: PipelineState, context: { executionArn: string; startedAt: string; finishedAt: string; ended?: Failure & { status: 'ABORTED' | 'TIMED_OUT' } }, deps: RecordDeps): Promise<RecordOutput> {
  const { s3, config } = deps;
  const location = parseS3Uri(state.runPrefix);
  const key = joinKey(location.key, 'run.json');
  const failed = context.ended ?? normalizeFailure(state.error);
  const stopped = failed ? await stopLeftovers(deps.sageMaker, config, state.runId) : [];
  const [deployments, hyperparameters] = await Promise.all([
    withS3TransientAsRetryable(`reading the deployments of run ${state.runId}`, () => readDeployments(s3, location.bucket, location.key)),
    trainingHyperparameters(deps.sageMaker, state.training?.jobName ?? (context.ended ? sageMakerName(config.NAME_PREFIX, state.runId, 'train') : undefined)),
  ]);
  const ended = context.ended;
  const withFailure: PipelineState = ended ? { ...state, error: { Error: ended.Error, ...(ended.Cause ? { Cause: ended.Cause } : {}) } } : state;
  const record = runRecordOf(withFailure, { stage: config.STAGE, executionArn: context.executionArn, startedAt: context.startedAt, finishedAt: context.finishedAt, hyperparameters, deployments });
  const written: RunRecord = { ...record, ...(ended ? { status: ended.status } : {}), ...(stopped.length ? { stopped } : {}) };
  await withS3TransientAsRetryable(`writing ${s3Uri(location.bucket, key)}`, () => putJson(s3, location.bucket, key, written));
  return { uri: s3Uri(location.bucket, key), ...(written.error ? { error: written.error } : {}) };
}

/** An aborted or timed-out execution, from its status change event: it ran no Catch and no RecordRun. */
/**
 * A preprocess execution (the scale path) that was stopped or timed out ran no RecordFailure: its
 * processing jobs are stopped here and the failure recorded where its own failures are.
 */
async function writeEndedPreprocessing(run: PreprocessInput, ended: { Error: string; Cause: string }, finishedAt: string, deps: RecordDeps): Promise<RecordOutput> {
  const stoppedJobs = await stopLeftovers(deps.sageMaker, deps.config, run.runId);
  const key = rejectionKey(deps.config.RUNS_PREFIX, run.runId);
  const record: RejectionRecord = {
    key: run.source.key,
    etag: run.source.etag,
    ...(run.source.versionId ? { versionId: run.source.versionId } : {}),
    reason: `${ended.Error}: ${ended.Cause} (while preprocessing; no pipeline run started)`,
    rejectedAt: finishedAt,
    stoppedJobs,
  };
  await withS3TransientAsRetryable(`writing ${s3Uri(run.source.bucket, key)}`, () => putJson(deps.s3, run.source.bucket, key, record));
  return { uri: s3Uri(run.source.bucket, key) };
}

async function writeEndedRun({ execution }: Extract<RecordInput, { kind: 'ended' }>, finishedAt: string, deps: RecordDeps): Promise<RecordOutput> {
  const input: unknown = JSON.parse(execution.input);
  const cause = execution.status === 'ABORTED' ? 'the execution was stopped (StopExecution); its running jobs were stopped' : 'the execution reached its TimeoutSeconds; its running jobs were stopped';
  const preprocessing = PreprocessInputSchema.safeParse(input);
  if (preprocessing.success) return writeEndedPreprocessing(preprocessing.data, { Error: execution.status === 'ABORTED' ? 'States.Aborted' : 'States.Timeout', Cause: cause }, finishedAt, deps);
  const parsed = PipelineInputSchema.safeParse(input);
  if (!parsed.success) throw new InputValidationError('the ended execution\'s input', parsed.error.issues.map((i) => ({ path: `input.${i.path.join('.')}`, message: i.message })));
  return writeRunRecord(parsed.data, {
    executionArn: execution.executionArn,
    startedAt: new Date(execution.startDate).toISOString(),
    finishedAt,
    ended: { status: execution.status, Error: execution.status === 'ABORTED' ? 'States.Aborted' : 'States.Timeout', Cause: cause },
  }, deps);
}

export async function writeRecord(input: RecordInput, deps: RecordDeps): Promise<RecordOutput> {
  const { s3, config } = deps;
  const finishedAt = (deps.now ?? (() => new Date()))().toISOString();
  if (input.kind === 'run') return writeRunRecord(input.state, { executionArn: input.executionArn, startedAt: input.startedAt, finishedAt }, deps);
  if (input.kind === 'ended') return writeEndedRun(input, finishedAt, deps);

  const deployment = deploymentRecordOf(input.state, { executionArn: input.executionArn, startedAt: input.startedAt, finishedAt });
  // A deploy that failed before mlops_deploy answered has no runId in its state: the package's metadata has it.
  const runId = input.state.deploy?.runId ?? (await runIdOfVersion(deps.sageMaker, input.state.modelPackageArn));
  // A version without a run (registered by hand) has no run record to extend.
  if (!runId) return deployment.error ? { error: deployment.error } : {};
  const run = runLocation(config, runId);
  const executionName = input.executionArn.split(':').pop()!;
  const deploymentKey = joinKey(run.key, `deployments/${executionName}.json`);
  const runKey = joinKey(run.key, 'run.json');
  await withS3TransientAsRetryable(`writing ${s3Uri(run.bucket, deploymentKey)}`, async () => {
    await putJson(s3, run.bucket, deploymentKey, deployment);
    // The run's record, when the run has ended already (an approval long after it): refresh its deployments.
    const existing = RunRecordSchema.safeParse(await readJson(s3, run.bucket, runKey));
    if (!existing.success) return;
    const deployments = await readDeployments(s3, run.bucket, run.key);
    const deployed = deployments.some((d) => d.status === 'deployed');
    const outcome = existing.data.outcome === 'pending-approval' && deployed ? 'deployed' : existing.data.outcome;
    await putJson(s3, run.bucket, runKey, { ...existing.data, deployments, outcome });
  });
  return { uri: s3Uri(run.bucket, deploymentKey), ...(deployment.error ? { error: deployment.error } : {}) };
}
