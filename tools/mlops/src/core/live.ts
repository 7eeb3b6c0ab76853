/**
 * The live version of a family: DescribeEndpoint → its EndpointConfig → the first variant's model →
 * the model package it was created from (the deploy creates the model from the package).
 */
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { isNotFound, modelVersionOfArn, type ModelVersion } from '@mlops/common';

export interface LiveModel {
  endpointName: string;
  endpointStatus: string;
  endpointConfigName: string;
  modelName?: string;
  /** Absent when the endpoint's model was not created from a versioned package. */
  modelVersion?: ModelVersion;
}

/** The family's endpoint and the version it serves, or undefined when the stage has no endpoint for it. */
export async function liveModel(sageMaker: SageMakerClient, endpointName: string): Promise<LiveModel | undefined> {
  let endpoint;
  try {
    endpoint = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const live: LiveModel = { endpointName, endpointStatus: endpoint.EndpointStatus ?? 'Unknown', endpointConfigName: endpoint.EndpointConfigName ?? '' };
  if (!endpoint.EndpointConfigName) return live;
  const config = await sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }));
  live.modelName = config.ProductionVariants?.[0]?.ModelName;
  if (!live.modelName) return live;
  const model = await sageMaker.send(new DescribeModelCommand({ ModelName: live.modelName }));
  const packageName = model.PrimaryContainer?.ModelPackageName ?? model.Containers?.[0]?.ModelPackageName;
  if (packageName) {
    try {
      live.modelVersion = modelVersionOfArn(packageName);
    } catch {
      // an unversioned package name: not a registry version
    }
  }
  return live;
}
