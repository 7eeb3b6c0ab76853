/**
 * The family's champion: the model its endpoint serves when a run reaches evaluation. Read from
 * SageMaker itself (endpoint → config → model → the model package it was created from), so there is
 * no second record of "what is live" to drift from the truth.
 */
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, type EndpointStatus, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { type Champion, isNotFound, modelVersionOfArn, withTransientAsRetryable } from '@mlops/common';
import { logger } from '@mlops/common/lambda';

/** Statuses in which the endpoint's current config serves traffic (an update keeps the old fleet serving). */
const SERVING: ReadonlySet<EndpointStatus> = new Set<EndpointStatus>(['InService', 'Updating', 'SystemUpdating', 'RollingBack', 'UpdateRollbackFailed']);

export async function findChampion(sageMaker: SageMakerClient, endpointName: string): Promise<Champion | undefined> {
  let endpoint;
  try {
    endpoint = await withTransientAsRetryable(`describing endpoint ${endpointName}`, () => sageMaker.send(new DescribeEndpointCommand({ EndpointName: endpointName })));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const status = endpoint.EndpointStatus;
  const endpointConfigName = endpoint.EndpointConfigName;
  if (!status || !SERVING.has(status) || !endpointConfigName) {
    // Creating, Failed, OutOfService, Deleting: no model answers, so there is nothing to compare with.
    logger.warn('the family endpoint serves no model; judging the challenger by the threshold alone', { endpointName, status });
    return undefined;
  }
  const config = await withTransientAsRetryable(`describing endpoint config ${endpointConfigName}`, () =>
    sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpointConfigName })),
  );
  // The pipeline's configs have one variant; with more, the one with the most weight serves most traffic.
  const variant = [...(config.ProductionVariants ?? [])].sort((a, b) => (b.InitialVariantWeight ?? 1) - (a.InitialVariantWeight ?? 1))[0];
  const modelName = variant?.ModelName;
  if (!modelName) return undefined;
  const model = await withTransientAsRetryable(`describing model ${modelName}`, () => sageMaker.send(new DescribeModelCommand({ ModelName: modelName })));
  const packageArn = model.PrimaryContainer?.ModelPackageName;
  let modelVersion;
  try {
    modelVersion = packageArn ? modelVersionOfArn(packageArn) : undefined;
  } catch {
    modelVersion = undefined; // a model package outside any group: still the champion, without a version
  }
  return { endpointName, endpointConfigName, modelName, ...(modelVersion ? { modelVersion } : {}) };
}
