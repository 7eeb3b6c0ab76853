/**
 * One offline stack hosting two stages (`local` and `localprod`, as `pnpm local:up --stage local --stage
 * localprod` does): one S3, SageMaker, Step Functions and Lambda runtime serving each stage's buckets,
 * functions (under each stage's names), state machines and rules; the first stage behind the
 * single-stage fields; each stage's CloudFormation Outputs; and the approval rule through the stack's
 * own wiring (SageMaker → EventBridge → Step Functions).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { CreateModelPackageCommand, CreateModelPackageGroupCommand, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { LocalStagesFileSchema, StageOutputsSchema } from '@mlops/common';
import { type LocalStack, startLocalStack } from '../src';
import { localStagesFile, writeLocalStagesFile } from '../src/stages-file';

const SM = 'arn:aws:states:us-east-1:000000000000:stateMachine';
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ stages: ['local', 'localprod'], waitScale: 0.01 });
});
afterAll(async () => {
  await stack?.close();
});

describe('a stack hosting local and localprod', () => {
  it('keeps the single-stage fields on the first stage and adds a view per stage', () => {
    expect(stack.stageNames).toEqual(['local', 'localprod']);
    expect(stack.resources).toBe(stack.stages.local!.resources);
    expect(stack.bucket).toBe('mlops-local-data');
    expect(stack.incomingPrefix).toBe('incoming/');
    expect(stack.stages['localprod']).toMatchObject({
      stage: 'localprod',
      bucket: 'mlops-localprod-data',
      incomingPrefix: 'incoming/',
      stateMachineArns: { pipeline: `${SM}:mlops-localprod-pipeline`, deploy: `${SM}:mlops-localprod-deploy` },
    });
    expect(StageOutputsSchema.parse(stack.stages['localprod']!.outputs)).toMatchObject({ DataBucketName: 'mlops-localprod-data', ApprovalPolicy: 'manual' });
    expect(StageOutputsSchema.parse(stack.stages.local!.outputs)).toMatchObject({ DataBucketName: 'mlops-local-data', PipelineStateMachineArn: `${SM}:mlops-local-pipeline` });
  });

  it("serves every stage's state machines, buckets and functions from one service each", async () => {
    const { stateMachines = [] } = await stack.clients.sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines.map((m) => m.name).sort()).toEqual([
      'mlops-local-deploy',
      'mlops-local-pipeline',
      'mlops-local-preprocess',
      'mlops-localprod-deploy',
      'mlops-localprod-pipeline',
      'mlops-localprod-preprocess',
    ]);
    for (const bucket of ['mlops-local-data', 'mlops-localprod-data']) await expect(stack.clients.s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    const names = stack.lambda.functionNames();
    for (const stage of ['local', 'localprod']) for (const fn of stack.stages[stage]!.resources.functions) expect(names).toContain(fn.name);
    expect(names).toHaveLength(stack.stages.local!.resources.functions.length * 2);
    // One bundle per function, for both stages.
    expect(stack.bundles.map((b) => b.key).sort()).toEqual(stack.stages.local!.resources.functions.map((f) => f.key).sort());
  });

  it('gives each stage its own environment (bucket, state machine, name prefix)', () => {
    const ingest = (stage: string) => stack.stages[stage]!.resources.functions.find((f) => f.key === 'mlops_ingest')!.environment;
    expect(ingest('local')).toMatchObject({ DATA_BUCKET: 'mlops-local-data', NAME_PREFIX: 'mlops-local', STATE_MACHINE_ARN: `${SM}:mlops-local-pipeline` });
    expect(ingest('localprod')).toMatchObject({ DATA_BUCKET: 'mlops-localprod-data', NAME_PREFIX: 'mlops-localprod', STATE_MACHINE_ARN: `${SM}:mlops-localprod-pipeline` });
  });

  it('writes .local/stages.json content that fits LocalStagesFileSchema', () => {
    const content = localStagesFile(stack);
    expect(content).toEqual({
      version: 1,
      region: 'us-east-1',
      endpoints: { s3: stack.endpoints.s3, sagemaker: stack.endpoints.sagemaker, stepfunctions: stack.endpoints.stepfunctions, sqs: stack.endpoints.sqs, lambda: stack.endpoints.lambda, cloudwatch: stack.endpoints.cloudwatch },
      stages: { local: StageOutputsSchema.parse(stack.stages.local!.outputs), 'localprod': StageOutputsSchema.parse(stack.stages['localprod']!.outputs) },
    });
    const file = join(stack.workDir, 'out', 'stages.json');
    writeLocalStagesFile(file, content);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
    expect(LocalStagesFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')))).toEqual(content);
  });

  it("approving a local version starts local's deploy through the stack's own wiring", async () => {
    const sm = stack.clients.sageMaker;
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'mlops-local-stages-test' }));
    const { ModelPackageArn } = await sm.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'mlops-local-stages-test',
        ModelApprovalStatus: 'PendingManualApproval',
        InferenceSpecification: { Containers: [{ Image: 'img:1', ModelDataUrl: 's3://mlops-local-data/nothing/model.tar.gz' }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
      }),
    );
    await sm.send(new UpdateModelPackageCommand({ ModelPackageArn, ModelApprovalStatus: 'Approved' }));
    await stack.eventBridge.idle();
    const deploys = stack.stepFunctions.executions.list({ stateMachineName: 'mlops-local-deploy' });
    expect(deploys.map((d) => d.input)).toEqual([{ modelPackageArn: ModelPackageArn, reason: 'approval' }]);
    expect(stack.stepFunctions.executions.list({ stateMachineName: 'mlops-localprod-deploy' })).toEqual([]);
    expect(stack.eventBridge.bus.delivered().filter((d) => d.ruleName === 'mlops-local-DeployOnApprovalRule')).toHaveLength(1);
    // The notification rules (resources/notifications.yml) told local's topic, and only it.
    expect(stack.notifications().map((n) => [n.stage, n.rule])).toEqual([
      ['local', 'mlops-local-NotifyAwaitingApprovalRule'],
      ['local', 'mlops-local-NotifyApprovalDecidedRule'],
    ]);
  });
});

describe('startLocalStack options', () => {
  it('refuses a stage listed twice, and a `stage` outside `stages`', async () => {
    await expect(startLocalStack({ stages: ['local', 'local'] })).rejects.toThrow('stage local is listed twice');
    await expect(startLocalStack({ stages: ['local'], stage: 'localprod' })).rejects.toThrow('stage localprod is not one of stages local');
  });
});
