/**
 * The local CloudWatch in process: the alarm operations, the checks against the official model and
 * CloudWatch's rules between members, the state-change callback, export/restore, the EventBridge
 * event and the query protocol's codec. The wire protocols are in protocol.int.test.ts.
 */
import { type AlarmStateChange, alarmStateChangeEvent, cloudWatchApiModel, CloudWatchService, INITIAL_STATE_REASON, queryInput, queryResponse } from '../src';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0, 123);
let clock = T0;
const now = () => clock;

const ALARM = {
  AlarmName: 'mlops-local-abalone-v1-invocation-5xx',
  AlarmDescription: '5xx from the new fleet',
  Namespace: 'AWS/SageMaker',
  MetricName: 'Invocation5XXErrors',
  Statistic: 'Sum',
  Dimensions: [
    { Name: 'EndpointName', Value: 'mlops-local-abalone' },
    { Name: 'VariantName', Value: 'AllTraffic' },
  ],
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 0,
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'notBreaching',
  Tags: [{ Key: 'mlops:stage', Value: 'local' }],
};
const LATENCY = { ...ALARM, AlarmName: 'mlops-local-abalone-v1-model-latency-p99', Statistic: undefined, ExtendedStatistic: 'p99', MetricName: 'ModelLatency', Threshold: 1_000_000, Unit: 'Microseconds', Tags: undefined };

function service(options: ConstructorParameters<typeof CloudWatchService>[0] = {}) {
  clock = T0;
  return new CloudWatchService({ now, ...options });
}

