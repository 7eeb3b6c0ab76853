/**
 * Deploys one approved model version to its family's endpoint (`<namePrefix>-<family>`): a model
 * created from the model package (so SageMaker itself records which version serves), an endpoint
 * config per version, then CreateEndpoint when the family has no endpoint yet, or a blue/green
 * UpdateEndpoint when it does. The endpoint name is stable per family so clients keep one name.
 * Nothing is ever deleted: not the live endpoint, not a config in use (earlier versions' configs
 * are the rollback targets).
 */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  type CreateEndpointConfigInput,
  CreateModelCommand,
  type DeploymentConfig,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  type DescribeEndpointOutput,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  type EndpointStatus,
  type ProductionVariantInstanceType,
  type SageMakerClient,
  type TrafficRoutingConfig,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { type CloudWatchClient, PutMetricAlarmCommand, type PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import {
  createOrAdopt,
  type DeployConfig,
  type DeployInput,
  type DeployOutput,
  errorName,
  FamilyNameSchema,
  familyResourceName,
  isAlreadyExists,
  isNotFound,
  modelLabel,
  modelVersionOfArn,
  modelVersionOfEndpointConfig,
  type ModelVersion,
  PACKAGE_METADATA,
  sageMakerName,
  tagValue,
  UnknownStatusError,
  withTransientAsRetryable,
} from '@mlops/common';
import { EndpointNeedsRepairError, ModelNotDeployableError } from './errors';

export interface DeployDeps {
  sageMaker: SageMakerClient;
  cloudWatch: CloudWatchClient;
  config: DeployConfig;
}

export const VARIANT_NAME = 'AllTraffic';

/** The family a version belongs to: its group must be one of this stage's (`<namePrefix>-<family>`). */
export function familyOfVersion(version: ModelVersion, config: DeployConfig): string {
  const prefix = `${config.NAME_PREFIX}-`;
  const family = version.group.startsWith(prefix) ? version.group.slice(prefix.length) : undefined;
  if (!family || !FamilyNameSchema.safeParse(family).success || familyResourceName(config.NAME_PREFIX, family) !== version.group) {
    throw new ModelNotDeployableError(`model package group ${version.group} is not a model family of stage ${config.STAGE} (its groups are ${prefix}<family>); not deploying ${version.arn}`);
  }
  return family;
}

/** The model and the endpoint config of a version share one name: `<namePrefix>-<family>-v<version>`. */
export function versionResourceName(config: DeployConfig, family: string, version: ModelVersion): string {
  return sageMakerName(config.NAME_PREFIX, `${family}-v${version.version}`);
}

function versionTags(config: DeployConfig, family: string, version: ModelVersion, executionArn: string) {
  return [
    { Key: 'mlops:stage', Value: tagValue(config.STAGE) },
    { Key: 'mlops:family', Value: tagValue(family) },
    { Key: 'mlops:version', Value: String(version.version) },
    { Key: 'mlops:execution', Value: tagValue(executionArn) },
  ];
}

export function endpointConfigRequest(input: DeployInput, config: DeployConfig, family: string, version: ModelVersion): CreateEndpointConfigInput {
  const name = versionResourceName(config, family, version);
  return {
    EndpointConfigName: name,
    ProductionVariants: [
      {
        VariantName: VARIANT_NAME,
        ModelName: name,
        // The config only checks the `ml.` prefix; SageMaker validates the type itself.
        InstanceType: config.ENDPOINT_INSTANCE_TYPE as ProductionVariantInstanceType,
        InitialInstanceCount: config.ENDPOINT_INSTANCE_COUNT,
        InitialVariantWeight: 1,
      },
    ],
    Tags: versionTags(config, family, version, input.executionArn),
  };
}

/** The variant every config of the family serves, and the dimension its metrics carry. */
const METRICS_NAMESPACE = 'AWS/SageMaker';

/**
 * The alarms that guard a rollout of `version`, one pair per version so that each starts without
 * data (INSUFFICIENT_DATA) instead of inheriting an older fleet's state: Invocation5XXErrors above
 * the stage's limit per minute, and ModelLatency's p99 (microseconds) above its limit. Their
 * EndpointConfigName dimension is the new fleet's, so the old fleet's errors do not stop the rollout.
 * Named `<namePrefix>-<family>-v<version>-...` under the stage prefix (IAM and teardown rely on it).
 */
export function rolloutAlarms(config: DeployConfig, family: string, version: ModelVersion, endpointName: string, endpointConfigName: string): PutMetricAlarmInput[] {
  const name = versionResourceName(config, family, version);
  const dimensions = [
    { Name: 'EndpointName', Value: endpointName },
    { Name: 'VariantName', Value: VARIANT_NAME },
    { Name: 'EndpointConfigName', Value: endpointConfigName },
  ];
  const common = {
    Namespace: METRICS_NAMESPACE,
    Dimensions: dimensions,
    Period: 60,
    ComparisonOperator: 'GreaterThanThreshold' as const,
    // No traffic is no evidence against the new fleet.
    TreatMissingData: 'notBreaching',
    Tags: [
      { Key: 'mlops:stage', Value: tagValue(config.STAGE) },
      { Key: 'mlops:family', Value: tagValue(family) },
      { Key: 'mlops:version', Value: String(version.version) },
    ],
  };
  return [
    {
      ...common,
      AlarmName: `${name}-invocation-5xx`,
      AlarmDescription: `Rolls back the rollout of ${modelLabel(family, version)} on ${endpointName}: more than ${config.ALARM_5XX_PER_MINUTE} server errors in a minute`,
      MetricName: 'Invocation5XXErrors',
      Statistic: 'Sum',
      EvaluationPeriods: 1,
      Threshold: config.ALARM_5XX_PER_MINUTE,
    },
    {
      ...common,
      AlarmName: `${name}-model-latency-p99`,
      AlarmDescription: `Rolls back the rollout of ${modelLabel(family, version)} on ${endpointName}: p99 model latency above ${config.ALARM_LATENCY_P99_MS} ms`,
      MetricName: 'ModelLatency',
      ExtendedStatistic: 'p99',
      // Two of three minutes: one slow minute (a cold instance) is not a bad model.
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: config.ALARM_LATENCY_P99_MS * 1000,
      Unit: 'Microseconds',
    },
  ];
}

/**
 * Blue/green: SageMaker builds the new fleet beside the old one and shifts traffic once the new
 * one is healthy: all at once, or (canary) CANARY_PERCENT of the new fleet's capacity first, which
 * bakes for CANARY_BAKE_SECONDS before the rest moves. The old fleet stays for
 * TerminationWaitInSeconds (the final bake). If an alarm fires during a bake, or the new fleet never
 * becomes healthy within MaximumExecutionTimeoutInSeconds, SageMaker rolls back to the old config
 * (which mlops_await reports as rolled back, with SageMaker's reason).
 */
export function deploymentConfig(config: DeployConfig, alarmNames: string[]): DeploymentConfig {
  const traffic: TrafficRoutingConfig =
    config.DEPLOYMENT_POLICY === 'canary'
      ? { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: config.CANARY_PERCENT }, WaitIntervalInSeconds: config.CANARY_BAKE_SECONDS }
      : { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 };
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: traffic,
      TerminationWaitInSeconds: config.ENDPOINT_TERMINATION_WAIT_SECONDS,
      MaximumExecutionTimeoutInSeconds: config.ENDPOINT_MAX_EXECUTION_SECONDS,
    },
    AutoRollbackConfiguration: { Alarms: alarmNames.map((AlarmName) => ({ AlarmName })) },
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

