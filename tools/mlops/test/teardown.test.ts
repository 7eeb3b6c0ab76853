/**
 * `pnpm mlops teardown` over mocked clients (every SageMaker request validated against the official
 * model): the listing and the confirmation, only the stage's own names, the order (jobs stopped,
 * endpoints gone before their configs, packages before groups), failures, and `sls remove` on AWS.
 */
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { DeleteModelCommand, DeleteModelPackageCommand, DescribeEndpointCommand, SageMakerClient, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsError, expectRequestsValid } from '@mlops/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { OperationError, runCli, type StageTarget, TeardownOutputSchema } from '../src';
import { teardownIo } from '../src/commands/teardown';
import { belongsTo } from '../src/core/teardown';
import { FakeStageResources } from './support/fake-stage-resources';
import { cfn, outputs, s3, sfn, sm } from './support/harness';

const cw = mockClient(CloudWatchClient);

const TARGETS: Record<string, { offline: boolean; approval: 'auto' | 'manual' }> = {
  local: { offline: true, approval: 'auto' },
  localprod: { offline: true, approval: 'manual' },
  dev: { offline: false, approval: 'auto' },
};

let fake: FakeStageResources;
let removeStack: jest.SpyInstance;
let prompt: jest.SpyInstance;
let notice: jest.SpyInstance;

beforeEach(() => {
  for (const mock of [sm, s3, sfn, cfn, cw]) mock.reset();
  delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
  fake = new FakeStageResources(sm);
  for (const prefix of ['mlops-local', 'mlops-localprod', 'mlops-dev']) fake.family(prefix, 'abalone');
  fake.models.add('mlops-local'); // not under `mlops-local-`: another's, however it came to be
  jest.spyOn(teardownIo, 'interactive').mockReturnValue(false);
  removeStack = jest.spyOn(teardownIo, 'removeStack').mockResolvedValue(0);
  prompt = jest.spyOn(teardownIo, 'prompt').mockRejectedValue(new Error('no prompt expected'));
  notice = jest.spyOn(teardownIo, 'notice').mockImplementation(() => undefined);
  cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
});
afterEach(() => {
  jest.restoreAllMocks();
  expectRequestsValid(sm);
});

async function run(...argv: string[]) {
  const clients = {
    s3: new S3Client({ region: 'us-east-1' }),
    sageMaker: new SageMakerClient({ region: 'us-east-1' }),
    runtime: new SageMakerRuntimeClient({ region: 'us-east-1' }),
    sfn: new SFNClient({ region: 'us-east-1' }),
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  };
  const resolve = async (stage: string): Promise<StageTarget> => {
    const t = TARGETS[stage];
    if (!t) throw new OperationError('stage-not-deployed', `stage '${stage}' is not deployed in us-east-1: there is no CloudFormation stack mlops-${stage}`);
    const o = outputs(stage, t.approval);
    // An offline stack started before it had a CloudWatch has none (its stages.json names no endpoint).
    const reached = t.offline ? clients : { ...clients, cloudWatch: new CloudWatchClient({ region: 'us-east-1' }) };
    return { stage, offline: t.offline, outputs: t.offline ? o : { ...o, DataBucketName: `mlops-${stage}-data-000000000000-us-east-1` }, clients: reached, reach: t.offline ? 'offline' : 'aws:us-east-1' };
  };
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { resolver: () => resolve, reportsDir: '/tmp/unused', sleep: async () => undefined });
  return { code, stdout, stderr, doc: () => TeardownOutputSchema.parse(JSON.parse(stdout)) };
}

const made = (prefix: string) => FakeStageResources.made(prefix, 'abalone');
const registry = (prefix: string) => made(prefix).filter((r) => r.startsWith('model-package'));

describe('belongsTo', () => {
  it('matches the prefix exactly up to the hyphen', () => {
    expect(belongsTo('mlops-local', 'mlops-local-abalone')).toBe(true);
    expect(belongsTo('mlops-local', 'MLOPS-LOCAL-abalone')).toBe(true);
    expect(belongsTo('mlops-local', 'mlops-localprod-abalone')).toBe(false);
    expect(belongsTo('mlops-local', 'mlops-local')).toBe(false);
    expect(belongsTo('mlops-local', 'x-mlops-local-abalone')).toBe(false);
  });
});

