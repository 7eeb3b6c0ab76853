/**
 * The local SQS through the real clients: the AWS SDK for JavaScript v3 (AWS JSON 1.0) and the AWS
 * CLIs installed here (the Debian AWS CLI 2.9.19 speaks the query protocol; a current botocore
 * speaks JSON 1.0). Errors carry SQS's codes: the JSON shape name as the SDK error's name and the
 * legacy query code (`AWS.SimpleQueueService.NonExistentQueue`) as its Code / the CLI's code.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalSqs, startLocalSqs } from '../src';

let sqs: LocalSqs;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startLocalSqs({ queues: [{ name: 'preexisting', attributes: { MessageRetentionPeriod: '1209600' } }] });
  client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  await sqs?.close();
});

const attributes = async (QueueUrl: string) =>
  (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes;

describe('the SDK v3 client (AWS JSON 1.0)', () => {
  it('creates a queue (idempotently), finds it by name and lists it', async () => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'sdk-q', Attributes: { VisibilityTimeout: '5' } }));
    expect(QueueUrl).toBe(`${sqs.endpoint}/000000000000/sdk-q`);
    expect((await client.send(new CreateQueueCommand({ QueueName: 'sdk-q', Attributes: { VisibilityTimeout: '5' } }))).QueueUrl).toBe(QueueUrl);
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'sdk-q' }))).QueueUrl).toBe(QueueUrl);
    expect((await client.send(new ListQueuesCommand({}))).QueueUrls).toEqual([`${sqs.endpoint}/000000000000/preexisting`, QueueUrl]);
    expect((await client.send(new ListQueuesCommand({ QueueNamePrefix: 'sdk' }))).QueueUrls).toEqual([QueueUrl]);
    const page1 = await client.send(new ListQueuesCommand({ MaxResults: 1 }));
    expect(page1.QueueUrls).toHaveLength(1);
    const page2 = await client.send(new ListQueuesCommand({ MaxResults: 1, NextToken: page1.NextToken }));
    expect(page2).toMatchObject({ QueueUrls: [QueueUrl] });
    expect(page2.NextToken).toBeUndefined();
  });

  it('reports the queue attributes: ARN, retention, counts', async () => {
    const QueueUrl = sqs.queueUrl('preexisting');
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:preexisting',
      MessageRetentionPeriod: '1209600',
      VisibilityTimeout: '30',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    expect((await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes).toEqual({ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:preexisting' });
  });

  it('sends, receives (the message invisible meanwhile), deletes', async () => {
    const QueueUrl = sqs.queueUrl('sdk-q');
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl, MessageBody: '{"hello":"world"}', MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } } }),
    );
    expect(sent).toMatchObject({ MessageId: expect.any(String), MD5OfMessageBody: 'fbc24bcc7a1794758fc1327fcfebdaf6' });
    expect(await attributes(QueueUrl)).toEqual({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' });
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }));
    expect(received.Messages).toEqual([
      {
        MessageId: sent.MessageId,
        ReceiptHandle: expect.any(String),
        MD5OfBody: sent.MD5OfMessageBody,
        Body: '{"hello":"world"}',
        Attributes: { SenderId: '000000000000', SentTimestamp: expect.stringMatching(/^\d{13}$/), ApproximateReceiveCount: '1', ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/) },
        MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
      },
    ]);
    expect(await attributes(QueueUrl)).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages![0]!.ReceiptHandle }));
    expect(await attributes(QueueUrl)).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    // Deleting again with the same handle succeeds, as SQS does.
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages![0]!.ReceiptHandle }));
  });

  it('makes a message visible again when its visibility timeout ends (a long poll returns it)', async () => {
    const QueueUrl = sqs.queueUrl('sdk-q');
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1 }));
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(second.Messages).toEqual([expect.objectContaining({ MessageId: first.Messages![0]!.MessageId, Attributes: { ApproximateReceiveCount: '2' } })]);
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: second.Messages![0]!.ReceiptHandle }));
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const QueueUrl = sqs.queueUrl('sdk-q');
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'during the wait' }));
    const started = Date.now();
    const { Messages } = await polling;
    expect(Messages?.map((m) => m.Body)).toEqual(['during the wait']);
    expect(Date.now() - started).toBeLessThan(5_000);
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages![0]!.ReceiptHandle }));
  });

  it('purges a queue, once per 60 seconds', async () => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'purged' }));
    for (const body of ['a', 'b', 'c']) await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    await client.send(new PurgeQueueCommand({ QueueUrl }));
    expect(await attributes(QueueUrl!)).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    await expect(client.send(new PurgeQueueCommand({ QueueUrl }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
      Code: 'AWS.SimpleQueueService.PurgeQueueInProgress',
      message: 'Only one PurgeQueue operation on purged is allowed every 60 seconds.',
      $metadata: { httpStatusCode: 403 },
    });
  });

  describe('errors', () => {
    it('a queue that does not exist: QueueDoesNotExist / AWS.SimpleQueueService.NonExistentQueue', async () => {
      const expected = { name: 'QueueDoesNotExist', Code: 'AWS.SimpleQueueService.NonExistentQueue', message: 'The specified queue does not exist.', $metadata: { httpStatusCode: 400 } };
      await expect(client.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject(expected);
      await expect(client.send(new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/nope`, MessageBody: 'x' }))).rejects.toMatchObject(expected);
      await expect(client.send(new ReceiveMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/nope` }))).rejects.toMatchObject(expected);
      await expect(client.send(new GetQueueAttributesCommand({ QueueUrl: `${sqs.endpoint}/111111111111/sdk-q` }))).rejects.toMatchObject(expected);
    });

    it('out-of-range receive parameters: InvalidParameterValue with SQS wording', async () => {
      await expect(client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('sdk-q'), MaxNumberOfMessages: 11 }))).rejects.toMatchObject({
        Code: 'InvalidParameterValue',
        message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('sdk-q'), WaitTimeSeconds: 21 }))).rejects.toMatchObject({ Code: 'InvalidParameterValue' });
    });

    it('an invalid receipt handle, an invalid queue name, a conflicting CreateQueue, an unknown attribute', async () => {
      await expect(client.send(new DeleteMessageCommand({ QueueUrl: sqs.queueUrl('sdk-q'), ReceiptHandle: 'garbage' }))).rejects.toMatchObject({
        name: 'ReceiptHandleIsInvalid',
        message: 'The input receipt handle "garbage" is not a valid receipt handle.',
        $metadata: { httpStatusCode: 404 },
      });
      await expect(client.send(new CreateQueueCommand({ QueueName: 'bad name' }))).rejects.toMatchObject({
        Code: 'InvalidParameterValue',
        message: 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      });
      await expect(client.send(new CreateQueueCommand({ QueueName: 'sdk-q', Attributes: { VisibilityTimeout: '6' } }))).rejects.toMatchObject({
        name: 'QueueNameExists',
        Code: 'QueueAlreadyExists',
        message: 'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
      });
      await expect(client.send(new GetQueueAttributesCommand({ QueueUrl: sqs.queueUrl('sdk-q'), AttributeNames: ['Bogus' as never] }))).rejects.toMatchObject({
        name: 'InvalidAttributeName',
        message: 'Unknown Attribute Bogus.',
      });
    });
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
      console.warn('local-sqs: no AWS CLI (`aws`) on this machine; the CLI protocol tests are skipped (install Debian\'s awscli)');
    });
  });
}

/** The same tests for each CLI. */
function cliTests(version: string, path: string): void {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  const aws = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(path, ['--endpoint-url', sqs.endpoint, '--output', 'json', ...args], { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const queue = `cli-${version.split(' ')[0]!.replace(/[^A-Za-z0-9]/g, '-')}`;

  it('create-queue, send-message, receive-message, delete-message, get-queue-attributes', async () => {
    const created = await aws('sqs', 'create-queue', '--queue-name', queue);
    expect(created.stderr).toBe('');
    const url = (JSON.parse(created.stdout) as { QueueUrl: string }).QueueUrl;
    expect(url).toBe(sqs.queueUrl(queue));
    const sent = await aws('sqs', 'send-message', '--queue-url', url, '--message-body', 'from the CLI & <xml>', '--message-attributes', '{"k":{"DataType":"String","StringValue":"v"}}');
    expect(sent.stderr).toBe('');
    expect(JSON.parse(sent.stdout)).toMatchObject({ MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/), MessageId: expect.any(String) });
    const received = await aws('sqs', 'receive-message', '--queue-url', url, '--attribute-names', 'All', '--message-attribute-names', 'All', '--max-number-of-messages', '10');
    expect(received.stderr).toBe('');
    const { Messages } = JSON.parse(received.stdout) as { Messages: { Body: string; ReceiptHandle: string; Attributes: Record<string, string>; MessageAttributes: unknown }[] };
    expect(Messages).toEqual([expect.objectContaining({ Body: 'from the CLI & <xml>', Attributes: expect.objectContaining({ ApproximateReceiveCount: '1' }), MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } })]);
    const counts = await aws('sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names', 'ApproximateNumberOfMessagesNotVisible', 'QueueArn');
    expect(JSON.parse(counts.stdout)).toEqual({ Attributes: { ApproximateNumberOfMessagesNotVisible: '1', QueueArn: `arn:aws:sqs:us-east-1:000000000000:${queue}` } });
    expect((await aws('sqs', 'delete-message', '--queue-url', url, '--receipt-handle', Messages[0]!.ReceiptHandle)).code).toBe(0);
    expect(sqs.service.peek(queue)).toEqual([]);
    const listed = await aws('sqs', 'list-queues', '--queue-name-prefix', 'cli-');
    expect(JSON.parse(listed.stdout).QueueUrls).toContain(url);
    expect((await aws('sqs', 'purge-queue', '--queue-url', url)).code).toBe(0);
  });

  it('names a missing queue with the legacy code', async () => {
    const missing = await aws('sqs', 'get-queue-url', '--queue-name', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist.');
  });
}

for (const cli of installed) describe(`the AWS CLI ${cli.version}`, () => cliTests(cli.version, cli.path));
