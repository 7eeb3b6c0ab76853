import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeployRequestSchema } from '@mlops/common';
import { expectRequestsValid } from '@mlops/testing';
import { defaultRollbackVersion, RollbackOutputSchema } from '../src';
import { register } from './support/fixtures';
import { harness, sfn, sm } from './support/harness';

afterEach(() => expectRequestsValid(sm));

const summary = (version: number, status: string) => ({ ModelPackageVersion: version, ModelApprovalStatus: status as 'Approved' });

describe('defaultRollbackVersion', () => {
  it('is the newest Approved version older than the live one', () => {
    const versions = [summary(1, 'Approved'), summary(2, 'Approved'), summary(3, 'Rejected'), summary(4, 'PendingManualApproval'), summary(5, 'Approved'), summary(6, 'Approved')];
    expect(defaultRollbackVersion(versions, 5)).toBe(2);
    expect(defaultRollbackVersion(versions, 6)).toBe(5);
    expect(defaultRollbackVersion(versions, 2)).toBe(1);
    expect(defaultRollbackVersion(versions, 1)).toBeUndefined();
  });
});

describe('pnpm mlops rollback', () => {
  function family(h: ReturnType<typeof harness>) {
    const v1 = register(h.registry, 'local', 'abalone', 'Approved', 5.9);
    const v2 = register(h.registry, 'local', 'abalone', 'Approved', 5.5);
    register(h.registry, 'local', 'abalone', 'Rejected', 7);
    const v4 = register(h.registry, 'local', 'abalone', 'Approved', 4.8);
    register(h.registry, 'local', 'abalone', 'PendingManualApproval', 4.6);
    h.registry.setLive('mlops-local-abalone', v4.arn);
    return { v1, v2, v4 };
  }

  it('by default deploys the newest Approved version older than the live one, through the deploy state machine', async () => {
    const h = harness();
    const { v2, v4 } = family(h);
    const { code, stdout } = await h.run('rollback', 'abalone', '--json');
    expect(code).toBe(0);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-deploy');
    expect(start.name).toMatch(/^rollback-abalone-v2-[a-z0-9]+$/);
    expect(DeployRequestSchema.parse(JSON.parse(start.input!))).toEqual({ modelPackageArn: v2.arn, reason: 'rollback' });
    expect(RollbackOutputSchema.parse(JSON.parse(stdout))).toEqual({
      stage: 'local',
      family: 'abalone',
      from: { version: 4, arn: v4.arn },
      to: { version: 2, arn: v2.arn },
      executionArn: expect.stringContaining(':execution:mlops-local-deploy:rollback-abalone-v2-'),
      stateMachineArn: start.stateMachineArn,
    });
    expect(sfn).not.toHaveReceivedCommand(DescribeExecutionCommand);
  });

  it('--to deploys the named Approved version; a version that is not Approved is refused (exit 1)', async () => {
    const h = harness();
    const { v1 } = family(h);
    expect((await h.run('rollback', 'abalone', '--to', '1')).code).toBe(0);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!)).toEqual({ modelPackageArn: v1.arn, reason: 'rollback' });
    for (const [version, status] of [['3', 'Rejected'], ['5', 'PendingManualApproval']]) {
      const { code, stderr } = await h.run('rollback', 'abalone', '--to', version!);
      expect(code).toBe(1);
      expect(stderr).toContain(`version not approved: abalone v${version} on stage 'local' is ${status}`);
    }
    expect((await h.run('rollback', 'abalone', '--to', '4')).stderr).toContain('abalone v4 is already live on mlops-local-abalone');
    expect((await h.run('rollback', 'abalone', '--to', '9')).stderr).toContain('unknown version: mlops-local-abalone has no version 9');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('--wait follows the deploy: exit 0 when it succeeds, 1 when it fails, with its error', async () => {
    const h = harness();
    family(h);
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' }).resolvesOnce({ status: 'SUCCEEDED' });
    const ok = await h.run('rollback', 'abalone', '--wait', '--json');
    expect(ok.code).toBe(0);
    expect(RollbackOutputSchema.parse(ok.json()).result).toEqual({ status: 'SUCCEEDED' });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);

    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'EndpointUpdateFailed', cause: 'the new config failed its health check' });
    const failed = await h.run('rollback', 'abalone', '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('deploy FAILED: EndpointUpdateFailed: the new config failed its health check');
  });

  it('names what is missing: no older Approved version, no endpoint, a live model not from the registry', async () => {
    const h = harness();
    const v1 = register(h.registry, 'local', 'abalone', 'Approved', 5.9);
    register(h.registry, 'local', 'iris', 'Approved', 0.9);
    h.registry.setLive('mlops-local-abalone', v1.arn);
    expect(await h.run('rollback', 'abalone')).toMatchObject({ code: 1, stderr: expect.stringContaining("no Approved version of 'abalone' older than the live v1 on stage 'local'") });
    expect(await h.run('rollback', 'iris')).toMatchObject({ code: 1, stderr: expect.stringContaining("family 'iris' has no endpoint on stage 'local' (mlops-local-iris)") });
    h.registry.setLive('mlops-local-abalone', undefined);
    expect(await h.run('rollback', 'abalone')).toMatchObject({ code: 1, stderr: expect.stringContaining('was not deployed from a registry version; name the version to deploy with --to') });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});
