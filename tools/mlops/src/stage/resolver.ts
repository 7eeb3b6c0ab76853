/**
 * Stage → target. stages starting with `local` (`local`, `localprod`) live in the offline stack (its endpoints from
 * `.local/stages.json`, the stack's dummy credentials); every other stage is on AWS (the default
 * credential chain, `--region` or AWS_REGION, outputs from CloudFormation).
 */
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { isOfflineStage, type LocalStagesFile } from '@mlops/common';
import { stageOutputsFromStack } from './aws-outputs';
import { localStageOutputs, readLocalStages, STAGES_FILE } from './local-stages';
import type { Clients, StageResolver } from './types';

export interface ResolverOptions {
  /** The folder holding stages.json (MLOPS_LOCAL_DIR, default `<repo>/.local`). */
  localDir: string;
  region?: string;
}

async function offlineClients(file: LocalStagesFile): Promise<Clients> {
  // The offline stack's dummy credentials (loaded only for offline stages: the stack's module is heavy).
  const { LOCAL_CREDENTIALS: credentials } = await import('@mlops/local-stack');
  const region = file.region;
  return {
    s3: new S3Client({ endpoint: file.endpoints.s3, forcePathStyle: true, region, credentials }),
    sageMaker: new SageMakerClient({ endpoint: file.endpoints.sagemaker, region, credentials }),
    // The offline SageMaker serves the runtime's InvokeEndpoint on the same port.
    runtime: new SageMakerRuntimeClient({ endpoint: file.endpoints.sagemaker, region, credentials }),
    sfn: new SFNClient({ endpoint: file.endpoints.stepfunctions, region, credentials }),
    // The offline stack has no CloudFormation: its outputs come from stages.json.
    cloudFormation: new CloudFormationClient({ endpoint: 'http://127.0.0.1:9', region, credentials }),
    ...(file.endpoints.cloudwatch ? { cloudWatch: new CloudWatchClient({ endpoint: file.endpoints.cloudwatch, region, credentials }) } : {}),
    ...(file.endpoints.lambda ? { lambda: new LambdaClient({ endpoint: file.endpoints.lambda, region, credentials }) } : {}),
  };
}

function awsClients(region: string | undefined): Clients {
  const config = region ? { region } : {};
  return {
    s3: new S3Client(config),
    sageMaker: new SageMakerClient(config),
    runtime: new SageMakerRuntimeClient(config),
    sfn: new SFNClient(config),
    cloudFormation: new CloudFormationClient(config),
    cloudWatch: new CloudWatchClient(config),
    lambda: new LambdaClient(config),
  };
}

export function createStageResolver(options: ResolverOptions): StageResolver {
  let offline: Promise<{ file: LocalStagesFile; clients: Clients }> | undefined;
  let aws: Clients | undefined;
  return async (stage) => {
    if (isOfflineStage(stage)) {
      offline ??= readLocalStages(options.localDir).then(async (file) => ({ file, clients: await offlineClients(file) }));
      const { file, clients } = await offline;
      return { stage, offline: true, outputs: localStageOutputs(file, stage, join(options.localDir, STAGES_FILE)), clients, reach: 'offline' };
    }
    aws ??= awsClients(options.region ?? process.env.AWS_REGION);
    const outputs = await stageOutputsFromStack(aws.cloudFormation, stage);
    return { stage, offline: false, outputs, clients: aws, reach: `aws:${options.region ?? process.env.AWS_REGION ?? 'default'}` };
  };
}
