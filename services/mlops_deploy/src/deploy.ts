/**
 * Points the stage's endpoint at the run's model: a new endpoint config per run, then
 * CreateEndpoint when the stage has no endpoint yet, or a blue/green UpdateEndpoint when it does.
 * The endpoint name is stable per stage so clients keep one name. Nothing is ever deleted: not the
 * live endpoint, not a config in use (old configs are the rollback targets).
 */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  type CreateEndpointConfigInput,
  type DeploymentConfig,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  type DescribeEndpointOutput,
  type EndpointStatus,
  type ProductionVariantInstanceType,
  type SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import {
  createOrAdopt,
  type DeployConfig,
  type DeployInput,
  type DeployOutput,
  errorName,
  isAlreadyExists,
  isNotFound,
  runTags,
  SageMakerTransientError,
  sageMakerName,
  tagValue,
  UnknownStatusError,
  withTransientAsRetryable,
  familyResourceName,
} from '@mlops/common';
import { EndpointNeedsRepairError } from './errors';

export interface DeployDeps {
  sageMaker: SageMakerClient;
  config: DeployConfig;
}

export const VARIANT_NAME = 'AllTraffic';

/** One config per run (and so per model): never changed after creation, it stays a rollback target. */
export function endpointConfigNameFor(input: DeployInput, config: DeployConfig): string {
  return sageMakerName(config.NAME_PREFIX, input.run.runId);
}

export function endpointConfigRequest(input: DeployInput, config: DeployConfig): CreateEndpointConfigInput {
  return {
    EndpointConfigName: endpointConfigNameFor(input, config),
    ProductionVariants: [
      {
        VariantName: VARIANT_NAME,
        ModelName: input.modelName,
        // The config only checks the `ml.` prefix; SageMaker validates the type itself.
        InstanceType: config.ENDPOINT_INSTANCE_TYPE as ProductionVariantInstanceType,
        InitialInstanceCount: config.ENDPOINT_INSTANCE_COUNT,
        InitialVariantWeight: 1,
      },
    ],
    Tags: runTags({ stage: config.STAGE, runId: input.run.runId, executionArn: input.executionArn }),
  };
}

/**
 * Blue/green: SageMaker builds the new fleet beside the old one, shifts all traffic once the new
 * one is healthy, and keeps the old fleet for TerminationWaitInSeconds; if the new fleet never
 * becomes healthy within MaximumExecutionTimeoutInSeconds it rolls back to the old config (which
 * mlops_await reports as a failed deploy). AutoRollbackConfiguration is left out: it requires
 * CloudWatch alarms (at least one) and the stage defines none yet; with alarms it would also roll
 * back on bad metrics during the termination wait.
 */
export function deploymentConfig(config: DeployConfig): DeploymentConfig {
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
      TerminationWaitInSeconds: config.ENDPOINT_TERMINATION_WAIT_SECONDS,
      MaximumExecutionTimeoutInSeconds: config.ENDPOINT_MAX_EXECUTION_SECONDS,
    },
  };
}

/** What to do with an existing endpoint that is not on this run's config yet. */
const ON_STATUS: Record<EndpointStatus, 'update' | 'wait' | 'repair'> = {
  InService: 'update',
  // Another change is in flight: try again once it settles (the state machine retries this).
  Creating: 'wait',
  Updating: 'wait',
  SystemUpdating: 'wait',
  RollingBack: 'wait',
  Deleting: 'wait',
  // SageMaker cannot update these; an operator must look, and the pipeline never deletes a live endpoint.
  Failed: 'repair',
  UpdateRollbackFailed: 'repair',
  OutOfService: 'repair',
};

async function describeEndpoint(sageMaker: SageMakerClient, name: string): Promise<DescribeEndpointOutput | undefined> {
  try {
    return await withTransientAsRetryable(`describing endpoint ${name}`, () => sageMaker.send(new DescribeEndpointCommand({ EndpointName: name })));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function deployModel(input: DeployInput, { sageMaker, config }: DeployDeps): Promise<DeployOutput> {
  // Each family has its own endpoint per stage; two families never touch each other's.
  const endpointName = familyResourceName(config.NAME_PREFIX, input.run.family);
  const endpointConfigName = endpointConfigNameFor(input, config);

  await createOrAdopt({
    resource: `endpoint config ${endpointConfigName}`,
    create: () => sageMaker.send(new CreateEndpointConfigCommand(endpointConfigRequest(input, config))),
    describe: () => sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpointConfigName })),
    foreignBecause: (existing) => {
      const models = (existing.ProductionVariants ?? []).map((v) => v.ModelName);
      return models.length === 1 && models[0] === input.modelName ? undefined : `it serves ${models.join(', ') || 'no model'}, not ${input.modelName}`;
    },
  });

  const endpoint = await describeEndpoint(sageMaker, endpointName);
  if (!endpoint) {
    try {
      await withTransientAsRetryable(`creating endpoint ${endpointName}`, () =>
        // The endpoint outlives runs, so it carries the stage only; each config carries its run.
        sageMaker.send(new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: endpointConfigName, Tags: [{ Key: 'mlops:stage', Value: tagValue(config.STAGE) }, { Key: 'mlops:family', Value: tagValue(input.run.family) }] })),
      );
    } catch (error) {
      // Another deploy created it since our Describe: start over, and update it then.
      if (isAlreadyExists(error)) throw new SageMakerTransientError(`endpoint ${endpointName} was created concurrently; retrying the deploy`, { cause: error });
      throw error;
    }
    return { endpointName, endpointConfigName, action: 'created' };
  }

  const current = endpoint.EndpointConfigName;
  const previous = current ? { previousConfigName: current } : {};
  // A retry after our own CreateEndpoint or UpdateEndpoint went through: the poll loop takes it from here.
  if (current === endpointConfigName) return { endpointName, endpointConfigName, action: 'unchanged' };
  if (endpoint.PendingDeploymentSummary?.EndpointConfigName === endpointConfigName) {
    return { endpointName, endpointConfigName, action: 'updated', ...previous };
  }

  const status = endpoint.EndpointStatus;
  if (status === undefined || !Object.hasOwn(ON_STATUS, status)) {
    throw new UnknownStatusError(`endpoint ${endpointName} reports status '${status ?? '(none)'}', which this pipeline does not know; not deploying to it`);
  }
  switch (ON_STATUS[status]) {
    case 'wait':
      throw new SageMakerTransientError(`endpoint ${endpointName} is ${status}; deploying ${endpointConfigName} once it settles`);
    case 'repair':
      throw new EndpointNeedsRepairError(
        `endpoint ${endpointName} is ${status}${endpoint.FailureReason ? ` (${endpoint.FailureReason})` : ''} and cannot be updated; ` +
          `an operator must repair it (or delete it so the next run recreates it): the pipeline never deletes a live endpoint`,
      );
    case 'update':
      try {
        await withTransientAsRetryable(`updating endpoint ${endpointName}`, () =>
          sageMaker.send(new UpdateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: endpointConfigName, DeploymentConfig: deploymentConfig(config) })),
        );
      } catch (error) {
        // It left InService since our Describe ("Cannot update in-progress endpoint"): retry later.
        if (errorName(error) === 'ValidationException' && /in-progress|in progress/i.test((error as Error).message)) {
          throw new SageMakerTransientError(`endpoint ${endpointName} became busy before the update; retrying the deploy`, { cause: error });
        }
        throw error;
      }
      return { endpointName, endpointConfigName, action: 'updated', ...previous };
  }
}
