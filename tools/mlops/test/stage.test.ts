import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { LocalStagesFile } from '@mlops/common';
import { createStageResolver, OperationError, stageOutputsFromStack } from '../src';
import { cfn, outputs } from './support/harness';

const stack = (values: Record<string, string>) => ({
  Stacks: [{ StackName: 'mlops-dev', StackStatus: 'UPDATE_COMPLETE' as const, CreationTime: new Date(0), Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
});
const client = () => new CloudFormationClient({ region: 'eu-west-1' });

async function failure(p: Promise<unknown>): Promise<OperationError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof OperationError) return error;
    throw error;
  }
  throw new Error('expected an OperationError');
}

describe('an AWS stage: outputs of stack mlops-<stage>', () => {
  beforeEach(() => cfn.reset());

  it('reads the lifecycle outputs with DescribeStacks', async () => {
    const dev = outputs('dev', 'auto');
    cfn.on(DescribeStacksCommand, { StackName: 'mlops-dev' }).resolves(stack({ ...dev, ServiceEndpoint: 'x' } as Record<string, string>));
    expect(await stageOutputsFromStack(client(), 'dev')).toEqual(dev);
  });

  it('a stage without a stack names the stage, the region and how to deploy it', async () => {
    cfn.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'ValidationError', message: 'Stack with id mlops-qa does not exist', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    const error = await failure(stageOutputsFromStack(client(), 'qa'));
    expect(error.code).toBe('stage-not-deployed');
    expect(error.message).toBe("stage 'qa' is not deployed in eu-west-1: there is no CloudFormation stack mlops-qa; deploy it with `pnpm exec sls deploy --stage qa`");
  });

  it('a stack deployed before the lifecycle outputs existed says which are missing', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack({ DataBucketName: 'mlops-dev-data' }));
    const error = await failure(stageOutputsFromStack(client(), 'dev'));
    expect(error.message).toMatch(/^stage 'dev': stack mlops-dev \(UPDATE_COMPLETE\) lacks the lifecycle outputs \(PipelineStateMachineArn, DeployStateMachineArn, NamePrefix, RunsPrefix, ApprovalPolicy\); deploy it with/);
  });
});

describe('offline stages: .local/stages.json', () => {
  const file: LocalStagesFile = {
    version: 1,
    region: 'us-east-1',
    endpoints: { s3: 'http://127.0.0.1:4569', sagemaker: 'http://127.0.0.1:4599', stepfunctions: 'http://127.0.0.1:8083' },
    stages: { local: outputs('local', 'auto'), 'localprod': outputs('localprod', 'manual') },
  };

  it('resolves each hosted stage to its outputs and clients on the stack endpoints with its credentials', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlops-cli-'));
    await writeFile(join(dir, 'stages.json'), JSON.stringify(file));
    const resolve = createStageResolver({ localDir: dir });
    const local = await resolve('local');
    const prod = await resolve('localprod');
    expect(local).toMatchObject({ stage: 'local', offline: true, outputs: file.stages.local, reach: 'offline' });
    expect(prod.reach).toBe(local.reach);
    expect(prod.clients).toBe(local.clients);
    const endpoint = await local.clients.s3.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:4569');
    const { LOCAL_CREDENTIALS } = await import('@mlops/local-stack');
    expect(await local.clients.sageMaker.config.credentials()).toMatchObject(LOCAL_CREDENTIALS);
    const error = await failure(resolve('local-qa'));
    expect(error.message).toContain("stage 'local-qa' is not hosted by the offline stack");
    expect(error.message).toContain('lists: local, localprod');
  });

  it('without stages.json says to start the offline stack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlops-cli-'));
    const error = await failure(createStageResolver({ localDir: dir })('local'));
    expect(error.message).toBe(`the offline stack has not been started: ${join(dir, 'stages.json')} does not exist; run \`pnpm local:up\` (or point MLOPS_LOCAL_DIR at the folder holding stages.json)`);
  });
});
