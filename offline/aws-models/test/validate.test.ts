import { cloudWatchModel, formatValidationMessage, javaPatternToRegExp, sageMakerModel, sageMakerRuntimeModel, stepFunctionsModel, validateRequest } from '../src';

const validTrainingJob = {
  TrainingJobName: 'mlops-dev-abalone-1',
  RoleArn: 'arn:aws:iam::123456789012:role/sagemaker',
  AlgorithmSpecification: { TrainingImage: 'img:1', TrainingInputMode: 'File' },
  OutputDataConfig: { S3OutputPath: 's3://bucket/runs/x/model' },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 },
};

describe('validateRequest against the official SageMaker model', () => {
  it('accepts a well-formed CreateTrainingJob request', () => {
    expect(validateRequest(sageMakerModel, 'CreateTrainingJob', validTrainingJob)).toEqual([]);
  });

  it('names a missing required member with its AWS path', () => {
    const { RoleArn: _omitted, ...rest } = validTrainingJob;
    const issues = validateRequest(sageMakerModel, 'CreateTrainingJob', rest);
    expect(issues).toEqual([{ path: 'roleArn', value: null, constraint: 'Member must not be null' }]);
    expect(formatValidationMessage(issues)).toBe(
      "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
  });

  it('enforces the name pattern and length as a full match', () => {
    const issues = validateRequest(sageMakerModel, 'CreateTrainingJob', { ...validTrainingJob, TrainingJobName: 'bad_name' });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('trainingJobName');
    expect(issues[0]!.constraint).toContain('regular expression pattern');
    const long = validateRequest(sageMakerModel, 'CreateTrainingJob', { ...validTrainingJob, TrainingJobName: 'a'.repeat(64) });
    expect(long.map((i) => i.constraint)).toContain('Member must have length less than or equal to 63');
  });

  it('checks enums, integer ranges and nested list paths', () => {
    const issues = validateRequest(sageMakerModel, 'CreateTrainingJob', {
      ...validTrainingJob,
      ResourceConfig: { InstanceType: 'ml.nope', InstanceCount: 1, VolumeSizeInGB: 5 },
      StoppingCondition: { MaxRuntimeInSeconds: 0 },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 'not-a-uri' } } }],
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.constraint]));
    expect(byPath['resourceConfig.instanceType']).toMatch(/^Member must satisfy enum value set: \[/);
    expect(byPath['stoppingCondition.maxRuntimeInSeconds']).toBe('Member must have value greater than or equal to 1');
    expect(byPath['inputDataConfig.1.member.dataSource.s3DataSource.s3Uri']).toContain('regular expression pattern');
  });

  it('rejects wrong types and, when asked, members the model does not define', () => {
    const issues = validateRequest(sageMakerModel, 'DescribeTrainingJob', { TrainingJobName: 42, Extra: true }, { rejectUnknownMembers: true });
    expect(issues.map((i) => `${i.path}: ${i.constraint}`)).toEqual([
      'trainingJobName: Member must be a string, not number',
      'extra: Member is not defined by the API model',
    ]);
  });

  it('covers the Step Functions and SageMaker Runtime models too', () => {
    expect(validateRequest(stepFunctionsModel, 'StartExecution', { stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:x', name: 'n'.repeat(81) })[0]!.constraint).toBe(
      'Member must have length less than or equal to 80',
    );
    expect(validateRequest(sageMakerRuntimeModel, 'InvokeEndpoint', { EndpointName: 'e' })[0]!.path).toBe('body');
  });
});

describe('the CloudWatch model', () => {
  it('is the query-compatible model with the three protocols, and checks the alarm operations', () => {
    expect(cloudWatchModel.metadata).toMatchObject({ protocol: 'smithy-rpc-v2-cbor', targetPrefix: 'GraniteServiceVersion20100801', jsonVersion: '1.0' });
    expect((cloudWatchModel.metadata as unknown as { protocols: string[] }).protocols).toEqual(['smithy-rpc-v2-cbor', 'json', 'query']);
    const alarm = { AlarmName: 'latency', MetricName: 'ModelLatency', Namespace: 'AWS/SageMaker', ExtendedStatistic: 'p99', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' };
    expect(validateRequest(cloudWatchModel, 'PutMetricAlarm', alarm)).toEqual([]);
    expect(validateRequest(cloudWatchModel, 'PutMetricAlarm', { ...alarm, Period: 0, Namespace: ':aws' }).map((i) => `${i.path}: ${i.constraint}`)).toEqual([
      'namespace: Member must satisfy regular expression pattern: [^:].*',
      'period: Member must have value greater than or equal to 1',
    ]);
    expect(formatValidationMessage(validateRequest(cloudWatchModel, 'SetAlarmState', { AlarmName: 'a', StateValue: 'BROKEN', StateReason: 'x' }))).toBe(
      "1 validation error detected: Value 'BROKEN' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [OK, ALARM, INSUFFICIENT_DATA]",
    );
  });
});

describe('javaPatternToRegExp', () => {
  it('translates the Java-only constructs the models use', () => {
    expect(javaPatternToRegExp('\\A\\S[\\p{Print}]*\\z')!.test('abc')).toBe(true);
    expect(javaPatternToRegExp('\\A\\S[\\p{Print}]*\\z')!.test(' abc')).toBe(false);
    expect(javaPatternToRegExp('arn:[\\p{Alnum}\\-]+:lambda')!.test('arn:aws-cn:lambda')).toBe(true);
    expect(javaPatternToRegExp('([\\p{L}_]*)${1,128}')!.test('ab_c')).toBe(true);
  });
});
