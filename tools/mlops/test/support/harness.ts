/** The CLI over mocked clients: two offline stages (`local`: auto approval, `localprod`: manual) and an AWS stage. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CopyObjectCommand, type CopyObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { StageOutputs } from '@mlops/common';
import { FakeBucket } from '@mlops/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { OperationError, runCli, type Clients, type StageTarget } from '../../src';
import { FakeRegistry } from './fake-registry';

export const sm = mockClient(SageMakerClient);
export const s3 = mockClient(S3Client);
export const sfn = mockClient(SFNClient);
export const cfn = mockClient(CloudFormationClient);
export const lambda = mockClient(LambdaClient);
export const runtime = mockClient(SageMakerRuntimeClient);

export const outputs = (stage: string, approval: 'auto' | 'manual'): StageOutputs => ({
  DataBucketName: `mlops-${stage}-data`,
  PipelineStateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:mlops-${stage}-pipeline`,
  DeployStateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:mlops-${stage}-deploy`,
  NamePrefix: `mlops-${stage}`,
  RunsPrefix: 'runs/',
  ApprovalPolicy: approval,
  IngestFunctionName: `mlops-${stage}-mlops_ingest`,
});

export const STAGES: Record<string, StageOutputs> = { local: outputs('local', 'auto'), 'localprod': outputs('localprod', 'manual') };

export interface Harness {
  registry: FakeRegistry;
  bucket: FakeBucket;
  /** CopyObject requests, as `<bucket>/<key>` of source and target. */
  copies: CopyObjectCommandInput[];
  run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string; json: () => unknown }>;
}

export function harness(): Harness {
  for (const mock of [sm, s3, sfn, cfn, lambda, runtime]) mock.reset();
  const registry = new FakeRegistry(sm);
  const bucket = new FakeBucket(s3);
  const copies: CopyObjectCommandInput[] = [];
  s3.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
    copies.push(input);
    const sourceKey = decodeURIComponent(input.CopySource!.split('/').slice(1).join('/'));
    const object = bucket.objects.get(sourceKey);
    if (!object) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    bucket.put(input.Key!, { ...object });
    return { CopyObjectResult: { ETag: '"x"' } };
  });
  sfn.on(StartExecutionCommand).callsFake(({ stateMachineArn, name }) => {
    return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: new Date() };
  });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
  const clients: Clients = {
    s3: new S3Client({ region: 'us-east-1' }),
    sageMaker: new SageMakerClient({ region: 'us-east-1' }),
    runtime: new SageMakerRuntimeClient({ region: 'us-east-1' }),
    sfn: new SFNClient({ region: 'us-east-1' }),
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    lambda: new LambdaClient({ region: 'us-east-1' }),
  };
  const resolve = async (stage: string): Promise<StageTarget> => {
    const stageOutputs = STAGES[stage];
    if (!stageOutputs) throw new OperationError('stage-not-deployed', `stage '${stage}' is not hosted by the offline stack`);
    return { stage, offline: true, outputs: stageOutputs, clients, reach: 'offline' };
  };
  return {
    registry,
    bucket,
    copies,
    async run(...argv) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { resolver: () => resolve, reportsDir: '/tmp/unused', now: () => new Date(Date.UTC(2025, 6, 1)), sleep: async () => undefined });
      return { code, stdout, stderr, json: () => JSON.parse(stdout) as unknown };
    },
  };
}