/** The version must be an Approved, completed package of one of this stage's families. */
async function approvedVersion(input: DeployInput, { sageMaker, config }: DeployDeps) {
  const version = modelVersionOfArn(input.modelPackageArn);
  const family = familyOfVersion(version, config);
  const label = modelLabel(family, version);
  let described;
  try {
    described = await withTransientAsRetryable(`describing ${input.modelPackageArn}`, () => sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: input.modelPackageArn })));
  } catch (error) {
    if (isNotFound(error)) throw new ModelNotDeployableError(`${label} does not exist (${input.modelPackageArn})`, { cause: error });
    throw error;
  }
  if (described.ModelApprovalStatus !== 'Approved') {
    throw new ModelNotDeployableError(`${label} is ${described.ModelApprovalStatus ?? 'without an approval status'}; only an Approved version is deployed (pnpm mlops approve ${family} ${version.version})`);
  }
  if (described.ModelPackageStatus !== 'Completed') throw new ModelNotDeployableError(`${label} is ${described.ModelPackageStatus}, not Completed`);
  return { version, family, runId: described.CustomerMetadataProperties?.[PACKAGE_METADATA.runId] };
}

/** How long a deploy waits for another rollout on its endpoint before it looks again (the state machine's Wait). */
export const TURN_WAIT_SECONDS = 60;

/**
 * The newest Approved version of the family after `version`, in registry order. Versions of a group
 * are numbered 1, 2, 3... by SageMaker and the pipeline deletes none, so it describes the following
 * ones until one does not exist. (DescribeModelPackage can be scoped to the stage's groups in IAM;
 * ListModelPackages cannot, it needs Resource "*".)
 */
