/**
 * Normalizes what Describe* reports into the pipeline's three states. Every status SageMaker
 * documents maps somewhere (the tables are typed by the SDK's enums, so a missing one does not
 * compile); a status it does not document is an error rather than a guess.
 */
import type {
  DescribeEndpointOutput,
  DescribeTrainingJobResponse,
  DescribeTransformJobResponse,
  DescribeProcessingJobResponse,
  EndpointStatus,
  ProcessingJobStatus,
  TrainingJobStatus,
  TransformJobStatus,
} from '@aws-sdk/client-sagemaker';
import { type AwaitOutput, type PollState, type ResourceKind, UnknownStatusError } from '@mlops/common';

export interface Observation {
  state: PollState;
  /**
   * For an endpoint whose rollout of the expected config is over without it being live: the config
   * it serves instead. Whether that is a rollback or a newer version's rollout needs that config's
   * version (await.ts resolves it).
   */
  servesInstead?: string;
  status: string;
  secondaryStatus?: string;
  message: string;
  outputs: AwaitOutput['outputs'];
  /** Where elapsed time counts from: job creation, or the endpoint's last change. */
  since?: Date;
}

const TRAINING: Record<TrainingJobStatus, PollState> = {
  InProgress: 'InProgress',
  Stopping: 'InProgress',
  Completed: 'Succeeded',
  Failed: 'Failed',
  // Nobody stops our jobs on purpose except a deadline (ours or MaxRuntimeInSeconds): no model.
  Stopped: 'Failed',
  Deleting: 'Failed',
};

const TRANSFORM: Record<TransformJobStatus, PollState> = {
  InProgress: 'InProgress',
  Stopping: 'InProgress',
  Completed: 'Succeeded',
  Failed: 'Failed',
  Stopped: 'Failed',
};

const PROCESSING: Record<ProcessingJobStatus, PollState> = {
  InProgress: 'InProgress',
  Stopping: 'InProgress',
  Completed: 'Succeeded',
  Failed: 'Failed',
  // As for training: only a deadline (ours or MaxRuntimeInSeconds) stops a processing job.
  Stopped: 'Failed',
};

const ENDPOINT: Record<EndpointStatus, PollState> = {
  Creating: 'InProgress',
  Updating: 'InProgress',
  SystemUpdating: 'InProgress',
  RollingBack: 'InProgress',
  // Succeeded only on the expected config; see observeEndpoint.
  InService: 'Succeeded',
  Failed: 'Failed',
  UpdateRollbackFailed: 'Failed',
  OutOfService: 'Failed',
  Deleting: 'Failed',
};

function lookup<S extends string>(table: Record<S, PollState>, kind: ResourceKind, name: string, status: string | undefined): { state: PollState; status: S } {
  if (status !== undefined && Object.hasOwn(table, status)) return { state: table[status as S], status: status as S };
  throw new UnknownStatusError(`${kind} ${name} reports status '${status ?? '(none)'}', which this pipeline does not know; refusing to guess its outcome`);
}

const because = (reason: string | undefined) => (reason ? `: ${reason}` : '');

export function observeTrainingJob(name: string, job: DescribeTrainingJobResponse): Observation {
  const { state, status } = lookup(TRAINING, 'training', name, job.TrainingJobStatus);
  const secondaryStatus = job.SecondaryStatus;
  const base = { status, secondaryStatus, since: job.CreationTime, outputs: {} };
  if (state === 'InProgress') {
    return { ...base, state, message: `training job ${name} is ${status}${secondaryStatus ? ` (${secondaryStatus})` : ''}` };
  }
  if (status === 'Completed') {
    const modelArtifacts = job.ModelArtifacts?.S3ModelArtifacts;
    if (!modelArtifacts) return { ...base, state: 'Failed', message: `training job ${name} completed but reported no model artifacts` };
    return { ...base, state, message: `training job ${name} completed; model artifacts at ${modelArtifacts}`, outputs: { modelArtifacts } };
  }
  if (status === 'Stopped') {
    const limit = secondaryStatus === 'MaxRuntimeExceeded' ? ` after running past its ${job.StoppingCondition?.MaxRuntimeInSeconds ?? '?'} s MaxRuntimeInSeconds` : '';
    return { ...base, state, message: `training job ${name} was stopped (${secondaryStatus ?? 'Stopped'})${limit}${because(job.FailureReason)}` };
  }
  if (status === 'Deleting') return { ...base, state, message: `training job ${name} is being deleted` };
  return { ...base, state, message: `training job ${name} failed${because(job.FailureReason ?? 'SageMaker gave no reason')}` };
}

