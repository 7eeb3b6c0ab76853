/**
 * The local CloudWatch through the real clients: the AWS SDK for JavaScript v3 (its default AWS JSON
 * 1.0, and Smithy RPC v2 CBOR through @aws-sdk/core's AwsSmithyRpcV2CborProtocol), botocore's own
 * CBOR client, the raw wire of each protocol, and the AWS CLIs installed here (the pyenv AWS CLI 1.45
 * speaks JSON 1.0, the Debian AWS CLI 2.9.19 the query protocol). Errors carry CloudWatch's codes:
 * the shape name as the SDK error's name and the query code as its Code / the CLI's code.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  paginateDescribeAlarms,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { cbor, tagSymbol } from '@smithy/core/cbor';
import { type AlarmStateChange, type LocalCloudWatch, startLocalCloudWatch } from '../src';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: 'AWS/SageMaker',
  MetricName: 'ModelLatency',
  ExtendedStatistic: 'p99',
  Dimensions: [{ Name: 'EndpointName', Value: 'mlops-local-abalone' }],
  Period: 60,
  EvaluationPeriods: 3,
  DatapointsToAlarm: 2,
  Threshold: 1_000_000,
  Unit: 'Microseconds',
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'notBreaching',
  ...extra,
});

async function started(): Promise<{ cw: LocalCloudWatch; changes: AlarmStateChange[] }> {
  const changes: AlarmStateChange[] = [];
  const cw = await startLocalCloudWatch({ onAlarmStateChange: (c) => changes.push(c) });
  return { cw, changes };
}

const protocols = [
  ['AWS JSON 1.0 (the client’s default)', undefined],
  ['Smithy RPC v2 CBOR', AwsSmithyRpcV2CborProtocol],
] as const;

describe.each(protocols)('the SDK v3 client over %s', (_label, protocol) => {
  let cw: LocalCloudWatch;
  let changes: AlarmStateChange[];
  let client: CloudWatchClient;
  beforeAll(async () => {
    ({ cw, changes } = await started());
    client = new CloudWatchClient({ endpoint: cw.endpoint, region: 'us-east-1', credentials, maxAttempts: 1, ...(protocol ? { protocol } : {}) });
  });
  afterAll(async () => {
    client?.destroy();
    await cw?.close();
  });

  it('puts alarms (idempotently), describes them with AWS’s members, pages, sets a state and deletes', async () => {
    const before = Date.now();
    for (const name of ['latency-b', 'latency-a', 'latency-c']) await client.send(new PutMetricAlarmCommand(alarm(name, { Tags: [{ Key: 'mlops:stage', Value: 'local' }] })));
    await client.send(new PutMetricAlarmCommand(alarm('latency-a', { Threshold: 2_000_000 })));
    const { MetricAlarms, CompositeAlarms } = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['latency-a'] }));
    expect(CompositeAlarms).toEqual([]);
    expect(MetricAlarms).toEqual([
      {
        AlarmName: 'latency-a',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:latency-a',
        AlarmConfigurationUpdatedTimestamp: expect.any(Date),
        ActionsEnabled: true,
        OKActions: [],
        AlarmActions: [],
        InsufficientDataActions: [],
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked: Initial alarm creation',
        StateUpdatedTimestamp: expect.any(Date),
        MetricName: 'ModelLatency',
        Namespace: 'AWS/SageMaker',
        ExtendedStatistic: 'p99',
        Dimensions: [{ Name: 'EndpointName', Value: 'mlops-local-abalone' }],
        Period: 60,
        Unit: 'Microseconds',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 2_000_000,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        StateTransitionedTimestamp: expect.any(Date),
      },
    ]);
    // Timestamps cross the wire to the millisecond.
    expect(MetricAlarms![0]!.StateUpdatedTimestamp!.getTime()).toBe(cw.service.alarmStates(['latency-a'])[0]!.updatedAt.getTime());
    expect(MetricAlarms![0]!.AlarmConfigurationUpdatedTimestamp!.getTime()).toBeGreaterThanOrEqual(before);

    const pages: string[][] = [];
    for await (const page of paginateDescribeAlarms({ client, pageSize: 2 }, { AlarmNamePrefix: 'latency-' })) pages.push(page.MetricAlarms!.map((a) => a.AlarmName!));
    expect(pages).toEqual([['latency-a', 'latency-b'], ['latency-c']]);

    await client.send(new SetAlarmStateCommand({ AlarmName: 'latency-b', StateValue: 'ALARM', StateReason: 'p99 over 1 s', StateReasonData: '{"version":"1.0"}' }));
    expect(changes).toEqual([expect.objectContaining({ alarmName: 'latency-b', previous: expect.objectContaining({ value: 'INSUFFICIENT_DATA' }), current: expect.objectContaining({ value: 'ALARM', reason: 'p99 over 1 s', reasonData: '{"version":"1.0"}' }) })]);
    const alarming = await client.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    expect(alarming.MetricAlarms).toEqual([expect.objectContaining({ AlarmName: 'latency-b', StateReason: 'p99 over 1 s', StateReasonData: '{"version":"1.0"}' })]);
    expect(cw.service.alarmStates(['latency-b', 'latency-a'])).toEqual([
      { name: 'latency-b', state: 'ALARM', reason: 'p99 over 1 s', updatedAt: expect.any(Date) },
      { name: 'latency-a', state: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', updatedAt: expect.any(Date) },
    ]);

    // Unknown names are skipped; the known ones go.
    await client.send(new DeleteAlarmsCommand({ AlarmNames: ['latency-a', 'latency-c', 'never-existed'] }));
    expect((await client.send(new DescribeAlarmsCommand({}))).MetricAlarms!.map((a) => a.AlarmName)).toEqual(['latency-b']);
  });

  it('keeps the tags PutMetricAlarm gave, tags and untags', async () => {
    await client.send(new PutMetricAlarmCommand(alarm('tagged', { Tags: [{ Key: 'Environment', Value: 'Production' }] })));
    const ResourceARN = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:tagged';
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN }))).Tags).toEqual([{ Key: 'Environment', Value: 'Production' }]);
    await client.send(new TagResourceCommand({ ResourceARN, Tags: [{ Key: 'tag1', Value: 'foo' }, { Key: 'tag2', Value: 'bar' }] }));
    await client.send(new UntagResourceCommand({ ResourceARN, TagKeys: ['tag1'] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN }))).Tags).toEqual([{ Key: 'Environment', Value: 'Production' }, { Key: 'tag2', Value: 'bar' }]);
    await client.send(new DeleteAlarmsCommand({ AlarmNames: ['tagged'] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN }))).Tags).toEqual([]);
  });

  describe('errors', () => {
    it('SetAlarmState on an unknown alarm: ResourceNotFound, 404 in query mode, no message', async () => {
      await expect(client.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' }))).rejects.toMatchObject({
        name: 'ResourceNotFound',
        Code: 'ResourceNotFound',
        Type: 'Sender',
        $fault: 'client',
        // No message on the wire: the SDK's placeholder, as against AWS.
        message: 'UnknownError',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('a state outside the enum: ValidationError with the front end’s message', async () => {
      await expect(client.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'INVALID' as never, StateReason: 'x' }))).rejects.toMatchObject({
        name: 'ValidationException',
        Code: 'ValidationError',
        message: "1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]",
        $metadata: { httpStatusCode: 400 },
      });
      await expect(client.send(new PutMetricAlarmCommand(alarm('x'.repeat(256))))).rejects.toMatchObject({ Code: 'ValidationError', message: expect.stringContaining("at 'alarmName' failed to satisfy constraint: Member must have length less than or equal to 255") });
    });

    it('Statistic with ExtendedStatistic, neither, or an ExtendedStatistic CloudWatch does not know', async () => {
      await expect(client.send(new PutMetricAlarmCommand(alarm('both', { Statistic: 'Average' })))).rejects.toMatchObject({
        name: 'InvalidParameterCombinationException',
        Code: 'InvalidParameterCombination',
        message: 'The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(client.send(new PutMetricAlarmCommand(alarm('neither', { ExtendedStatistic: undefined })))).rejects.toMatchObject({
        Code: 'InvalidParameterCombination',
        message: 'Must specify either Statistic or ExtendedStatistic',
      });
      await expect(client.send(new PutMetricAlarmCommand(alarm('p101', { ExtendedStatistic: 'p101' })))).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
        Code: 'InvalidParameterValue',
        message: 'The value p101 for parameter ExtendedStatistic is not supported.',
      });
      await expect(client.send(new PutMetricAlarmCommand(alarm('no-metric', { MetricName: undefined })))).rejects.toMatchObject({ Code: 'ValidationError', message: 'MetricName must not be null' });
    });

    it('reason data that is not JSON, a bad NextToken, tagging an unknown alarm, an unknown ARN', async () => {
      await client.send(new PutMetricAlarmCommand(alarm('format')));
      await expect(client.send(new SetAlarmStateCommand({ AlarmName: 'format', StateValue: 'ALARM', StateReason: 'x', StateReasonData: '{' }))).rejects.toMatchObject({
        name: 'InvalidFormatFault',
        Code: 'InvalidFormat',
        message: 'Data was not syntactically valid JSON.',
      });
      await expect(client.send(new DescribeAlarmsCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidNextToken', Code: 'InvalidNextToken' });
      const ResourceARN = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:nope';
      await expect(client.send(new TagResourceCommand({ ResourceARN, Tags: [{ Key: 'k', Value: 'v' }] }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        Code: 'ResourceNotFoundException',
        ResourceType: 'alarm',
        ResourceId: ResourceARN,
        $metadata: { httpStatusCode: 404 },
      });
      await expect(client.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:sqs:us-east-1:000000000000:q' }))).rejects.toMatchObject({ name: 'InvalidParameterValueException', Code: 'InvalidParameterValue' });
    });
  });
});

describe('the wire', () => {
  let cw: LocalCloudWatch;
  beforeAll(async () => {
    ({ cw } = await started());
    await cw.service.call('PutMetricAlarm', { ...alarm('wire') });
  });
  afterAll(async () => cw?.close());

  const cborCall = (operation: string, body: unknown, headers: Record<string, string> = {}, service = 'GraniteServiceVersion20100801') =>
    fetch(`${cw.endpoint}/service/${service}/operation/${operation}`, {
      method: 'POST',
      headers: { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', accept: 'application/cbor', ...headers },
      body: Buffer.from(cbor.serialize(body)),
    });
  const decoded = async (res: Response) => cbor.deserialize(new Uint8Array(await res.arrayBuffer())) as Record<string, unknown>;

  it('RPC v2 CBOR: timestamps as tag 1 epoch seconds, no body for an operation without output', async () => {
    const res = await cborCall('DescribeAlarms', { AlarmNames: ['wire'] });
    expect(res.status).toBe(200);
    expect(res.headers.get('smithy-protocol')).toBe('rpc-v2-cbor');
    expect(res.headers.get('content-type')).toBe('application/cbor');
    const body = await decoded(res);
    const described = (body.MetricAlarms as Record<string, unknown>[])[0]!;
    const stamp = described.StateUpdatedTimestamp as { [tagSymbol]: boolean; tag: number; value: number };
    expect(stamp[tagSymbol]).toBe(true);
    expect(stamp.tag).toBe(1);
    expect(stamp.value).toBe(cw.service.alarmStates(['wire'])[0]!.updatedAt.getTime() / 1000);
    expect(described).toMatchObject({ AlarmName: 'wire', Threshold: 1_000_000, Dimensions: [{ Name: 'EndpointName', Value: 'mlops-local-abalone' }] });

    const set = await cborCall('SetAlarmState', { AlarmName: 'wire', StateValue: 'OK', StateReason: 'fine' });
    expect(set.status).toBe(200);
    expect(set.headers.get('smithy-protocol')).toBe('rpc-v2-cbor');
    expect(set.headers.get('content-type')).toBeNull();
    expect((await set.arrayBuffer()).byteLength).toBe(0);
    // The service segment may be the absolute shape ID with # as '.'.
    expect((await cborCall('DescribeAlarms', {}, {}, 'com.amazonaws.cloudwatch.GraniteServiceVersion20100801')).status).toBe(200);
  });

  it('RPC v2 CBOR errors: __type and x-amzn-query-error; 400, or the query status in query mode', async () => {
    const missing = { AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' };
    const plain = await cborCall('SetAlarmState', missing);
    expect(plain.status).toBe(400);
    expect(plain.headers.get('smithy-protocol')).toBe('rpc-v2-cbor');
    expect(plain.headers.get('x-amzn-query-error')).toBe('ResourceNotFound;Sender');
    expect(await decoded(plain)).toEqual({ __type: 'com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFound' });
    const queryMode = await cborCall('SetAlarmState', missing, { 'x-amzn-query-mode': 'true' });
    expect(queryMode.status).toBe(404);
    const invalid = await cborCall('SetAlarmState', { ...missing, StateValue: 'INVALID' });
    expect(await decoded(invalid)).toEqual({
      __type: 'com.amazon.coral.validate#ValidationException',
      message: "1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]",
    });
    expect(invalid.headers.get('x-amzn-query-error')).toBe('ValidationError;Sender');
    // The spec: an rpcv2Cbor request with X-Amz-Target is malformed and rejected.
    const targeted = await cborCall('DescribeAlarms', {}, { 'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms' });
    expect(targeted.status).toBe(400);
    expect((await decoded(targeted)).__type).toBe('com.amazon.coral.service#SerializationException');
    const unknown = await cborCall('PutMetricData', { Namespace: 'n', MetricData: [] });
    expect(await decoded(unknown)).toEqual({ __type: 'com.amazon.coral.service#UnknownOperationException', message: 'The action PutMetricData is not emulated by the local CloudWatch.' });
  });

  it('AWS JSON 1.0: epoch-second timestamps, errors as __type and message', async () => {
    const json = (operation: string, body: unknown) =>
      fetch(cw.endpoint, { method: 'POST', headers: { 'x-amz-target': `GraniteServiceVersion20100801.${operation}`, 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(body) });
    const res = await json('DescribeAlarms', { AlarmNames: ['wire'] });
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    const body = (await res.json()) as { MetricAlarms: { StateUpdatedTimestamp: number }[] };
    expect(body.MetricAlarms[0]!.StateUpdatedTimestamp).toBe(cw.service.alarmStates(['wire'])[0]!.updatedAt.getTime() / 1000);
    const bad = await json('PutMetricAlarm', { ...alarm('wire'), Statistic: 'Sum' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-query-error')).toBe('InvalidParameterCombination;Sender');
    expect(await bad.json()).toEqual({
      __type: 'com.amazonaws.cloudwatch.v2010_08_01#InvalidParameterCombinationException',
      message: 'The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.',
    });
    const malformed = await fetch(cw.endpoint, { method: 'POST', headers: { 'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms' }, body: '[1,2' });
    expect(((await malformed.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#SerializationException');
  });

  it('query: XML answers in CloudWatch’s namespace, ErrorResponse without a Message for ResourceNotFound', async () => {
    const query = (params: Record<string, string>) =>
      fetch(cw.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Version: '2010-08-01', ...params }).toString() });
    const res = await query({ Action: 'DescribeAlarms', 'AlarmNames.member.1': 'wire' });
    const text = await res.text();
    expect(text).toMatch(/^<\?xml version="1.0"\?><DescribeAlarmsResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/"><DescribeAlarmsResult><CompositeAlarms><\/CompositeAlarms><MetricAlarms><member><AlarmName>wire<\/AlarmName>/);
    expect(text).toMatch(/<StateUpdatedTimestamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/StateUpdatedTimestamp>/);
    const missing = await query({ Action: 'SetAlarmState', AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(
      /^<\?xml version="1.0"\?><ErrorResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/"><Error><Type>Sender<\/Type><Code>ResourceNotFound<\/Code><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
    const noAction = await query({});
    expect(noAction.status).toBe(400);
    expect(await noAction.text()).toContain('<Code>InvalidAction</Code><Message>The request must contain the parameter Action.</Message>');
  });
});

/** botocore has an RPC v2 CBOR client too (it prefers JSON for CloudWatch; forced here as LocalStack's AWS-validated tests force it). */
const BOTOCORE_CBOR = `
import json, sys
import botocore.session
from botocore.serialize import create_serializer
from botocore.parsers import create_parser
from botocore.exceptions import ClientError
client = botocore.session.get_session().create_client('cloudwatch', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x')
client._serializer = create_serializer('smithy-rpc-v2-cbor')
client._response_parser = create_parser('smithy-rpc-v2-cbor')
client.meta.service_model.resolved_protocol = 'smithy-rpc-v2-cbor'
client.put_metric_alarm(AlarmName='py', MetricName='M', Namespace='N', Statistic='Average', Period=60, EvaluationPeriods=1, Threshold=1.5, ComparisonOperator='GreaterThanThreshold')
client.set_alarm_state(AlarmName='py', StateValue='ALARM', StateReason='from botocore')
a = client.describe_alarms(AlarmNames=['py'])['MetricAlarms'][0]
out = {'alarm': {k: v for k, v in a.items() if not hasattr(v, 'isoformat')}, 'timestamps': sorted(k for k, v in a.items() if hasattr(v, 'isoformat'))}
try:
    client.set_alarm_state(AlarmName='missing', StateValue='OK', StateReason='x')
except ClientError as e:
    out['notFound'] = {'Error': e.response['Error'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}
print(json.dumps(out))
`;
const botocore = spawnSync('python3', ['-c', 'import botocore.serialize as s; assert "smithy-rpc-v2-cbor" in s.SERIALIZERS'], { encoding: 'utf8' }).status === 0;

