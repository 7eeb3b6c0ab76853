/**
 * The local bus: PutEvents (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html),
 * routing to enabled rules' targets, target input, retries
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html).
 */
import {
  createLocalEventBridge,
  type DeliveredRule,
  type Deliver,
  type EventBridgeEvent,
  type LocalEventBridgeOptions,
  type LocalRule,
  type LocalTarget,
  rulesFromTemplate,
  ValidationException,
} from '../src';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const NOW = new Date('2024-05-01T12:34:56.789Z');
const smArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

const modelPackageDetail = {
  ModelPackageGroupName: 'mlops-models',
  ModelPackageVersion: 3,
  ModelPackageArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/mlops-models/3`,
  ModelApprovalStatus: 'Approved',
};
/** An event as the local SageMaker emits it. */
const approvedEvent = {
  source: 'aws.sagemaker',
  'detail-type': 'SageMaker Model Package State Change',
  resources: [modelPackageDetail.ModelPackageArn],
  detail: modelPackageDetail,
};

const approved: LocalRule = {
  name: 'model-approved',
  eventBusName: 'default',
  state: 'ENABLED',
  eventPattern: { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Model Package State Change'], detail: { ModelApprovalStatus: ['Approved'] } },
  targets: [{ id: 'deploy', arn: smArn('deploy') }],
};
const rejected: LocalRule = {
  name: 'model-rejected',
  eventBusName: 'default',
  state: 'ENABLED',
  eventPattern: { source: ['aws.sagemaker'], detail: { ModelApprovalStatus: ['Rejected'] } },
  targets: [{ id: 'notify', arn: smArn('notify') }],
};
const disabled: LocalRule = { ...approved, name: 'model-approved-disabled', state: 'DISABLED', targets: [{ id: 'never', arn: smArn('never') }] };
const otherBus: LocalRule = { ...approved, name: 'model-approved-other-bus', eventBusName: 'mlops', targets: [{ id: 'other-bus', arn: smArn('other-bus') }] };

interface Call {
  target: LocalTarget;
  input: string;
  rule: DeliveredRule;
}

function bus(rules: LocalRule[], deliver?: Deliver, extra: Partial<LocalEventBridgeOptions> = {}) {
  const calls: Call[] = [];
  const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const eb = createLocalEventBridge({
    rules,
    region: REGION,
    accountId: ACCOUNT,
    logger,
    now: () => NOW,
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    deliver: async (target, input, rule) => {
      calls.push({ target, input, rule });
      await deliver?.(target, input, rule);
    },
    ...extra,
  });
  return { eb, calls, logger };
}

describe('putEvents', () => {
  it('delivers an emitted event to the matching enabled rules of its bus only', async () => {
    const { eb, calls } = bus([approved, rejected, disabled, otherBus]);
    const result = await eb.putEvents([approvedEvent]);
    await eb.close();

    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(1);
    expect(calls.map((c) => c.target.id)).toEqual(['deploy']);
    const event = JSON.parse(calls[0]!.input) as EventBridgeEvent;
    expect(event).toEqual({
      version: '0',
      id: result.Entries[0]!.EventId,
      'detail-type': 'SageMaker Model Package State Change',
      source: 'aws.sagemaker',
      account: ACCOUNT,
      time: '2024-05-01T12:34:56Z',
      region: REGION,
      resources: [modelPackageDetail.ModelPackageArn],
      detail: modelPackageDetail,
    });
    expect(Object.keys(event)).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(calls[0]!.rule).toMatchObject({ name: 'model-approved', arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/model-approved` });
    expect(eb.stats()).toEqual({ entries: 1, failedEntries: 0, ruleMatches: 1, deliveries: { succeeded: 1, failed: 0, retries: 0, inFlight: 0 } });
    expect(eb.delivered()).toEqual([
      expect.objectContaining({ eventId: event.id, ruleName: 'model-approved', targetId: 'deploy', targetArn: smArn('deploy'), attempts: 1, status: 'succeeded', input: calls[0]!.input }),
    ]);
    expect(eb.published()).toEqual([event]);
  });

  it('takes the PutEvents entry shape: Detail as JSON text, Time, Resources, EventBusName', async () => {
    const { eb, calls } = bus([approved, otherBus]);
    const result = await eb.putEvents([
      {
        Source: 'aws.sagemaker',
        DetailType: 'SageMaker Model Package State Change',
        Detail: JSON.stringify(modelPackageDetail),
        Resources: ['r1'],
        Time: new Date('2024-01-02T03:04:05.678Z'),
        EventBusName: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/mlops`,
      },
    ]);
    await eb.idle();
    expect(result).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    expect(calls.map((c) => c.target.id)).toEqual(['other-bus']);
    expect(calls[0]!.rule.arn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/mlops/model-approved-other-bus`);
    expect(JSON.parse(calls[0]!.input)).toMatchObject({ time: '2024-01-02T03:04:05Z', resources: ['r1'], detail: modelPackageDetail, id: result.Entries[0]!.EventId });
  });

  it('answers per entry: refused entries get ErrorCode and ErrorMessage, the others go through', async () => {
    const { eb, calls } = bus([approved]);
    const ok = { Source: 'aws.sagemaker', DetailType: 'SageMaker Model Package State Change', Detail: JSON.stringify(modelPackageDetail) };
    const result = await eb.putEvents([
      { DetailType: 'x', Detail: '{}' },
      { Source: 's', Detail: '{}' },
      { Source: 's', DetailType: 'x' },
      { ...ok, Detail: '[1, 2]' },
      { ...ok, Detail: '"a string"' },
      { ...ok, Detail: '{not json' },
      ok,
    ]);
    await eb.idle();
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries.slice(0, 6)).toEqual([
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
    expect(result.Entries[6]).toEqual({ EventId: expect.any(String) });
    expect(calls).toHaveLength(1);
    expect(eb.stats()).toMatchObject({ entries: 7, failedEntries: 6 });
  });

  it('refuses more than 10 entries, as the API does', async () => {
    const { eb } = bus([approved]);
    await expect(eb.putEvents(new Array(11).fill(approvedEvent))).rejects.toThrow(ValidationException);
    await expect(eb.putEvents([])).rejects.toThrow('greater than or equal to 1');
  });

  it('keeps an emitted event\'s own id, time, account and region', async () => {
    const { eb, calls } = bus([approved]);
    await eb.putEvents([{ ...approvedEvent, id: 'fixed-id', time: '2020-01-01T00:00:00Z', account: '999999999999', region: 'us-west-2' }]);
    await eb.idle();
    expect(JSON.parse(calls[0]!.input)).toMatchObject({ id: 'fixed-id', time: '2020-01-01T00:00:00Z', account: '999999999999', region: 'us-west-2' });
  });

  it('delivers to every target of every matching rule, each with its own input', async () => {
    const transformer = {
      inputPathsMap: { arn: '$.detail.ModelPackageArn', version: '$.detail.ModelPackageVersion', status: '$.detail.ModelApprovalStatus' },
      inputTemplate: '{"modelPackageArn": <arn>, "version": <version>, "message": "version <version> is <status>", "rule": <aws.events.rule-name>}',
    };
    const rule: LocalRule = {
      ...approved,
      targets: [
        { id: 'whole', arn: smArn('a') },
        { id: 'constant', arn: smArn('b'), input: '{"mode": "deploy"}' },
        { id: 'path', arn: smArn('c'), inputPath: '$.detail' },
        { id: 'transformer', arn: smArn('d'), inputTransformer: transformer },
      ],
    };
    const { eb, calls } = bus([rule, { ...approved, name: 'second', targets: [{ id: 'second', arn: smArn('e') }] }]);
    await eb.putEvents([approvedEvent]);
    await eb.close();
    const byId = Object.fromEntries(calls.map((c) => [c.target.id, c.input]));
    expect(Object.keys(byId).sort()).toEqual(['constant', 'path', 'second', 'transformer', 'whole']);
    expect(JSON.parse(byId.whole!)).toMatchObject({ source: 'aws.sagemaker', detail: modelPackageDetail });
    expect(byId.constant).toBe('{"mode": "deploy"}');
    expect(byId.path).toBe(JSON.stringify(modelPackageDetail));
    expect(byId.transformer).toBe(
      `{"modelPackageArn": "${modelPackageDetail.ModelPackageArn}", "version": 3, "message": "version 3 is Approved", "rule": "model-approved"}`,
    );
    expect(eb.stats().ruleMatches).toBe(2);
  });

  it('works from rulesFromTemplate output', async () => {
    const rules = rulesFromTemplate(
      {
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventPattern: JSON.stringify(approved.eventPattern),
            Targets: [{ Id: 'deploy', Arn: { 'Fn::GetAtt': ['Deploy', 'Arn'] }, InputPath: '$.detail.ModelPackageArn' }],
          },
        },
      },
      () => smArn('Deploy'),
    );
    const { eb, calls } = bus(rules);
    await eb.putEvents([approvedEvent, { ...approvedEvent, detail: { ...modelPackageDetail, ModelApprovalStatus: 'PendingManualApproval' } }]);
    await eb.close();
    expect(calls.map((c) => [c.target.arn, c.input])).toEqual([[smArn('Deploy'), JSON.stringify(modelPackageDetail.ModelPackageArn)]]);
  });

  it('answers before delivering, as EventBridge does', async () => {
    let delivered = 0;
    const { eb } = bus([approved], () => void delivered++);
    await eb.putEvents([approvedEvent]);
    expect(delivered).toBe(0);
    await eb.idle();
    expect(delivered).toBe(1);
  });
});