const MAX_NEWER_VERSIONS = 1000;

async function newerApproved(sageMaker: SageMakerClient, version: ModelVersion): Promise<ModelVersion | undefined> {
  let newest: ModelVersion | undefined;
  // Bounded all the same: a group with more versions than this after ours is not something to walk.
  for (let next = version.version + 1; next <= version.version + MAX_NEWER_VERSIONS; next++) {
    const arn = version.arn.replace(/\/\d+$/, `/${next}`);
    let described;
    try {
      described = await withTransientAsRetryable(`describing ${arn}`, () => sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn })));
    } catch (error) {
      if (isNotFound(error)) return newest;
      throw error;
    }
    if (described.ModelPackageVersion !== next) return newest; // not the version asked for: stop walking
    if (described.ModelApprovalStatus === 'Approved') newest = modelVersionOfArn(arn);
  }
  return newest;
}

/**
 * Deploys of one endpoint are serialized by SageMaker itself: UpdateEndpoint is refused while the
 * endpoint is not InService, so at most one rollout runs at a time. A deploy that finds the endpoint
 * busy returns `busy` and the state machine waits its turn (a visible Wait, bounded); once the
 * endpoint is free, a deploy whose version is no longer the family's newest Approved one returns
 * `superseded` and changes nothing. The check is made on every free turn and again right before
 * UpdateEndpoint, so after a burst the newest approved version is the one left live, whatever order
 * the rollouts finished in. (The race this closes: two deploys that both saw InService; SageMaker
 * accepts one UpdateEndpoint and refuses the other, which waits a turn and then finds the newer
 * version registered, or deploys its own if it is the newest.)
 */