export function observeTransformJob(name: string, job: DescribeTransformJobResponse): Observation {
  const { state, status } = lookup(TRANSFORM, 'transform', name, job.TransformJobStatus);
  const base = { status, since: job.CreationTime, outputs: {} };
  if (state === 'InProgress') return { ...base, state, message: `transform job ${name} is ${status}` };
  if (status === 'Completed') {
    const transformOutput = job.TransformOutput?.S3OutputPath;
    if (!transformOutput) return { ...base, state: 'Failed', message: `transform job ${name} completed but reported no output path` };
    return { ...base, state, message: `transform job ${name} completed; predictions under ${transformOutput}`, outputs: { transformOutput } };
  }
  if (status === 'Stopped') return { ...base, state, message: `transform job ${name} was stopped${because(job.FailureReason)}` };
  return { ...base, state, message: `transform job ${name} failed${because(job.FailureReason ?? 'SageMaker gave no reason')}` };
}

/**
 * A processing job's outputs are the run's own locations (the request names them), so success
 * carries no outputs; SageMaker's failure text is FailureReason (for a container that exited non-zero
 * only "AlgorithmError: See job logs"), the container's own is ExitMessage: both are kept.
 */
export function observeProcessingJob(name: string, job: DescribeProcessingJobResponse): Observation {
  const { state, status } = lookup(PROCESSING, 'processing', name, job.ProcessingJobStatus);
  const base = { status, since: job.CreationTime, outputs: {} };
  if (state === 'InProgress') return { ...base, state, message: `processing job ${name} is ${status}` };
  if (status === 'Completed') return { ...base, state, message: `processing job ${name} completed` };
  const reason = job.FailureReason && job.ExitMessage ? `${job.FailureReason}; the container said: ${job.ExitMessage}` : (job.FailureReason ?? job.ExitMessage);
  if (status === 'Stopped') {
    const limit = job.StoppingCondition?.MaxRuntimeInSeconds ? ` (MaxRuntimeInSeconds ${job.StoppingCondition.MaxRuntimeInSeconds} s)` : '';
    return { ...base, state, message: `processing job ${name} was stopped${limit}${because(reason)}` };
  }
  return { ...base, state, message: `processing job ${name} failed${because(reason ?? 'SageMaker gave no reason')}` };
}

/**
 * A blue/green update that fails rolls back to the old fleet and reports InService again, so
 * InService only means success on the config the deploy asked for.
 */
export function observeEndpoint(name: string, endpoint: DescribeEndpointOutput, expectedConfigName?: string): Observation {
  const { state, status } = lookup(ENDPOINT, 'endpoint', name, endpoint.EndpointStatus);
  const config = endpoint.EndpointConfigName;
  const base = { status, since: endpoint.LastModifiedTime, outputs: config ? { endpointConfigName: config } : {} };
  const rolledBack = {
    ...base,
    state: 'RolledBack' as const,
    message: `update rolled back: endpoint ${name} still serves config ${config}, not ${expectedConfigName}${because(endpoint.FailureReason)}`,
    servesInstead: config,
  };
  if (state === 'InProgress') {
    const pending = endpoint.PendingDeploymentSummary?.EndpointConfigName;
    // Another rollout started after ours ended (deploys of one endpoint take turns): ours is over.
    if (status === 'Updating' && expectedConfigName !== undefined && pending !== undefined && pending !== expectedConfigName) {
      if (config === expectedConfigName) return { ...base, state: 'Succeeded', message: `endpoint ${name} serves config ${config}; a later rollout (${pending}) has started` };
      return rolledBack;
    }
    return { ...base, state, message: `endpoint ${name} is ${status}` };
  }
  if (status === 'InService') {
    if (expectedConfigName === undefined || config === expectedConfigName) {
      return { ...base, state, message: `endpoint ${name} is InService on config ${config}` };
    }
    return rolledBack;
  }
  if (status === 'Deleting') return { ...base, state, message: `endpoint ${name} is being deleted` };
  const reason = endpoint.FailureReason ?? (status === 'OutOfService' ? 'it is not available to serve requests' : 'SageMaker gave no reason');
  return { ...base, state, message: `endpoint ${name} is ${status}: ${reason}` };
}