describe('botocore’s RPC v2 CBOR client', () => {
  if (!botocore) {
    it('is not installed: its test does not run', () => {
      console.warn('local-cloudwatch: no python3 with a botocore that speaks smithy-rpc-v2-cbor; the botocore CBOR test is skipped');
    });
    return;
  }
  it('puts, sets and describes; ResourceNotFound comes back as AWS answered it (recorded by LocalStack)', async () => {
    const { cw } = await started();
    try {
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile('python3', ['-c', BOTOCORE_CBOR, cw.endpoint], { encoding: 'utf8', timeout: 60_000 }, (error, out, err) => (error ? reject(new Error(err)) : resolve(out))),
      );
      const out = JSON.parse(stdout);
      expect(out.alarm).toMatchObject({ AlarmName: 'py', StateValue: 'ALARM', StateReason: 'from botocore', Statistic: 'Average', Threshold: 1.5, Dimensions: [], OKActions: [] });
      expect(out.timestamps).toEqual(['AlarmConfigurationUpdatedTimestamp', 'StateTransitionedTimestamp', 'StateUpdatedTimestamp']);
      expect(out.notFound).toEqual({ Error: { Code: 'ResourceNotFound', Message: '', QueryErrorCode: 'ResourceNotFound', Type: 'Sender' }, status: 404 });
    } finally {
      await cw.close();
    }
  });
});

