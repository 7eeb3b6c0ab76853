/**
 * The approval rule of resources/lifecycle.yml, wired as the offline stack wires it: the local
 * SageMaker's events put on the local EventBridge (every hosted stage's rules), and state machine
 * targets started on the local Step Functions with the rule's input transformation. Two stages,
 * `local` and `localprod`, as `pnpm local:up --stage local --stage localprod` hosts them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  type ModelApprovalStatus,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type LocalSageMaker, startLocalSageMaker } from '@mlops/local-sagemaker';
import { type LocalStepFunctions, startLocalStepFunctions } from '@mlops/local-stepfunctions';
import { printServerlessConfig } from '@mlops/serverless-config';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS } from '../src/account';
import { type StackEventBridge, startStackEventBridge } from '../src/events';
import { type LocalResources, resolveLocalResources } from '../src/resources';

const REGION = 'us-east-1';
let dir: string;
let stages: Record<string, LocalResources>;
let stepFunctions: LocalStepFunctions;
let sageMaker: LocalSageMaker;
let events: StackEventBridge;
let sm: SageMakerClient;
let sfn: SFNClient;
const published: { topicArn: string; message: string; ruleName: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-stack-events-'));
  const resolved = await Promise.all(['local', 'localprod'].map(async (stage) => resolveLocalResources(await printServerlessConfig(stage))));
  stages = Object.fromEntries(resolved.map((r) => [r.stage, r]));
  stepFunctions = await startLocalStepFunctions({
    region: REGION,
    accountId: LOCAL_ACCOUNT_ID,
    stateMachines: resolved.flatMap((r) => Object.values(r.stateMachines).map((m) => ({ name: m.name, definition: m.definition }))),
    // No functions here: a deploy execution starts, then fails at its first task. Starting is what is tested.
    taskHandlers: () => undefined,
    waitScale: 0.001,
  });
  sfn = new SFNClient({ endpoint: stepFunctions.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  events = startStackEventBridge({
    rules: resolved.flatMap((r) => r.rules),
    region: REGION,
    accountId: LOCAL_ACCOUNT_ID,
    startExecution: (stateMachineArn, input) => sfn.send(new StartExecutionCommand({ stateMachineArn, input })),
    // The notification rules' SNS targets (resources/notifications.yml): kept here, checked in notifications.int.test.ts.
    publish: (topicArn, message, ruleName) => published.push({ topicArn, message, ruleName }),
  });
  sageMaker = await startLocalSageMaker({
    workDir: join(dir, 'sagemaker'),
    s3: { endpoint: 'http://127.0.0.1:9', credentials: LOCAL_CREDENTIALS }, // the registry never reads S3
    imageRegistry: { images: {} },
    region: REGION,
    accountId: LOCAL_ACCOUNT_ID,
    onEvent: (event) => events.onSageMakerEvent(event),
  });
  sm = new SageMakerClient({ endpoint: sageMaker.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  for (const group of ['mlops-local-abalone', 'mlops-localprod-abalone']) await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
});

afterAll(async () => {
  await events?.close();
  await sageMaker?.close();
  await stepFunctions?.close();
  sm?.destroy();
  sfn?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const register = async (group: string, status: ModelApprovalStatus) =>
  (
    await sm.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: group,
        ModelApprovalStatus: status,
        InferenceSpecification: { Containers: [{ Image: 'img:1', ModelDataUrl: 's3://b/model.tar.gz' }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
      }),
    )
  ).ModelPackageArn!;
const approve = (arn: string) => sm.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }));
const deploysOf = (stage: string) => stepFunctions.executions.list({ stateMachineName: stages[stage]!.stateMachines.deploy!.name });

describe('DeployOnApprovalRule, offline', () => {
  it('approving a pending version of mlops-local-<family> starts exactly one mlops-local-deploy execution with the transformed input', async () => {
    const before = deploysOf('local').length;
    const arn = await register('mlops-local-abalone', 'PendingManualApproval');
    await events.idle();
    expect(deploysOf('local')).toHaveLength(before); // a pending registration deploys nothing
    await approve(arn);
    await events.idle();
    const started = deploysOf('local').slice(0, deploysOf('local').length - before);
    expect(started).toHaveLength(1);
    expect(started[0]!.input).toEqual({ modelPackageArn: arn, reason: 'approval' });
    // The notification rules published to local's topic: the version awaits approval, then it was approved.
    expect(published.filter((p) => p.message.includes(arn)).map((p) => [p.topicArn, p.ruleName])).toEqual([
      ['arn:aws:sns:us-east-1:000000000000:mlops-local-notifications', 'mlops-local-NotifyAwaitingApprovalRule'],
      ['arn:aws:sns:us-east-1:000000000000:mlops-local-notifications', 'mlops-local-NotifyApprovalDecidedRule'],
    ]);
    expect(stepFunctions.executions.list({ stateMachineName: 'mlops-local-pipeline' })).toHaveLength(0);
    expect(events.bus.failures()).toEqual([]);
  });

  it('a version registered Approved starts no deploy (the pipeline deploys it itself)', async () => {
    const counts = [deploysOf('local').length, deploysOf('localprod').length];
    await register('mlops-local-abalone', 'Approved');
    await events.idle();
    expect([deploysOf('local').length, deploysOf('localprod').length]).toEqual(counts);
  });

  it("approving a version of local's group does not start localprod's deploy", async () => {
    const prodBefore = deploysOf('localprod').length;
    await approve(await register('mlops-local-abalone', 'PendingManualApproval'));
    await events.idle();
    expect(deploysOf('localprod')).toHaveLength(prodBefore);
  });

  // The rule matches ModelPackageGroupName by prefix `${namePrefix}-`: the offline prod stage is named
  // `localprod`, not `local-prod`, so that `mlops-local-` is no prefix of its groups.
  it("approving a version of localprod's group starts localprod's deploy only", async () => {
    const [localBefore, prodBefore] = [deploysOf('local').length, deploysOf('localprod').length];
    const arn = await register('mlops-localprod-abalone', 'PendingManualApproval');
    await approve(arn);
    await events.idle();
    expect(deploysOf('localprod').length - prodBefore).toBe(1);
    expect(deploysOf('localprod')[0]!.input).toEqual({ modelPackageArn: arn, reason: 'approval' });
    expect(deploysOf('local')).toHaveLength(localBefore);
  });

  it('setting the approval a version already has sends no state change, so no second deploy', async () => {
    const arn = await register('mlops-local-abalone', 'PendingManualApproval');
    await approve(arn);
    await events.idle();
    const after = deploysOf('local').length;
    await approve(arn);
    await events.idle();
    expect(deploysOf('local')).toHaveLength(after);
  });
});