describe('delivery failures', () => {
  it('retries a failing delivery with backoff, then succeeds', async () => {
    let n = 0;
    const { eb, calls, logger } = bus([approved], () => {
      if (++n < 3) throw new Error(`ExecutionLimitExceeded ${n}`);
    });
    await eb.putEvents([approvedEvent]);
    await eb.close();
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.input)).size).toBe(1);
    expect(eb.delivered()).toEqual([expect.objectContaining({ targetId: 'deploy', attempts: 3, status: 'succeeded' })]);
    expect(eb.failures()).toEqual([]);
    expect(eb.stats().deliveries).toEqual({ succeeded: 1, failed: 0, retries: 2, inFlight: 0 });
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('waits longer before each retry (exponential backoff)', async () => {
    const at: number[] = [];
    const { eb } = bus(
      [approved],
      () => {
        at.push(Date.now());
        throw new Error('down');
      },
      { retry: { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 1000 } },
    );
    await eb.putEvents([approvedEvent]);
    await eb.close();
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(75);
  });

  it('records and counts a delivery that keeps failing, with the dead-letter ARN', async () => {
    const rule: LocalRule = { ...approved, targets: [{ id: 'deploy', arn: smArn('deploy'), deadLetterArn: 'arn:aws:sqs:eu-west-1:111122223333:dlq' }] };
    const { eb, calls, logger } = bus([rule, rejected], () => {
      throw Object.assign(new Error('state machine does not exist'), { name: 'StateMachineDoesNotExist' });
    });
    await eb.putEvents([approvedEvent]);
    await eb.close();
    expect(calls).toHaveLength(3); // 1 + maxRetries (2)
    expect(eb.delivered()).toEqual([]);
    expect(eb.failures()).toEqual([
      expect.objectContaining({
        targetId: 'deploy',
        attempts: 3,
        status: 'failed',
        error: 'StateMachineDoesNotExist: state machine does not exist',
        deadLetterArn: 'arn:aws:sqs:eu-west-1:111122223333:dlq',
        input: calls[0]!.input,
      }),
    ]);
    expect(eb.stats().deliveries).toEqual({ succeeded: 0, failed: 1, retries: 2, inFlight: 0 });
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it("honours a target's RetryPolicy.MaximumRetryAttempts when lower", async () => {
    const rule: LocalRule = { ...approved, targets: [{ id: 'deploy', arn: smArn('deploy'), retryPolicy: { maximumRetryAttempts: 0 } }] };
    const { eb, calls } = bus([rule], () => Promise.reject(new Error('no')));
    await eb.putEvents([approvedEvent]);
    await eb.close();
    expect(calls).toHaveLength(1);
    expect(eb.failures()[0]).toMatchObject({ attempts: 1, error: 'no' });
  });

  it('does not retry an error marked retryable: false', async () => {
    const { eb, calls } = bus([approved], () => {
      throw Object.assign(new Error('AccessDenied'), { retryable: false });
    });
    await eb.putEvents([approvedEvent]);
    await eb.close();
    expect(calls).toHaveLength(1);
    expect(eb.stats().deliveries).toMatchObject({ failed: 1, retries: 0 });
  });

  it('records an input that cannot be built without calling deliver', async () => {
    const rule: LocalRule = {
      ...approved,
      targets: [
        { id: 'bad-template', arn: smArn('a'), inputTransformer: { inputPathsMap: { d: '$.detail' }, inputTemplate: '{"d": "<d>"}' } },
        { id: 'no-path', arn: smArn('b'), inputPath: '$.detail.missing' },
      ],
    };
    const { eb, calls } = bus([rule]);
    await eb.putEvents([approvedEvent]);
    await eb.close();
    expect(calls).toHaveLength(0);
    expect(eb.failures().map((f) => [f.targetId, f.attempts, f.error])).toEqual([
      ['bad-template', 0, expect.stringMatching(/^InputTemplate produced invalid JSON/)],
      ['no-path', 0, 'InputPath $.detail.missing matched nothing in the event'],
    ]);
  });
});

describe('lifecycle and set-up', () => {
  it('close waits for deliveries in flight, then refuses events', async () => {
    let finished = false;
    const { eb } = bus([approved], async () => {
      await new Promise((r) => setTimeout(r, 30));
      finished = true;
    });
    await eb.putEvents([approvedEvent]);
    expect(eb.stats().deliveries.inFlight).toBe(1);
    await eb.close();
    expect(finished).toBe(true);
    await expect(eb.putEvents([approvedEvent])).rejects.toThrow(/closed/);
  });

  it('refuses invalid rules when created', () => {
    expect(() => bus([{ ...approved, eventPattern: { source: 'aws.sagemaker' } }])).toThrow('Event pattern is not valid. Reason: "source" must be an object or an array');
    expect(() => bus([approved, approved])).toThrow(/defined twice/);
    expect(() => bus([{ ...approved, targets: [{ id: 't', arn: smArn('a'), input: '{}', inputPath: '$' }] }])).toThrow(ValidationException);
  });

  it('defaults region, account and the default bus', async () => {
    const calls: string[] = [];
    const eb = createLocalEventBridge({ rules: [{ ...approved, eventBusName: '' }], deliver: (_t, input) => void calls.push(input) });
    expect(eb.rules[0]!.arn).toBe('arn:aws:events:us-east-1:000000000000:rule/model-approved');
    await eb.putEvents([approvedEvent]);
    await eb.close();
    expect(JSON.parse(calls[0]!)).toMatchObject({ account: '000000000000', region: 'us-east-1' });
    expect(JSON.parse(calls[0]!).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