/** The AWS CLIs on this machine: `aws` on PATH and Debian's /usr/bin/aws, each once. */
function clis(): { path: string; version: string }[] {
  const found = new Map<string, { path: string; version: string }>();
  for (const candidate of ['aws', '/usr/bin/aws']) {
    const run = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (run.status !== 0) continue;
    const version = `${run.stdout}${run.stderr}`.trim();
    const key = candidate.startsWith('/') && existsSync(candidate) ? realpathSync(candidate) : version;
    if (![...found.values()].some((c) => c.version === version)) found.set(key, { path: candidate, version });
  }
  return [...found.values()];
}

const installed = clis();
if (installed.length === 0) {
  describe('the AWS CLI', () => {
    it('is not installed: its tests do not run', () => {
      console.warn("local-cloudwatch: no AWS CLI (`aws`) on this machine; the CLI protocol tests are skipped (install Debian's awscli)");
    });
  });
}

/** The same tests for each CLI (the pyenv one speaks JSON 1.0, Debian's the query protocol). */
function cliTests(path: string): void {
  let cw: LocalCloudWatch;
  let changes: AlarmStateChange[];
  beforeAll(async () => {
    ({ cw, changes } = await started());
  });
  afterAll(async () => cw?.close());
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  // Asynchronous: the server answers on this process's event loop.
  const aws = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(path, ['--endpoint-url', cw.endpoint, '--output', 'json', 'cloudwatch', ...args], { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const arn = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:cli-latency';

  it('put-metric-alarm, set-alarm-state, describe-alarms, tags, delete-alarms', async () => {
    const put = await aws(
      'put-metric-alarm', '--alarm-name', 'cli-latency', '--namespace', 'AWS/SageMaker', '--metric-name', 'ModelLatency', '--extended-statistic', 'p99',
      '--dimensions', 'Name=EndpointName,Value=mlops-local-abalone', '--period', '60', '--evaluation-periods', '3', '--threshold', '1000000',
      '--comparison-operator', 'GreaterThanThreshold', '--treat-missing-data', 'notBreaching', '--tags', 'Key=mlops:stage,Value=local',
    );
    expect(put).toMatchObject({ code: 0, stderr: '' });
    const set = await aws('set-alarm-state', '--alarm-name', 'cli-latency', '--state-value', 'ALARM', '--state-reason', 'from the CLI & <xml>', '--state-reason-data', '{"p99":2000000}');
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(changes).toEqual([expect.objectContaining({ alarmName: 'cli-latency', current: expect.objectContaining({ value: 'ALARM', reason: 'from the CLI & <xml>' }) })]);
    const described = await aws('describe-alarms', '--alarm-names', 'cli-latency');
    expect(described.stderr).toBe('');
    expect(JSON.parse(described.stdout)).toEqual({
      CompositeAlarms: [],
      MetricAlarms: [
        expect.objectContaining({
          AlarmName: 'cli-latency',
          AlarmArn: arn,
          StateValue: 'ALARM',
          StateReason: 'from the CLI & <xml>',
          StateReasonData: '{"p99":2000000}',
          ExtendedStatistic: 'p99',
          Dimensions: [{ Name: 'EndpointName', Value: 'mlops-local-abalone' }],
          Threshold: 1000000,
          ActionsEnabled: true,
          AlarmActions: [],
        }),
      ],
    });
    expect(JSON.parse((await aws('describe-alarms', '--state-value', 'ALARM')).stdout).MetricAlarms.map((a: { AlarmName: string }) => a.AlarmName)).toEqual(['cli-latency']);
    expect((await aws('tag-resource', '--resource-arn', arn, '--tags', 'Key=team,Value=ml')).code).toBe(0);
    expect((await aws('untag-resource', '--resource-arn', arn, '--tag-keys', 'mlops:stage')).code).toBe(0);
    expect(JSON.parse((await aws('list-tags-for-resource', '--resource-arn', arn)).stdout)).toEqual({ Tags: [{ Key: 'team', Value: 'ml' }] });
    expect(await aws('delete-alarms', '--alarm-names', 'cli-latency', 'never-existed')).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse((await aws('describe-alarms')).stdout)).toEqual({ CompositeAlarms: [], MetricAlarms: [] });
  });

  it('reports CloudWatch’s codes: ResourceNotFound, ValidationError, InvalidParameterCombination', async () => {
    const missing = await aws('set-alarm-state', '--alarm-name', 'nope', '--state-value', 'OK', '--state-reason', 'x');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (ResourceNotFound) when calling the SetAlarmState operation');
    const invalid = await aws('set-alarm-state', '--alarm-name', 'nope', '--state-value', 'BROKEN', '--state-reason', 'x');
    expect(invalid.stderr).toContain(
      "An error occurred (ValidationError) when calling the SetAlarmState operation: 1 validation error detected: Value 'BROKEN' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]",
    );
    const both = await aws(
      'put-metric-alarm', '--alarm-name', 'both', '--namespace', 'N', '--metric-name', 'M', '--statistic', 'Sum', '--extended-statistic', 'p99',
      '--period', '60', '--evaluation-periods', '1', '--threshold', '1', '--comparison-operator', 'GreaterThanThreshold',
    );
    expect(both.stderr).toContain('An error occurred (InvalidParameterCombination) when calling the PutMetricAlarm operation: The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.');
  });
}

for (const cli of installed) describe(`the AWS CLI ${cli.version}`, () => cliTests(cli.path));