describe('pnpm mlops teardown', () => {
  it('without a terminal and without --yes lists everything it would remove and refuses (exit 2), changing nothing', async () => {
    const { code, stdout } = await run('teardown', '--stage', 'local');
    expect(code).toBe(2);
    expect(stdout).toContain("stage 'local' (offline stack, names mlops-local-*): 7 resource(s) outside CloudFormation to stop or delete");
    expect(stdout).toMatch(/^endpoint\s+mlops-local-abalone\s+delete\s+InService, config mlops-local-abalone-v2$/m);
    expect(stdout).toMatch(/^training-job\s+mlops-local-abalone-run3-train\s+stop\s+InProgress$/m);
    expect(stdout).toContain('kept: model package group mlops-local-abalone (2 version(s)); pass --registry to delete it');
    expect(stdout).toContain("refused: nothing was changed. stdin is not a terminal to confirm on; pass --yes to tear down stage 'local'");
    expect(stdout).not.toContain('mlops-localprod');
    expect(fake.log).toEqual([]);

    const json = await run('teardown', '--stage', 'local', '--json');
    expect(json.code).toBe(2);
    const doc = json.doc();
    expect(doc.status).toBe('refused');
    expect(doc.resources.map((r) => `${r.kind} ${r.name} ${r.action}`)).toEqual([
      'training-job mlops-local-abalone-run3-train stop',
      'transform-job mlops-local-abalone-run3-transform stop',
      'endpoint mlops-local-abalone delete',
      'endpoint-config mlops-local-abalone-v1 delete',
      'endpoint-config mlops-local-abalone-v2 delete',
      'model mlops-local-abalone-v1 delete',
      'model mlops-local-abalone-v2 delete',
    ]);
    expect(doc.keptGroups).toEqual([{ name: 'mlops-local-abalone', versions: 2 }]);
    expect(fake.log).toEqual([]);
  });

  it('on a terminal, shows the listing, asks for the stage name, and cancels (exit 1) on another answer', async () => {
    jest.spyOn(teardownIo, 'interactive').mockReturnValue(true);
    prompt.mockResolvedValueOnce('localprod');
    const cancelled = await run('teardown', '--stage', 'local');
    expect(cancelled.code).toBe(1);
    expect(cancelled.stdout).toContain("cancelled: the name typed was not 'local'; nothing was changed");
    expect(prompt).toHaveBeenCalledWith('Type the stage name to confirm: ');
    expect(notice.mock.calls[0]![0]).toMatch(/^endpoint\s+mlops-local-abalone\s+delete/m);
    expect(fake.log).toEqual([]);

    prompt.mockImplementationOnce(async () => {
      expect(fake.log).toEqual([]); // the listing comes first, the deletion after the answer
      return 'local\n';
    });
    const confirmed = await run('teardown', '--stage', 'local');
    expect(confirmed.code).toBe(0);
    expect(fake.remaining()).toEqual([...registry('mlops-local'), 'model mlops-local', ...made('mlops-localprod'), ...made('mlops-dev')].sort());
  });

  it('--yes on an offline stage removes its own resources only, endpoints gone before their configs, and runs no sls remove', async () => {
    const { code, stdout } = await run('teardown', '--stage', 'local', '--yes', '--json');
    expect(code).toBe(0);
    expect(fake.log).toEqual([
      'StopTrainingJob mlops-local-abalone-run3-train',
      'StopTransformJob mlops-local-abalone-run3-transform',
      'DeleteEndpoint mlops-local-abalone',
      'DeleteEndpointConfig mlops-local-abalone-v1',
      'DeleteEndpointConfig mlops-local-abalone-v2',
      'DeleteModel mlops-local-abalone-v1',
      'DeleteModel mlops-local-abalone-v2',
    ]);
    expect(fake.remaining()).toEqual([...registry('mlops-local'), 'model mlops-local', ...made('mlops-localprod'), ...made('mlops-dev')].sort());
    const doc = TeardownOutputSchema.parse(JSON.parse(stdout));
    expect(doc).toMatchObject({ status: 'done', namePrefix: 'mlops-local', offline: true, registry: false, failures: [] });
    expect(doc.resources.map((r) => r.result)).toEqual(['stopped', 'stopped', 'deleted', 'deleted', 'deleted', 'deleted', 'deleted']);
    expect(doc.stack).toEqual({ action: 'none', note: expect.stringContaining('.local/stack') });
    expect(doc.stack.note).toContain('stop `pnpm local:up`');
    expect(doc.notes).toContain('alarms: this target has no CloudWatch (an offline stack started before it had one: restart pnpm local:up): no alarm checked');
    expect(removeStack).not.toHaveBeenCalled();
    expect(cw.calls()).toHaveLength(0);
  });

  it('an endpoint already being deleted is awaited, not deleted again', async () => {
    fake.endpoints.get('mlops-local-abalone')!.deleting = 2;
    const { code, doc } = await run('teardown', '--stage', 'local', '--yes', '--json');
    expect(code).toBe(0);
    expect(doc().resources.find((r) => r.kind === 'endpoint')).toMatchObject({ detail: 'Deleting, config mlops-local-abalone-v2', result: 'deleted' });
    expect(fake.log).not.toContain('DeleteEndpoint mlops-local-abalone');
    expect(fake.endpoints.has('mlops-local-abalone')).toBe(false);
  });

  it('--registry deletes every version of the stage\'s groups, then the groups', async () => {
    const { code, stdout } = await run('teardown', '--stage', 'localprod', '--registry', '--yes');
    expect(code).toBe(0);
    expect(fake.log.slice(-3)).toEqual(['DeleteModelPackage mlops-localprod-abalone/1', 'DeleteModelPackage mlops-localprod-abalone/2', 'DeleteModelPackageGroup mlops-localprod-abalone']);
    expect(fake.groups.has('mlops-localprod-abalone')).toBe(false);
    expect(fake.groups.get('mlops-local-abalone')).toEqual([1, 2]);
    expect(stdout).toMatch(/^model-package-group\s+mlops-localprod-abalone\s+deleted$/m);
    expect(sm.commandCalls(DeleteModelPackageCommand).map((c) => c.args[0].input.ModelPackageName)).toEqual([
      'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-localprod-abalone/1',
      'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-localprod-abalone/2',
    ]);
  });

  it('what is gone meanwhile is fine; another failure is reported, the rest go on, exit 1, and sls remove is not run', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
    fake.training.set('mlops-dev-abalone-run4-train', 'InProgress');
    sm.on(DeleteModelCommand, { ModelName: 'mlops-dev-abalone-v1' }).rejects(awsError('AccessDeniedException', 'not authorized to perform sagemaker:DeleteModel'));
    // A model deleted by someone else between the listing and the removal.
    sm.on(DeleteModelCommand, { ModelName: 'mlops-dev-abalone-v2' }).rejects(awsError('ValidationException', 'Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/mlops-dev-abalone-v2".'));
    const { code, stdout } = await run('teardown', '--stage', 'dev', '--yes');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^model\s+mlops-dev-abalone-v1\s+failed\s+AccessDeniedException: not authorized to perform sagemaker:DeleteModel$/m);
    expect(stdout).toMatch(/^model\s+mlops-dev-abalone-v2\s+gone\s+already gone$/m);
    expect(stdout).toMatch(/^endpoint-config\s+mlops-dev-abalone-v2\s+deleted$/m);
    expect(stdout).toContain('1 failure(s):\n  model mlops-dev-abalone-v1: AccessDeniedException: not authorized to perform sagemaker:DeleteModel');
    expect(stdout).toContain('stack mlops-dev: sls remove --stage dev --region us-east-1: not run: 1 resource(s) could not be removed; fix them and run the teardown again');
    expect(removeStack).not.toHaveBeenCalled();
  });

  it('a job that ended meanwhile is fine; an endpoint that does not go away in time keeps the configs it uses', async () => {
    sm.on(StopTrainingJobCommand, { TrainingJobName: 'mlops-local-abalone-run3-train' }).rejects(
      awsError('ValidationException', 'The request was rejected because the training job is in status Completed.'),
    );
    sm.on(DescribeEndpointCommand, { EndpointName: 'mlops-local-abalone' }).resolves({
      EndpointName: 'mlops-local-abalone',
      EndpointArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-abalone',
      EndpointConfigName: 'mlops-local-abalone-v2',
      EndpointStatus: 'Deleting',
      CreationTime: new Date(0),
      LastModifiedTime: new Date(0),
    });
    const { code, doc } = await run('teardown', '--stage', 'local', '--yes', '--json');
    expect(code).toBe(1);
    const results = Object.fromEntries(doc().resources.map((r) => [`${r.kind} ${r.name}`, [r.result, r.error]]));
    expect(results).toEqual({
      'training-job mlops-local-abalone-run3-train': ['gone', undefined],
      'transform-job mlops-local-abalone-run3-transform': ['stopped', undefined],
      'endpoint mlops-local-abalone': ['failed', 'still there after 120 s of deletion'],
      'endpoint-config mlops-local-abalone-v1': ['deleted', undefined],
      'endpoint-config mlops-local-abalone-v2': ['kept', 'endpoint mlops-local-abalone was not deleted'],
      'model mlops-local-abalone-v1': ['deleted', undefined],
      'model mlops-local-abalone-v2': ['deleted', undefined],
    });
    expect(sm.commandCalls(DescribeEndpointCommand)).toHaveLength(1 + 480);
    expect(doc().failures).toEqual(['endpoint mlops-local-abalone: still there after 120 s of deletion', 'endpoint-config mlops-local-abalone-v2: not deleted (endpoint mlops-local-abalone was not deleted)']);
    expect(doc().status).toBe('failed');
  });

  it('on AWS: deletes the stage\'s alarms but the stack\'s own, then runs sls remove with the stage and region, and says how to delete the retained bucket', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'mlops-dev-abalone-errors', StateValue: 'OK' }, { AlarmName: 'mlops-dev-ingest-failures', StateValue: 'OK' }],
      CompositeAlarms: [],
    });
    cw.on(DeleteAlarmsCommand).resolves({});
    cfn.on(ListStackResourcesCommand, { StackName: 'mlops-dev' }).resolves({
      StackResourceSummaries: [{ LogicalResourceId: 'IngestFailuresAlarm', PhysicalResourceId: 'mlops-dev-ingest-failures', ResourceType: 'AWS::CloudWatch::Alarm', LastUpdatedTimestamp: new Date(0), ResourceStatus: 'CREATE_COMPLETE' }],
    });
    const { code, doc, stdout } = await run('teardown', '--stage', 'dev', '--yes', '--json');
    expect(code).toBe(0);
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toMatchObject({ AlarmNamePrefix: 'mlops-dev-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(cw.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input)).toEqual([{ AlarmNames: ['mlops-dev-abalone-errors'] }]);
    expect(removeStack).toHaveBeenCalledTimes(1);
    expect(removeStack).toHaveBeenCalledWith(['remove', '--stage', 'dev', '--region', 'us-east-1']);
    const d = doc();
    expect(d.stack).toEqual({ action: 'sls-remove', name: 'mlops-dev', command: 'sls remove --stage dev --region us-east-1', exitCode: 0 });
    expect(d.notes).toContain('left to the stack mlops-dev (sls remove deletes them): alarm mlops-dev-ingest-failures');
    expect(d.bucket.name).toBe('mlops-dev-data-000000000000-us-east-1');
    expect(d.bucket.note).toContain('DeletionPolicy: Retain');
    expect(d.bucket.commands[0]).toBe('aws s3 rm s3://mlops-dev-data-000000000000-us-east-1 --recursive --region us-east-1');
    expect(d.bucket.commands[1]).toContain('aws s3api delete-objects --bucket mlops-dev-data-000000000000-us-east-1');
    expect(d.bucket.commands[2]).toBe('aws s3api delete-bucket --bucket mlops-dev-data-000000000000-us-east-1 --region us-east-1');
    expect(stdout).not.toContain('mlops-local');
    expect(fake.remaining()).toEqual([...registry('mlops-dev'), ...made('mlops-local'), 'model mlops-local', ...made('mlops-localprod')].sort());

    removeStack.mockResolvedValueOnce(1);
    const failed = await run('teardown', '--stage', 'dev', '--yes');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('stack mlops-dev: sls remove --stage dev --region us-east-1: failed (exit 1)');
  });

  it('on AWS after the stack is gone: finds what outlived it by serverless.yml\'s prefix and runs no sls remove', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id mlops-qa does not exist'), { name: 'ValidationError' }));
    cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }));
    fake.family('mlops-qa', 'iris');
    const { code, doc } = await run('teardown', '--stage', 'qa', '--region', 'us-east-1', '--yes', '--json');
    expect(code).toBe(0);
    const d = doc();
    expect(d.namePrefix).toBe('mlops-qa');
    expect(d.resources.every((r) => r.name.startsWith('mlops-qa-') && r.result !== 'failed')).toBe(true);
    expect(d.resources).toHaveLength(7);
    expect(d.stack).toEqual({ action: 'none', note: 'there is no CloudFormation stack mlops-qa in us-east-1: nothing for sls remove' });
    expect(d.notes).toEqual([
      "there is no stack mlops-qa in us-east-1: the stage's names are taken as mlops-qa-* (serverless.yml's namePrefix)",
      expect.stringContaining('alarms: CloudWatch cannot be reached'),
    ]);
    expect(removeStack).not.toHaveBeenCalled();
  });

  it('--help describes it; an argument is a usage error', async () => {
    const help = await run('teardown', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pnpm mlops teardown [--registry] [--yes]');
    expect((await run('--help')).stdout).toMatch(/^ {2}teardown\s/m);
    const usage = await run('teardown', 'local');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unexpected argument 'local'");
  });
});
