import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { StageOutputs } from '@mlops/common';

/** The SDK clients every command works with (injected: tests pass mocks). */
export interface Clients {
  s3: S3Client;
  sageMaker: SageMakerClient;
  /** SageMaker Runtime (InvokeEndpoint): offline, the same endpoint as SageMaker's. */
  runtime: SageMakerRuntimeClient;
  sfn: SFNClient;
  cloudFormation: CloudFormationClient;
  /** Absent for an offline stack started before it had a CloudWatch. */
  cloudWatch?: CloudWatchClient;
  /** Absent for an offline stack started before it served Lambda's Invoke API. */
  lambda?: LambdaClient;
}

/** A stage the CLI acts on: its outputs and the clients that reach it. */
export interface StageTarget {
  stage: string;
  offline: boolean;
  outputs: StageOutputs;
  clients: Clients;
  /** Stages with the same `reach` are served by the same clients (one S3 client sees both buckets). */
  reach: string;
}

/** Resolves a stage name to its target; throws an OperationError naming the stage when it is not deployed. */
export type StageResolver = (stage: string) => Promise<StageTarget>;
