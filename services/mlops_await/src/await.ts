/**
 * One poll of a training, transform or processing job or an endpoint: describe it, normalize its status, enforce
 * its deadline, and tell the state machine how long to wait before the next poll.
 */
import {
  DescribeEndpointCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  type SageMakerClient,
  StopProcessingJobCommand,
  StopTrainingJobCommand,
  StopTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import { type AwaitConfig, type AwaitInput, type AwaitOutput, errorName, isNotFound, modelVersionOfArn, modelVersionOfEndpointConfig, PollDeadlineExceededError, withTransientAsRetryable } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { SageMakerResourceMissingError } from './errors';
import { nextWaitSeconds } from './poll-policy';
import { type Observation, observeEndpoint, observeProcessingJob, observeTrainingJob, observeTransformJob } from './status';

export interface AwaitDeps {
  sageMaker: SageMakerClient;
  config: AwaitConfig;
  now?: () => Date;
}

/**
 * SageMaker stops a training job at its MaxRuntimeInSeconds by itself. Elapsed time here counts from
 * creation, which includes queueing and instance launch, so the margin keeps this deadline for jobs
 * SageMaker failed to stop (or that never got to run).
 */
export const TRAINING_DEADLINE_MARGIN_SECONDS = 600;

/** A processing job without a StoppingCondition runs up to SageMaker's default MaxRuntimeInSeconds: one day. */
export const PROCESSING_DEFAULT_MAX_RUNTIME_SECONDS = 86_400;

interface Target {
  noun: string;
  /** Describes the resource; its deadline is in seconds of elapsed time. */
  observe: () => Promise<Observation & { deadlineSeconds: number }>;
  /** Stops it; absent for endpoints, which are never torn down by the pipeline. */
  stop?: () => Promise<unknown>;
}

function targetOf({ kind, name, expectedConfigName }: AwaitInput, { sageMaker, config }: AwaitDeps): Target {
  switch (kind) {
    case 'training':
      return {
        noun: 'training job',
        observe: async () => {
          const job = await sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
          // The job's own limit, which is what SageMaker enforces; the config is the fallback.
          const maxRuntime = job.StoppingCondition?.MaxRuntimeInSeconds ?? config.TRAINING_MAX_RUNTIME_SECONDS;
          return { ...observeTrainingJob(name, job), deadlineSeconds: maxRuntime + TRAINING_DEADLINE_MARGIN_SECONDS };
        },
        stop: () => sageMaker.send(new StopTrainingJobCommand({ TrainingJobName: name })),
      };
    case 'transform':
      return {
        noun: 'transform job',
        observe: async () => {
          const job = await sageMaker.send(new DescribeTransformJobCommand({ TransformJobName: name }));
          return { ...observeTransformJob(name, job), deadlineSeconds: config.TRANSFORM_DEADLINE_SECONDS };
        },
        stop: () => sageMaker.send(new StopTransformJobCommand({ TransformJobName: name })),
      };
    case 'processing':
      return {
        noun: 'processing job',
        observe: async () => {
          const job = await sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
          // SageMaker enforces the job's limit; the margin is for a job it failed to stop, as for training.
          const maxRuntime = job.StoppingCondition?.MaxRuntimeInSeconds ?? PROCESSING_DEFAULT_MAX_RUNTIME_SECONDS;
          return { ...observeProcessingJob(name, job), deadlineSeconds: maxRuntime + TRAINING_DEADLINE_MARGIN_SECONDS };
        },
        stop: () => sageMaker.send(new StopProcessingJobCommand({ ProcessingJobName: name })),
      };
    case 'endpoint':
      return {
        noun: 'endpoint',
        observe: async () => {
          const endpoint = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: name }));
          return { ...observeEndpoint(name, endpoint, expectedConfigName), deadlineSeconds: config.ENDPOINT_DEADLINE_SECONDS };
        },
      };
  }
}

async function observe(target: Target, name: string): Promise<Observation & { deadlineSeconds: number }> {
  try {
    return await withTransientAsRetryable(`describing ${target.noun} ${name}`, target.observe);
  } catch (error) {
    if (isNotFound(error)) throw new SageMakerResourceMissingError(`${target.noun} ${name} does not exist: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

/** Stops a job past its deadline (endpoints are left alone); says what happened, for the error. */
async function stopPastDeadline(target: Target, name: string, status: string): Promise<string> {
  if (!target.stop) return 'left it as it is (the pipeline never tears down an endpoint)';
  if (status === 'Stopping') return 'it is already stopping';
  try {
    await withTransientAsRetryable(`stopping ${target.noun} ${name}`, target.stop);
    return 'stopped it';
  } catch (error) {
    // The job ended between Describe and Stop: nothing left to stop.
    if (errorName(error) !== 'ValidationException') throw error;
    logger.info('job past its deadline was no longer stoppable', { name, error: (error as Error).message });
    return `it could not be stopped (${(error as Error).message})`;
  }
}


/**
 * The endpoint serves another config than ours once our rollout is over. If that config is a newer
 * version of the same family, a later deploy took its turn after ours: superseded, not rolled back.
 */
async function resolveOtherConfig<T extends Observation>(observation: T, input: AwaitInput, deps: AwaitDeps): Promise<T> {
  if (!observation.servesInstead || !input.modelPackageArn) return observation;
  const ours = modelVersionOfArn(input.modelPackageArn);
  const serving = await modelVersionOfEndpointConfig(deps.sageMaker, observation.servesInstead);
  if (!serving || serving.group !== ours.group || serving.version <= ours.version) return observation;
  return {
    ...observation,
    state: 'Superseded',
    message: `superseded: endpoint ${input.name} serves version ${serving.version} of ${ours.group} (config ${observation.servesInstead}), newer than version ${ours.version}`,
  };
}

export async function pollResource(input: AwaitInput, deps: AwaitDeps): Promise<AwaitOutput> {
  const { kind, name } = input;
  const target = targetOf(input, deps);
  const observation = await resolveOtherConfig(await observe(target, name), input, deps);
  if (!observation.since) throw new Error(`SageMaker described ${target.noun} ${name} without a creation or modification time`);
  const now = (deps.now ?? (() => new Date()))();
  const elapsedSeconds = Math.max(0, Math.floor((now.getTime() - observation.since.getTime()) / 1000));
  const { state, status, secondaryStatus, message, outputs, deadlineSeconds } = observation;

  if (state === 'InProgress' && elapsedSeconds > deadlineSeconds) {
    const action = await stopPastDeadline(target, name, status);
    throw new PollDeadlineExceededError(`${target.noun} ${name} is still ${status} after ${elapsedSeconds} s, past its ${deadlineSeconds} s deadline; ${action}`);
  }

  const waitSeconds = state === 'InProgress' ? nextWaitSeconds({ kind, status, secondaryStatus, elapsedSeconds, deadlineSeconds }) : 0;
  return {
    kind,
    name,
    state,
    status,
    ...(secondaryStatus ? { secondaryStatus } : {}),
    message,
    waitSeconds,
    attempt: input.attempt + 1,
    elapsedSeconds,
    outputs,
  };
}
