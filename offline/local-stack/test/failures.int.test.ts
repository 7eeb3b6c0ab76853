/**
 * resources/failures.yml through the offline stack:
 * - an upload whose ingestion always fails: the S3 trigger's asynchronous invocation is tried three
 *   times (the first try and mlops_ingest's `maximumRetryAttempts: 2`), then Lambda's invocation
 *   record goes to the on-failure destination, the `mlops-local-ingest-failures` queue;
 * - a pipeline execution that is aborted: Step Functions' status change event on the bus matches
 *   CleanUpEndedRunsRule, whose Lambda target (mlops_record) is invoked asynchronously with the
 *   rule's transformed input.
 * Both functions run stand-in bundles (fixtures/), so the wiring is tested, not the functions.
 */
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type LocalStack, startLocalStack } from '../src';
import { encodeS3EventKey } from '../src/s3-trigger';

let stack: LocalStack;
const fixture = (name: string) => join(__dirname, 'fixtures', name);
const functionName = (key: string) => stack.resources.functions.find((f) => f.key === key)!.name;

beforeAll(async () => {
  stack = await startLocalStack({
    waitScale: 0.01,
    bundleOverrides: {
      mlops_ingest: { bundlePath: fixture('ingest-always-fails.js') },
      mlops_record: { bundlePath: fixture('record-stub.js') },
      mlops_train: { bundlePath: fixture('train-hangs.js'), timeoutSeconds: 60 },
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

describe('the stack resources of failures.yml', () => {
  it('creates the stage queue and exposes the local SQS', async () => {
    expect(stack.resources.queues).toEqual({
      IngestDeadLetterQueue: {
        logicalId: 'IngestDeadLetterQueue',
        name: 'mlops-local-ingest-failures',
        arn: 'arn:aws:sqs:us-east-1:000000000000:mlops-local-ingest-failures',
        url: `${stack.endpoints.sqs}/000000000000/mlops-local-ingest-failures`,
        attributes: { MessageRetentionPeriod: '1209600', SqsManagedSseEnabled: 'true' },
      },
    });
    expect(stack.environment.AWS_ENDPOINT_URL_SQS).toBe(stack.endpoints.sqs);
    const { QueueUrl } = await stack.clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'mlops-local-ingest-failures' }));
    const { Attributes } = await stack.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['MessageRetentionPeriod', 'ApproximateNumberOfMessages'] }));
    expect(Attributes).toEqual({ MessageRetentionPeriod: '1209600', ApproximateNumberOfMessages: '0' });
    // mlops_ingest's asynchronous configuration, from serverless.yml.
    expect(stack.resources.functions.find((f) => f.key === 'mlops_ingest')!.asyncConfig).toEqual({
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 21600,
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:mlops-local-ingest-failures',
    });
    expect(stack.resources.functions.find((f) => f.key === 'mlops_record')!.asyncConfig).toEqual({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21600 });
  });

  it('an upload whose ingestion always fails ends as one message in the ingest-failures queue after 3 invocations', async () => {
    const key = 'incoming/always fails.csv';
    const before = stack.lambda.stats()[functionName('mlops_ingest')]?.invocations ?? 0;
    const put = await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: 'a,b\n1,2\n' }));
    await stack.settled();
    expect(stack.lambda.stats()[functionName('mlops_ingest')]!.invocations - before).toBe(3);
    expect(stack.ingestOutcome(key)).toEqual({ key, error: 'IngestBroken: ingestion always fails (test)' });

    const QueueUrl = stack.sqs.queueUrl('mlops-local-ingest-failures');
    const { Messages } = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages).toHaveLength(1);
    const record = JSON.parse(Messages![0]!.Body!) as Record<string, unknown>;
    const ingestArn = `arn:aws:lambda:us-east-1:000000000000:function:${functionName('mlops_ingest')}`;
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requestContext: { requestId: expect.any(String), functionArn: `${ingestArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: {
        Records: [
          expect.objectContaining({
            eventName: 'ObjectCreated:Put',
            awsRegion: 'us-east-1',
            s3: expect.objectContaining({
              bucket: expect.objectContaining({ name: stack.bucket, arn: `arn:aws:s3:::${stack.bucket}` }),
              object: expect.objectContaining({ key: encodeS3EventKey(key), eTag: put.ETag!.replace(/"/g, '') }),
            }),
          }),
        ],
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: expect.objectContaining({ errorType: 'IngestBroken', errorMessage: 'ingestion always fails (test)' }),
    });
    // The three attempts were the same request, as Lambda retries one event.
    const requestIds = new Set(
      stack.lambda
        .logs(functionName('mlops_ingest'))
        .filter((l) => l.message.includes('ingestAttempt'))
        .map((l) => l.requestId),
    );
    expect([...requestIds]).toEqual([(record.requestContext as { requestId: string }).requestId]);
  });

  it('an aborted pipeline execution invokes mlops_record through CleanUpEndedRunsRule with the transformed input', async () => {
    // An input with strings: the rule passes the whole detail as an object, so its JSON text stays escaped.
    const input = JSON.stringify({ runId: 'cleanup-test', note: 'a "quoted" string' });
    const { executionArn, startDate } = await stack.clients.sfn.send(
      new StartExecutionCommand({ stateMachineArn: stack.stages.local!.stateMachineArns.pipeline, name: 'cleanup-test', input }),
    );
    await stack.clients.sfn.send(new StopExecutionCommand({ executionArn, error: 'Test', cause: 'stopped by the test' }));
    expect((await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
    await stack.settled();

    const recorded = stack.lambda
      .logs(functionName('mlops_record'))
      .filter((l) => l.message.includes('"recorded"'))
      .map((l) => (JSON.parse(l.message.slice(l.message.indexOf('{'))) as { recorded: unknown }).recorded);
    expect(recorded).toEqual([{ kind: 'ended', execution: expect.objectContaining({ executionArn, status: 'ABORTED', input, startDate: startDate!.getTime() }) }]);
    const delivery = stack.eventBridge.bus.delivered().find((d) => d.ruleName === 'mlops-local-CleanUpEndedRunsRule');
    expect(delivery).toMatchObject({ targetId: 'RecordEndedRun', targetArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName('mlops_record')}`, status: 'succeeded', attempts: 1 });
    // RUNNING and ABORTED were both on the bus; only ABORTED matched the rule.
    const statuses = stack.eventBridge.bus
      .published()
      .filter((e) => e.source === 'aws.states' && e.resources[0] === executionArn)
      .map((e) => e.detail.status);
    expect(statuses).toEqual(['RUNNING', 'ABORTED']);
    // And the stage's notification topic heard of it (resources/notifications.yml), in the stack's sink.
    expect(stack.notifications().filter((n) => n.message.includes(executionArn!))).toEqual([
      expect.objectContaining({
        stage: 'local',
        rule: 'mlops-local-NotifyRunStoppedRule',
        message: `Run cleanup-test of stage local ended ABORTED: its jobs are stopped and the run is recorded in runs/cleanup-test/run.json. Execution: ${executionArn}`,
      }),
    ]);
  });

  it('a Lambda target whose function does not exist fails the delivery for good (no retry)', async () => {
    const { startStackEventBridge } = await import('../src/events');
    const bus = startStackEventBridge({
      rules: [{ name: 'r', eventBusName: 'default', state: 'ENABLED', eventPattern: { source: ['test'] }, targets: [{ id: 't', arn: 'arn:aws:lambda:us-east-1:000000000000:function:missing' }] }],
      region: 'us-east-1',
      accountId: '000000000000',
      startExecution: async () => undefined,
      invokeFunction: async (arn) => {
        throw Object.assign(new Error(`Function not found: ${arn}`), { code: 'ResourceNotFoundException' });
      },
    });
    await bus.bus.putEvents([{ source: 'test', 'detail-type': 'x', detail: {} }]);
    await bus.idle();
    expect(bus.bus.failures()).toEqual([expect.objectContaining({ attempts: 1, status: 'failed', error: expect.stringContaining('Function not found') })]);
    await bus.close();
  });
});