/** The error a call rejects with, for its code, its wire message and its fields. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; wireMessage: string | undefined; message: string; fields: Record<string, string> }> {
  try {
    await promise;
  } catch (e) {
    const error = e as { code: string; wireMessage: string | undefined; message: string; fields: Record<string, string> };
    return { code: error.code, wireMessage: error.wireMessage, message: error.message, fields: error.fields };
  }
  throw new Error('the call succeeded');
}

describe('PutMetricAlarm and DescribeAlarms', () => {
  it('creates an alarm in INSUFFICIENT_DATA with the initial reason and describes it as AWS does', async () => {
    const cw = service();
    await cw.call('PutMetricAlarm', ALARM);
    const { MetricAlarms, CompositeAlarms, NextToken } = await cw.call('DescribeAlarms', {});
    expect(CompositeAlarms).toEqual([]);
    expect(NextToken).toBeUndefined();
    expect(MetricAlarms).toEqual([
      {
        AlarmName: ALARM.AlarmName,
        AlarmArn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${ALARM.AlarmName}`,
        AlarmDescription: '5xx from the new fleet',
        AlarmConfigurationUpdatedTimestamp: new Date(T0),
        ActionsEnabled: true,
        OKActions: [],
        AlarmActions: [],
        InsufficientDataActions: [],
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked: Initial alarm creation',
        StateUpdatedTimestamp: new Date(T0),
        MetricName: 'Invocation5XXErrors',
        Namespace: 'AWS/SageMaker',
        Statistic: 'Sum',
        Dimensions: ALARM.Dimensions,
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        StateTransitionedTimestamp: new Date(T0),
      },
    ]);
    expect(INITIAL_STATE_REASON).toBe('Unchecked: Initial alarm creation');
  });

  it('uses the region and account it is given in ARNs', async () => {
    const cw = service({ region: 'eu-west-1', accountId: '123456789012' });
    await cw.call('PutMetricAlarm', LATENCY);
    const { MetricAlarms } = await cw.call('DescribeAlarms', {});
    expect((MetricAlarms as { AlarmArn: string }[])[0]!.AlarmArn).toBe(`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${LATENCY.AlarmName}`);
  });

  it('replaces an alarm idempotently: the configuration is overwritten, the state and the tags are kept', async () => {
    const cw = service();
    await cw.call('PutMetricAlarm', ALARM);
    clock += 5_000;
    await cw.call('SetAlarmState', { AlarmName: ALARM.AlarmName, StateValue: 'ALARM', StateReason: 'five 5xx' });
    clock += 5_000;
    await cw.call('PutMetricAlarm', { ...ALARM, Threshold: 3, AlarmDescription: undefined, Tags: [{ Key: 'ignored', Value: 'on update' }] });
    await cw.call('PutMetricAlarm', { ...ALARM, Threshold: 3, AlarmDescription: undefined, Tags: [{ Key: 'ignored', Value: 'on update' }] });
    const { MetricAlarms } = await cw.call('DescribeAlarms', { AlarmNames: [ALARM.AlarmName] });
    expect(MetricAlarms).toEqual([
      expect.objectContaining({
        Threshold: 3,
        StateValue: 'ALARM',
        StateReason: 'five 5xx',
        StateUpdatedTimestamp: new Date(T0 + 5_000),
        AlarmConfigurationUpdatedTimestamp: new Date(T0 + 10_000),
      }),
    ]);
    expect(MetricAlarms).toEqual([expect.not.objectContaining({ AlarmDescription: expect.anything() })]);
    expect(await cw.call('ListTagsForResource', { ResourceARN: cw.alarmArn(ALARM.AlarmName) })).toEqual({ Tags: [{ Key: 'mlops:stage', Value: 'local' }] });
    expect((await cw.call('DescribeAlarms', {})).MetricAlarms).toHaveLength(1);
  });

  it('filters by names, prefix, state, action prefix and type, lists by name and pages', async () => {
    const cw = service();
    for (const name of ['c-alarm', 'a-alarm', 'b-alarm', 'b-other']) {
      await cw.call('PutMetricAlarm', { ...ALARM, AlarmName: name, AlarmActions: name === 'b-other' ? ['arn:aws:sns:us-east-1:000000000000:pager'] : [] });
    }
    await cw.call('SetAlarmState', { AlarmName: 'b-alarm', StateValue: 'ALARM', StateReason: 'r' });
    const names = async (input: Record<string, unknown>) => ((await cw.call('DescribeAlarms', input)).MetricAlarms as { AlarmName: string }[]).map((a) => a.AlarmName);
    expect(await names({})).toEqual(['a-alarm', 'b-alarm', 'b-other', 'c-alarm']);
    expect(await names({ AlarmNames: ['c-alarm', 'a-alarm', 'nope'] })).toEqual(['a-alarm', 'c-alarm']);
    expect(await names({ AlarmNamePrefix: 'b-' })).toEqual(['b-alarm', 'b-other']);
    expect(await names({ StateValue: 'ALARM' })).toEqual(['b-alarm']);
    expect(await names({ StateValue: 'INSUFFICIENT_DATA', AlarmNamePrefix: 'b' })).toEqual(['b-other']);
    expect(await names({ ActionPrefix: 'arn:aws:sns:us-east-1:000000000000:' })).toEqual(['b-other']);
    expect(await names({ AlarmTypes: ['CompositeAlarm'] })).toEqual([]);
    expect(await names({ AlarmTypes: ['CompositeAlarm', 'MetricAlarm'] })).toHaveLength(4);

    const page1 = await cw.call('DescribeAlarms', { MaxRecords: 3 });
    expect((page1.MetricAlarms as unknown[]).length).toBe(3);
    expect(page1.NextToken).toEqual(expect.any(String));
    const page2 = await cw.call('DescribeAlarms', { MaxRecords: 3, NextToken: page1.NextToken });
    expect((page2.MetricAlarms as { AlarmName: string }[]).map((a) => a.AlarmName)).toEqual(['c-alarm']);
    expect(page2.NextToken).toBeUndefined();
    // The default page is 50 alarms.
    for (let i = 0; i < 60; i++) await cw.call('PutMetricAlarm', { ...ALARM, AlarmName: `z-${String(i).padStart(2, '0')}` });
    const big = await cw.call('DescribeAlarms', {});
    expect((big.MetricAlarms as unknown[]).length).toBe(50);
    expect(((await cw.call('DescribeAlarms', { NextToken: big.NextToken })).MetricAlarms as unknown[]).length).toBe(14);
  });

  it('refuses names with a prefix, a bad token, and family queries with other filters', async () => {
    const cw = service();
    expect(await failure(cw.call('DescribeAlarms', { AlarmNames: ['a'], AlarmNamePrefix: 'a' }))).toMatchObject({
      code: 'InvalidParameterCombination',
      wireMessage: 'The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.',
    });
    expect(await failure(cw.call('DescribeAlarms', { NextToken: 'garbage' }))).toMatchObject({ code: 'InvalidNextToken' });
    expect(await failure(cw.call('DescribeAlarms', { ChildrenOfAlarmName: 'x', StateValue: 'OK' }))).toMatchObject({ code: 'ValidationError' });
    // No composite alarms exist here: nobody's parent or child.
    expect(await cw.call('DescribeAlarms', { ParentsOfAlarmName: 'x', MaxRecords: 10 })).toEqual({ CompositeAlarms: [], MetricAlarms: [] });
  });
});

describe('validation against the model and CloudWatch rules', () => {
  it('answers the front end ValidationError for the model’s constraints, with AWS’s enum order', async () => {
    const cw = service();
    expect(await failure(cw.call('SetAlarmState', { AlarmName: 'a', StateValue: 'INVALID', StateReason: 'test' }))).toEqual({
      code: 'ValidationError',
      wireMessage: "1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]",
      message: expect.any(String),
      fields: {},
    });
    expect((await failure(cw.call('SetAlarmState', { AlarmName: 'a', StateValue: 'OK' }))).wireMessage).toBe(
      "1 validation error detected: Value null at 'stateReason' failed to satisfy constraint: Member must not be null",
    );
    expect((await failure(cw.call('PutMetricAlarm', { ...ALARM, AlarmName: 'x'.repeat(256) }))).wireMessage).toBe(
      `1 validation error detected: Value '${'x'.repeat(256)}' at 'alarmName' failed to satisfy constraint: Member must have length less than or equal to 255`,
    );
    const two = await failure(cw.call('PutMetricAlarm', { ...ALARM, Namespace: ':bad', Period: 0 }));
    expect(two.code).toBe('ValidationError');
    expect(two.wireMessage).toMatch(/^2 validation errors detected: Value ':bad' at 'namespace' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\^:\]\.\*; Value '0' at 'period'/);
    expect((await failure(cw.call('DescribeAlarms', { MaxRecords: 101 }))).wireMessage).toContain("at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100");
    expect((await failure(cw.call('DeleteAlarms', {}))).wireMessage).toBe("1 validation error detected: Value null at 'alarmNames' failed to satisfy constraint: Member must not be null");
    expect((await failure(cw.call('PutMetricAlarm', { ...ALARM, Dimensions: [{ Name: 'EndpointName' }] }))).wireMessage).toContain("at 'dimensions.1.member.value' failed to satisfy constraint: Member must not be null");
  });

  it('takes Statistic or ExtendedStatistic, not both, not neither; ExtendedStatistic as CloudWatch spells them', async () => {
    const cw = service();
    expect(await failure(cw.call('PutMetricAlarm', { ...ALARM, ExtendedStatistic: 'p99' }))).toMatchObject({
      code: 'InvalidParameterCombination',
      wireMessage: 'The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.',
    });
    expect(await failure(cw.call('PutMetricAlarm', { ...ALARM, Statistic: undefined }))).toMatchObject({
      code: 'InvalidParameterCombination',
      wireMessage: 'Must specify either Statistic or ExtendedStatistic',
    });
    for (const bad of ['p101', 'P99', 'median', 'tm', 'TM(10%)']) {
      expect(await failure(cw.call('PutMetricAlarm', { ...LATENCY, ExtendedStatistic: bad }))).toMatchObject({
        code: 'InvalidParameterValue',
        wireMessage: `The value ${bad} for parameter ExtendedStatistic is not supported.`,
      });
    }
    for (const good of ['p99', 'p99.9', 'p0', 'p100', 'tm90', 'wm95.5', 'IQM', 'TM(10%:90%)', 'PR(:300)', 'TC(100:2000)']) {
      await expect(cw.call('PutMetricAlarm', { ...LATENCY, ExtendedStatistic: good })).resolves.toEqual({});
    }
    expect(await failure(cw.call('PutMetricAlarm', { ...ALARM, Statistic: 'p99' }))).toMatchObject({ code: 'ValidationError', wireMessage: expect.stringContaining("at 'statistic' failed to satisfy constraint: Member must satisfy enum value set") });
  });

  it('needs a metric, a valid period, evaluation periods, an operator and a threshold', async () => {
    const cw = service();
    const without = (...names: string[]) => Object.fromEntries(Object.entries(ALARM).filter(([k]) => !names.includes(k)));
    expect(await failure(cw.call('PutMetricAlarm', without('MetricName')))).toMatchObject({ code: 'ValidationError', wireMessage: 'MetricName must not be null' });
    expect(await failure(cw.call('PutMetricAlarm', without('Period')))).toMatchObject({ code: 'ValidationError', wireMessage: 'Period must not be null' });
    expect(await failure(cw.call('PutMetricAlarm', { ...ALARM, Period: 45 }))).toMatchObject({ code: 'ValidationError', wireMessage: 'Period must be 10, 20, 30 or a multiple of 60' });
    for (const period of [10, 20, 30, 120, 3600]) await expect(cw.call('PutMetricAlarm', { ...ALARM, Period: period })).resolves.toEqual({});
    expect(await failure(cw.call('PutMetricAlarm', without('EvaluationPeriods', 'ComparisonOperator')))).toMatchObject({
      code: 'ValidationError',
      wireMessage:
        "2 validation errors detected: Value null at 'evaluationPeriods' failed to satisfy constraint: Member must not be null; Value null at 'comparisonOperator' failed to satisfy constraint: Member must not be null",
    });
    expect(await failure(cw.call('PutMetricAlarm', without('Threshold')))).toMatchObject({ code: 'ValidationError', wireMessage: 'Threshold must not be null' });
    await expect(cw.call('PutMetricAlarm', { ...without('Threshold'), ThresholdMetricId: 'ad1' })).resolves.toEqual({});
  });

  it('checks TreatMissingData and EvaluateLowSampleCountPercentile against their documented values', async () => {
    const cw = service();
    expect(await failure(cw.call('PutMetricAlarm', { ...ALARM, TreatMissingData: 'zero' }))).toMatchObject({
      code: 'ValidationError',
      wireMessage: 'The value zero is not supported for TreatMissingData parameter. Supported values are [breaching, notBreaching, ignore, missing].',
    });
    expect(await failure(cw.call('PutMetricAlarm', { ...LATENCY, EvaluateLowSampleCountPercentile: 'skip' }))).toMatchObject({
      code: 'ValidationError',
      wireMessage: 'Option skip is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore.',
    });
    await expect(cw.call('PutMetricAlarm', { ...LATENCY, EvaluateLowSampleCountPercentile: 'ignore', TreatMissingData: 'breaching' })).resolves.toEqual({});
  });

  it('keeps a metric math alarm apart from the single-metric members, and a PromQL alarm apart from both', async () => {
    const cw = service();
    const math = {
      AlarmName: 'errors-ratio',
      EvaluationPeriods: 2,
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [
        { Id: 'e1', Expression: 'm1 / m2', Label: 'error ratio', ReturnData: true },
        { Id: 'm1', MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'Invocation5XXErrors' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'm2', MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'Invocations' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      ],
    };
    await expect(cw.call('PutMetricAlarm', math)).resolves.toEqual({});
    expect((await cw.call('DescribeAlarms', { AlarmNames: ['errors-ratio'] })).MetricAlarms).toEqual([expect.objectContaining({ Metrics: math.Metrics, Dimensions: [] })]);
    expect(await failure(cw.call('PutMetricAlarm', { ...math, Statistic: 'Sum' }))).toMatchObject({ code: 'ValidationError', wireMessage: 'Statistic should not be set if list of Metrics is set.' });
    expect(await failure(cw.call('PutMetricAlarm', { ...math, Period: 60 }))).toMatchObject({ code: 'ValidationError', wireMessage: 'Period should not be set if list of Metrics is set.' });
    expect((await failure(cw.call('PutMetricAlarm', { ...math, Metrics: [{ Id: 'm1', MetricStat: { Metric: {}, Period: 60 } }] }))).wireMessage).toContain("at 'metrics.1.member.metricStat.stat'");

    const promql = { AlarmName: 'promql', EvaluationCriteria: { PromQLCriteria: { Query: 'up == 0' } }, EvaluationInterval: 60 };
    await expect(cw.call('PutMetricAlarm', promql)).resolves.toEqual({});
    expect(await failure(cw.call('PutMetricAlarm', { ...promql, Threshold: 1 }))).toMatchObject({
      code: 'InvalidParameterCombination',
      wireMessage: 'The parameters EvaluationCriteria and Threshold are mutually exclusive and you have specified both.',
    });
    expect(await failure(cw.call('PutMetricAlarm', { ...promql, EvaluationInterval: undefined }))).toMatchObject({ code: 'ValidationError', wireMessage: 'EvaluationInterval must not be null' });
    expect(await failure(cw.call('PutMetricAlarm', { ...ALARM, EvaluationInterval: 60 }))).toMatchObject({ code: 'InvalidParameterCombination' });
  });

  it('answers InvalidAction for operations it does not emulate', async () => {
    const cw = service();
    expect(await failure(cw.call('PutMetricData', { Namespace: 'n', MetricData: [] }))).toMatchObject({ code: 'InvalidAction', wireMessage: 'The action PutMetricData is not emulated by the local CloudWatch.' });
    expect(await failure(cw.call('Bogus', {}))).toMatchObject({ code: 'InvalidAction', wireMessage: 'The action Bogus is not valid for this endpoint.' });
  });
});

describe('SetAlarmState and the state-change callback', () => {
  it('changes the state, reports the change with both states, and keeps StateReasonData', async () => {
    const changes: AlarmStateChange[] = [];
    const cw = service({ onAlarmStateChange: (c) => changes.push(c) });
    await cw.call('PutMetricAlarm', ALARM);
    clock += 60_000;
    await cw.call('SetAlarmState', { AlarmName: ALARM.AlarmName, StateValue: 'ALARM', StateReason: 'Threshold Crossed', StateReasonData: '{"version":"1.0","recentDatapoints":[3.0]}' });
    expect(changes).toEqual([
      {
        alarmName: ALARM.AlarmName,
        alarmArn: cw.alarmArn(ALARM.AlarmName),
        previous: { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', timestamp: new Date(T0) },
        current: { value: 'ALARM', reason: 'Threshold Crossed', reasonData: '{"version":"1.0","recentDatapoints":[3.0]}', timestamp: new Date(T0 + 60_000) },
        configuration: expect.objectContaining({ AlarmName: ALARM.AlarmName, StateValue: 'ALARM', MetricName: 'Invocation5XXErrors' }),
      },
    ]);
    expect((await cw.call('DescribeAlarms', {})).MetricAlarms).toEqual([
      expect.objectContaining({ StateValue: 'ALARM', StateReason: 'Threshold Crossed', StateReasonData: '{"version":"1.0","recentDatapoints":[3.0]}', StateUpdatedTimestamp: new Date(T0 + 60_000), StateTransitionedTimestamp: new Date(T0 + 60_000) }),
    ]);
    clock += 60_000;
    await cw.call('SetAlarmState', { AlarmName: ALARM.AlarmName, StateValue: 'OK', StateReason: 'back to normal' });
    expect(changes[1]).toMatchObject({ previous: { value: 'ALARM', reasonData: '{"version":"1.0","recentDatapoints":[3.0]}' }, current: { value: 'OK', reason: 'back to normal' } });
    expect(changes[1]!.current).not.toHaveProperty('reasonData');
    expect(cw.alarmStates([ALARM.AlarmName, 'unknown'])).toEqual([{ name: ALARM.AlarmName, state: 'OK', reason: 'back to normal', updatedAt: new Date(T0 + 120_000) }]);
  });

  it('changes nothing, and reports nothing, when the alarm is already in that state', async () => {
    const changes: AlarmStateChange[] = [];
    const cw = service({ onAlarmStateChange: (c) => changes.push(c) });
    await cw.call('PutMetricAlarm', ALARM);
    await cw.call('SetAlarmState', { AlarmName: ALARM.AlarmName, StateValue: 'ALARM', StateReason: 'first' });
    clock += 1_000;
    await cw.call('SetAlarmState', { AlarmName: ALARM.AlarmName, StateValue: 'ALARM', StateReason: 'second' });
    expect(changes).toHaveLength(1);
    expect(cw.alarmStates([ALARM.AlarmName])).toEqual([{ name: ALARM.AlarmName, state: 'ALARM', reason: 'first', updatedAt: new Date(T0) }]);
  });

  it('answers ResourceNotFound without a message for an unknown alarm, InvalidFormat for reason data that is not JSON', async () => {
    const cw = service();
    const missing = await failure(cw.call('SetAlarmState', { AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' }));
    expect(missing).toMatchObject({ code: 'ResourceNotFound', wireMessage: undefined, message: 'ResourceNotFound: no alarm named nope' });
    await cw.call('PutMetricAlarm', ALARM);
    expect(await failure(cw.call('SetAlarmState', { AlarmName: ALARM.AlarmName, StateValue: 'OK', StateReason: 'x', StateReasonData: '{not json' }))).toMatchObject({
      code: 'InvalidFormat',
      wireMessage: 'Data was not syntactically valid JSON.',
    });
  });

  it('logs a receiver that throws and still changes the state', async () => {
    const logger = { error: jest.fn() };
    const cw = service({ onAlarmStateChange: () => { throw new Error('bus down'); }, logger });
    await cw.call('PutMetricAlarm', ALARM);
    await expect(cw.call('SetAlarmState', { AlarmName: ALARM.AlarmName, StateValue: 'ALARM', StateReason: 'x' })).resolves.toEqual({});
    expect(logger.error).toHaveBeenCalledWith(`local-cloudwatch: the onAlarmStateChange receiver failed on ${ALARM.AlarmName}: bus down`);
    expect(cw.alarmStates([ALARM.AlarmName])[0]!.state).toBe('ALARM');
  });
});

describe('DeleteAlarms and tags', () => {
  it('deletes the named alarms and skips unknown names, as CloudWatch does', async () => {
    const cw = service();
    await cw.call('PutMetricAlarm', ALARM);
    await cw.call('PutMetricAlarm', LATENCY);
    await expect(cw.call('DeleteAlarms', { AlarmNames: [ALARM.AlarmName, 'never-existed'] })).resolves.toEqual({});
    expect(((await cw.call('DescribeAlarms', {})).MetricAlarms as { AlarmName: string }[]).map((a) => a.AlarmName)).toEqual([LATENCY.AlarmName]);
    await expect(cw.call('DeleteAlarms', { AlarmNames: ['never-existed'] })).resolves.toEqual({});
    expect((await failure(cw.call('DeleteAlarms', { AlarmNames: Array.from({ length: 101 }, (_, i) => `a${i}`) }))).wireMessage).toContain('Member must have length less than or equal to 100');
  });

  it('keeps the tags given at creation, tags and untags, and lists none for a deleted alarm', async () => {
    const cw = service();
    await cw.call('PutMetricAlarm', ALARM);
    const ResourceARN = cw.alarmArn(ALARM.AlarmName);
    expect(await cw.call('ListTagsForResource', { ResourceARN })).toEqual({ Tags: [{ Key: 'mlops:stage', Value: 'local' }] });
    await cw.call('TagResource', { ResourceARN, Tags: [{ Key: 'team', Value: 'ml' }, { Key: 'mlops:stage', Value: 'dev' }] });
    expect(await cw.call('ListTagsForResource', { ResourceARN })).toEqual({ Tags: [{ Key: 'mlops:stage', Value: 'dev' }, { Key: 'team', Value: 'ml' }] });
    await cw.call('UntagResource', { ResourceARN, TagKeys: ['mlops:stage', 'absent'] });
    expect(await cw.call('ListTagsForResource', { ResourceARN })).toEqual({ Tags: [{ Key: 'team', Value: 'ml' }] });
    await cw.call('DeleteAlarms', { AlarmNames: [ALARM.AlarmName] });
    expect(await cw.call('ListTagsForResource', { ResourceARN })).toEqual({ Tags: [] });
  });

  it('answers ResourceNotFoundException when tagging an alarm that does not exist, InvalidParameterValue for an ARN of no alarm', async () => {
    const cw = service();
    const ResourceARN = cw.alarmArn('nope');
    expect(await failure(cw.call('TagResource', { ResourceARN, Tags: [{ Key: 'k', Value: 'v' }] }))).toEqual({
      code: 'ResourceNotFoundException',
      wireMessage: `The resource ${ResourceARN} does not exist.`,
      message: `The resource ${ResourceARN} does not exist.`,
      fields: { ResourceType: 'alarm', ResourceId: ResourceARN },
    });
    expect(await failure(cw.call('UntagResource', { ResourceARN, TagKeys: ['k'] }))).toMatchObject({ code: 'ResourceNotFoundException' });
    expect(await failure(cw.call('ListTagsForResource', { ResourceARN: 'arn:aws:sqs:us-east-1:000000000000:queue' }))).toMatchObject({ code: 'InvalidParameterValue' });
    expect((await failure(cw.call('TagResource', { ResourceARN, Tags: [{ Key: '', Value: 'v' }] }))).wireMessage).toContain("at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1");
    expect((await failure(cw.call('TagResource', { ResourceARN }))).wireMessage).toBe("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
  });
});

describe('exportState and restore', () => {
  it('keeps alarms, states, reasons, timestamps and tags across a restart (through JSON, as the stack writes it)', async () => {
    const cw = service();
    await cw.call('PutMetricAlarm', ALARM);
    await cw.call('PutMetricAlarm', LATENCY);
    clock += 30_000;
    await cw.call('SetAlarmState', { AlarmName: LATENCY.AlarmName, StateValue: 'ALARM', StateReason: 'slow', StateReasonData: '{"p99":2e6}' });
    const version = cw.version;
    const saved = JSON.parse(JSON.stringify(cw.exportState()));
    const changes: AlarmStateChange[] = [];
    const restored = new CloudWatchService({ now, restore: saved, onAlarmStateChange: (c) => changes.push(c) });
    expect(await restored.call('DescribeAlarms', {})).toEqual(await cw.call('DescribeAlarms', {}));
    expect(await restored.call('ListTagsForResource', { ResourceARN: cw.alarmArn(ALARM.AlarmName) })).toEqual({ Tags: ALARM.Tags });
    await restored.call('SetAlarmState', { AlarmName: LATENCY.AlarmName, StateValue: 'OK', StateReason: 'fast again' });
    expect(changes[0]!.previous).toEqual({ value: 'ALARM', reason: 'slow', reasonData: '{"p99":2e6}', timestamp: new Date(T0 + 30_000) });
    // The export is a copy: the original is untouched, and every change bumped the version.
    expect(cw.alarmStates([LATENCY.AlarmName])[0]!.state).toBe('ALARM');
    expect(version).toBe(3);
  });
});

describe('alarmStateChangeEvent', () => {
  it('builds the documented CloudWatch Alarm State Change event for a single-metric alarm', async () => {
    const changes: AlarmStateChange[] = [];
    const cw = service({ region: 'us-east-1', accountId: '123456789012', onAlarmStateChange: (c) => changes.push(c) });
    await cw.call('PutMetricAlarm', LATENCY);
    clock = Date.UTC(2026, 0, 15, 12, 4, 40, 989);
    await cw.call('SetAlarmState', { AlarmName: LATENCY.AlarmName, StateValue: 'ALARM', StateReason: 'p99 over 1 s', StateReasonData: '{"version":"1.0"}' });
    const event = alarmStateChangeEvent(changes[0]!, { region: 'us-east-1', accountId: '123456789012', id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92' });
    const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${LATENCY.AlarmName}`;
    expect(event).toEqual({
      version: '0',
      id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      time: '2026-01-15T12:04:40Z',
      region: 'us-east-1',
      resources: [arn],
      detail: {
        alarmName: LATENCY.AlarmName,
        state: { value: 'ALARM', reason: 'p99 over 1 s', reasonData: '{"version":"1.0"}', timestamp: '2026-01-15T12:04:40.989+0000' },
        previousState: { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', timestamp: '2026-01-15T12:00:00.123+0000' },
        configuration: {
          description: '5xx from the new fleet',
          metrics: [
            {
              id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
              metricStat: {
                metric: { dimensions: { EndpointName: 'mlops-local-abalone', VariantName: 'AllTraffic' }, name: 'ModelLatency', namespace: 'AWS/SageMaker' },
                period: 60,
                stat: 'p99',
                unit: 'Microseconds',
              },
              returnData: true,
            },
          ],
        },
      },
    });
    // The metric's id is the alarm's, event after event; the event id is new each time.
    const again = alarmStateChangeEvent(changes[0]!, { region: 'us-east-1', accountId: '123456789012' });
    expect(again.detail.configuration.metrics[0]!.id).toBe(event.detail.configuration.metrics[0]!.id);
    expect(again.id).not.toBe(event.id);
  });

  it('writes a metric math alarm’s queries as the documented sample does, and takes the configuration it is given', async () => {
    const changes: AlarmStateChange[] = [];
    const cw = service({ onAlarmStateChange: (c) => changes.push(c) });
    await cw.call('PutMetricAlarm', {
      AlarmName: 'TotalNetworkTrafficTooHigh',
      EvaluationPeriods: 1,
      Threshold: 10000,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [
        { Id: 'e1', Expression: 'SUM(METRICS())', Label: 'Total Network Traffic', ReturnData: true },
        { Id: 'm1', MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: 'NetworkIn', Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }] }, Period: 300, Stat: 'Maximum' }, ReturnData: false },
      ],
    });
    await cw.call('SetAlarmState', { AlarmName: 'TotalNetworkTrafficTooHigh', StateValue: 'ALARM', StateReason: 'r' });
    const event = alarmStateChangeEvent(changes[0]!, { region: 'us-east-1', accountId: '000000000000' });
    expect(event.detail.configuration).toEqual({
      metrics: [
        { id: 'e1', expression: 'SUM(METRICS())', label: 'Total Network Traffic', returnData: true },
        { id: 'm1', metricStat: { metric: { dimensions: { InstanceId: 'i-1' }, name: 'NetworkIn', namespace: 'AWS/EC2' }, period: 300, stat: 'Maximum' }, returnData: false },
      ],
    });
    expect(event.detail.state).not.toHaveProperty('reasonData');
    const described = ((await cw.call('DescribeAlarms', {})).MetricAlarms as Parameters<typeof alarmStateChangeEvent>[1]['configuration'][])[0]!;
    expect(alarmStateChangeEvent(changes[0]!, { region: 'us-east-1', accountId: '000000000000', configuration: { ...described, AlarmDescription: 'given' } }).detail.configuration.description).toBe('given');
  });
});

describe('the query protocol codec', () => {
  it('reads nested lists and structures by the model, typed', () => {
    const params = new URLSearchParams({
      Action: 'PutMetricAlarm',
      Version: '2010-08-01',
      AlarmName: 'math',
      EvaluationPeriods: '2',
      Threshold: '0.5',
      ActionsEnabled: 'false',
      ComparisonOperator: 'GreaterThanThreshold',
      'Metrics.member.1.Id': 'e1',
      'Metrics.member.1.Expression': 'm1 * 2',
      'Metrics.member.2.Id': 'm1',
      'Metrics.member.2.ReturnData': 'false',
      'Metrics.member.2.MetricStat.Period': '60',
      'Metrics.member.2.MetricStat.Stat': 'Sum',
      'Metrics.member.2.MetricStat.Metric.MetricName': 'Invocations',
      'Metrics.member.2.MetricStat.Metric.Dimensions.member.2.Name': 'VariantName',
      'Metrics.member.2.MetricStat.Metric.Dimensions.member.2.Value': 'AllTraffic',
      'Metrics.member.2.MetricStat.Metric.Dimensions.member.1.Name': 'EndpointName',
      'Metrics.member.2.MetricStat.Metric.Dimensions.member.1.Value': 'e',
      AlarmActions: '',
      Period: 'sixty',
    });
    expect(queryInput(cloudWatchApiModel, 'PutMetricAlarm', params)).toEqual({
      AlarmName: 'math',
      ActionsEnabled: false,
      AlarmActions: [],
      // Text that does not parse stays text, for the validation to name.
      Period: 'sixty',
      EvaluationPeriods: 2,
      Threshold: 0.5,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [
        { Id: 'e1', Expression: 'm1 * 2' },
        {
          Id: 'm1',
          ReturnData: false,
          MetricStat: {
            Period: 60,
            Stat: 'Sum',
            Metric: {
              MetricName: 'Invocations',
              Dimensions: [
                { Name: 'EndpointName', Value: 'e' },
                { Name: 'VariantName', Value: 'AllTraffic' },
              ],
            },
          },
        },
      ],
    });
    expect(queryInput(cloudWatchApiModel, 'DescribeAlarms', new URLSearchParams('AlarmNames.member.1=a&AlarmNames.member.2=b&MaxRecords=5'))).toEqual({ AlarmNames: ['a', 'b'], MaxRecords: 5 });
  });

  it('writes the output shape in the model’s XML order inside XResult, and no result for an operation without output', () => {
    const at = new Date(Date.UTC(2026, 0, 1));
    const describeXml = queryResponse(
      cloudWatchApiModel,
      'DescribeAlarms',
      { CompositeAlarms: [], MetricAlarms: [{ StateValue: 'OK', AlarmName: 'a&b', AlarmActions: [], StateUpdatedTimestamp: at, Threshold: 2.5, ActionsEnabled: true, Dimensions: [{ Name: 'n', Value: 'v' }] }], NextToken: 't' },
      'req-1',
      'http://monitoring.amazonaws.com/doc/2010-08-01/',
    );
    expect(describeXml).toBe(
      '<?xml version="1.0"?><DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><CompositeAlarms></CompositeAlarms>' +
        '<MetricAlarms><member><AlarmName>a&amp;b</AlarmName><ActionsEnabled>true</ActionsEnabled><AlarmActions></AlarmActions><StateValue>OK</StateValue>' +
        '<StateUpdatedTimestamp>2026-01-01T00:00:00.000Z</StateUpdatedTimestamp><Dimensions><member><Name>n</Name><Value>v</Value></member></Dimensions><Threshold>2.5</Threshold></member></MetricAlarms>' +
        '<NextToken>t</NextToken></DescribeAlarmsResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeAlarmsResponse>',
    );
    expect(queryResponse(cloudWatchApiModel, 'SetAlarmState', {}, 'req-2', 'ns')).toBe(
      '<?xml version="1.0"?><SetAlarmStateResponse xmlns="ns"><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></SetAlarmStateResponse>',
    );
    expect(queryResponse(cloudWatchApiModel, 'ListTagsForResource', { Tags: [{ Key: 'k', Value: 'v' }] }, 'req-3', 'ns')).toContain(
      '<ListTagsForResourceResult><Tags><member><Key>k</Key><Value>v</Value></member></Tags></ListTagsForResourceResult>',
    );
  });
});
