import { UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { expectRequestsValid } from '@mlops/testing';
import { ApprovalOutputSchema } from '../src';
import { register } from './support/fixtures';
import { harness, sfn, sm } from './support/harness';

afterEach(() => expectRequestsValid(sm));

describe('pnpm mlops approve', () => {
  it('approves a pending version with the reason; the EventBridge rule deploys it, the CLI starts nothing', async () => {
    const h = harness();
    register(h.registry, 'localprod', 'abalone', 'Approved', 5);
    const v2 = register(h.registry, 'localprod', 'abalone', 'PendingManualApproval', 4.8);
    const { code, stdout } = await h.run('approve', 'abalone', '2', '--stage', 'localprod', '--reason', 'reviewed by ana', '--json');
    expect(code).toBe(0);
    expect(sm).toHaveReceivedCommandWith(UpdateModelPackageCommand, { ModelPackageArn: v2.arn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'reviewed by ana' });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(ApprovalOutputSchema.parse(JSON.parse(stdout))).toEqual({
      stage: 'localprod',
      family: 'abalone',
      version: 2,
      arn: v2.arn,
      action: 'approved',
      previousStatus: 'PendingManualApproval',
      approvalStatus: 'Approved',
      reason: 'reviewed by ana',
      deploy: { via: 'eventbridge', stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-localprod-deploy' },
      message: expect.stringContaining('EventBridge rule'),
    });
    const text = await h.run('approve', 'abalone', 'v2', '--stage', 'localprod');
    expect(text.stdout).toContain("abalone v2 is already Approved on stage 'localprod': nothing to do");
  });

  it('prints the deploy state machine to watch', async () => {
    const h = harness();
    register(h.registry, 'localprod', 'abalone', 'PendingManualApproval', 4.8);
    const { stdout } = await h.run('approve', 'abalone', '1', '--stage', 'localprod');
    expect(stdout).toContain("approved abalone v1 on stage 'localprod' (was PendingManualApproval)");
    expect(stdout).toContain('aws stepfunctions list-executions --state-machine-arn arn:aws:states:us-east-1:000000000000:stateMachine:mlops-localprod-deploy');
  });

  it('leaves an Approved version as it is (no second deploy)', async () => {
    const h = harness();
    register(h.registry, 'local', 'abalone', 'Approved', 5);
    const doc = ApprovalOutputSchema.parse((await h.run('approve', 'abalone', '1', '--json')).json());
    expect(doc.action).toBe('unchanged');
    expect(doc.deploy).toBeUndefined();
    expect(sm).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });

  it('fails with exit 1 on an unknown version or family, naming them', async () => {
    const h = harness();
    register(h.registry, 'local', 'abalone', 'PendingManualApproval', 5);
    const version = await h.run('approve', 'abalone', '9');
    expect(version).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown version: mlops-local-abalone has no version 9') });
    const family = await h.run('approve', 'iris', '1', '--json');
    expect(family.code).toBe(1);
    expect(family.json()).toEqual({ error: { kind: 'failed', code: 'unknown-family', message: expect.stringContaining("unknown family 'iris'") } });
    expect(sm).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });
});

describe('pnpm mlops reject', () => {
  it('rejects a version that is not live, with the reason as its ApprovalDescription', async () => {
    const h = harness();
    const v1 = register(h.registry, 'local', 'abalone', 'Approved', 5);
    const v2 = register(h.registry, 'local', 'abalone', 'Approved', 4.8);
    h.registry.setLive('mlops-local-abalone', v2.arn);
    const { code, stdout } = await h.run('reject', 'abalone', '1', '--reason', 'trained on the bad export');
    expect(code).toBe(0);
    expect(stdout).toContain("rejected abalone v1 on stage 'local' (was Approved): trained on the bad export");
    expect(sm).toHaveReceivedCommandWith(UpdateModelPackageCommand, { ModelPackageArn: v1.arn, ModelApprovalStatus: 'Rejected', ApprovalDescription: 'trained on the bad export' });
  });

  it('refuses to reject the live version (exit 1): roll back first', async () => {
    const h = harness();
    register(h.registry, 'local', 'abalone', 'Approved', 5);
    const v2 = register(h.registry, 'local', 'abalone', 'Approved', 4.8);
    h.registry.setLive('mlops-local-abalone', v2.arn);
    const { code, stderr, json } = await h.run('reject', 'abalone', '2', '--reason', 'drift', '--json');
    expect(code).toBe(1);
    expect(stderr).toContain("refused: abalone v2 is live on endpoint mlops-local-abalone (stage 'local'); roll back first (`pnpm mlops rollback abalone --stage local`)");
    expect((json() as { error: { code: string } }).error.code).toBe('refused');
    expect(sm).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(h.registry.find(v2.arn)!.status).toBe('Approved');
  });

  it('rejects a pending version of a family that has no endpoint', async () => {
    const h = harness();
    register(h.registry, 'localprod', 'abalone', 'PendingManualApproval', 4.8);
    const doc = ApprovalOutputSchema.parse((await h.run('reject', 'abalone', '1', '--stage', 'localprod', '--reason', 'no', '--json')).json());
    expect(doc).toMatchObject({ action: 'rejected', previousStatus: 'PendingManualApproval', approvalStatus: 'Rejected', reason: 'no' });
  });
});