export async function deployModel(input: DeployInput, deps: DeployDeps): Promise<DeployOutput> {
  const { sageMaker, config } = deps;
  const { version, family, runId } = await approvedVersion(input, deps);
  // Each family has its own endpoint per stage; two families never touch each other's.
  const endpointName = familyResourceName(config.NAME_PREFIX, family);
  const modelName = versionResourceName(config, family, version);
  const endpointConfigName = modelName;
  const done = (action: DeployOutput['action'], more: Partial<DeployOutput> = {}): DeployOutput => ({
    family,
    modelVersion: version,
    ...(runId ? { runId } : {}),
    modelName,
    endpointName,
    endpointConfigName,
    action,
    ...more,
  });
  const busy = (because: string): DeployOutput => done('busy', { busyBecause: because, attempt: input.attempt + 1, waitSeconds: TURN_WAIT_SECONDS });

  // Another rollout in flight: wait a turn before anything else, so a waiting turn is two calls that
  // succeed, not ten of which several end in an expected error ("already exists", the registry
  // walk's last "does not exist"): fewer calls to throttle, and a faulted call that ends in an error
  // never gives back the SDK retry tokens it spent.
  const waiting = rolloutInFlight(endpointName, await describeEndpoint(sageMaker, endpointName), endpointConfigName);
  if (waiting) return busy(waiting);

  // A rollback deploys an older version on purpose; any other deploy yields to a newer approved one.
  if (input.reason !== 'rollback') {
    const newer = await newerApproved(sageMaker, version);
    if (newer) return done('superseded', { supersededBy: newer });
  }

  await createOrAdopt({
    resource: `model ${modelName}`,
    create: () =>
      sageMaker.send(
        new CreateModelCommand({
          ModelName: modelName,
          // From the package: DescribeModel then names the version, which is how the champion is found.
          PrimaryContainer: { ModelPackageName: version.arn },
          ExecutionRoleArn: config.SAGEMAKER_ROLE_ARN,
          Tags: versionTags(config, family, version, input.executionArn),
        }),
      ),
    describe: () => sageMaker.send(new DescribeModelCommand({ ModelName: modelName })),
    foreignBecause: (existing) => {
      const source = existing.PrimaryContainer?.ModelPackageName;
      return source === version.arn ? undefined : `it was created from ${source ?? 'no model package'}, not ${version.arn}`;
    },
  });
  await createOrAdopt({
    resource: `endpoint config ${endpointConfigName}`,
    create: () => sageMaker.send(new CreateEndpointConfigCommand(endpointConfigRequest(input, config, family, version))),
    describe: () => sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpointConfigName })),
    foreignBecause: (existing) => {
      const models = (existing.ProductionVariants ?? []).map((v) => v.ModelName);
      return models.length === 1 && models[0] === modelName ? undefined : `it serves ${models.join(', ') || 'no model'}, not ${modelName}`;
    },
  });

  // Before the endpoint changes: the update names them, and a created endpoint is watched by them too.
  // PutMetricAlarm creates or replaces, so a retried deploy puts the same alarms again.
  const alarms = rolloutAlarms(config, family, version, endpointName, endpointConfigName);
  for (const alarm of alarms) {
    await withTransientAsRetryable(`putting alarm ${alarm.AlarmName}`, () => deps.cloudWatch.send(new PutMetricAlarmCommand(alarm)));
  }

  const endpoint = await describeEndpoint(sageMaker, endpointName);
  if (!endpoint) {
    try {
      await withTransientAsRetryable(`creating endpoint ${endpointName}`, () =>
        // The endpoint outlives runs, so it carries the stage only; each config carries its run.
        sageMaker.send(new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: endpointConfigName, Tags: [{ Key: 'mlops:stage', Value: tagValue(config.STAGE) }, { Key: 'mlops:family', Value: tagValue(family) }] })),
      );
    } catch (error) {
      // Another deploy created it since our Describe: its rollout holds the endpoint now.
      if (isAlreadyExists(error)) return busy(`endpoint ${endpointName} was created by another deploy`);
      throw error;
    }
    return done('created');
  }

  const current = endpoint.EndpointConfigName;
  // A retry after our own CreateEndpoint or UpdateEndpoint went through: the poll loop takes it from here.
  if (current === endpointConfigName) return done('unchanged');
  if (endpoint.PendingDeploymentSummary?.EndpointConfigName === endpointConfigName) {
    return done('updated', current ? { previousConfigName: current } : {});
  }

  const status = endpoint.EndpointStatus;
  if (status === undefined || !Object.hasOwn(ON_STATUS, status)) {
    throw new UnknownStatusError(`endpoint ${endpointName} reports status '${status ?? '(none)'}', which this pipeline does not know; not deploying to it`);
  }
  switch (ON_STATUS[status]) {
    case 'wait':
      return busy(rolloutInFlight(endpointName, endpoint, endpointConfigName)!);
    case 'repair':
      throw new EndpointNeedsRepairError(
        `endpoint ${endpointName} is ${status}${endpoint.FailureReason ? ` (${endpoint.FailureReason})` : ''} and cannot be updated; ` +
          `an operator must repair it (or delete it so the next run recreates it): the pipeline never deletes a live endpoint`,
      );
    case 'update': {
      // Checked again right before the update: the version may have been superseded while this deploy
      // created its model and config (a newer version registered, or even rolled out meanwhile).
      const newer = input.reason === 'rollback' ? undefined : await newerThanOurs(sageMaker, version, current);
      if (newer) return done('superseded', { supersededBy: newer });
      try {
        await withTransientAsRetryable(`updating endpoint ${endpointName}`, () =>
          sageMaker.send(new UpdateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: endpointConfigName, DeploymentConfig: deploymentConfig(config, alarms.map((a) => a.AlarmName!)) })),
        );
      } catch (error) {
        // Another rollout started since our Describe ("Cannot update in-progress endpoint"): wait a turn.
        if (errorName(error) === 'ValidationException' && /in-progress|in progress/i.test((error as Error).message)) {
          return busy(`endpoint ${endpointName} became busy before the update`);
        }
        throw error;
      }
      return done('updated', current ? { previousConfigName: current } : {});
    }
  }
}

/** Why the endpoint cannot take our rollout yet (another change is in flight), or undefined. */
function rolloutInFlight(endpointName: string, endpoint: DescribeEndpointOutput | undefined, endpointConfigName: string): string | undefined {
  if (!endpoint || endpoint.EndpointConfigName === endpointConfigName || endpoint.PendingDeploymentSummary?.EndpointConfigName === endpointConfigName) return undefined;
  const status = endpoint.EndpointStatus;
  if (status === undefined || !Object.hasOwn(ON_STATUS, status) || ON_STATUS[status] !== 'wait') return undefined;
  const pending = endpoint.PendingDeploymentSummary?.EndpointConfigName;
  return `endpoint ${endpointName} is ${status}${pending ? ` (rolling out ${pending})` : ''}`;
}

/** A newer approved version of the family, or the version the endpoint serves if it is newer than ours. */
async function newerThanOurs(sageMaker: SageMakerClient, version: ModelVersion, servingConfig: string | undefined): Promise<ModelVersion | undefined> {
  const newer = await newerApproved(sageMaker, version);
  if (newer) return newer;
  const serving = servingConfig ? await modelVersionOfEndpointConfig(sageMaker, servingConfig) : undefined;
  return serving && serving.group === version.group && serving.version > version.version ? serving : undefined;
}

