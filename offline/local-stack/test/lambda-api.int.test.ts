/**
 * The stack's Lambda Invoke API, driven by the AWS SDK's own LambdaClient: each invocation type, a
 * function error as Lambda reports it, and the service errors with Lambda's codes.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaFunctionError, LambdaServiceError, type LocalLambda } from '@mlops/local-lambda';
import { startLambdaApi, type LambdaApi } from '../src/lambda-api';
import { LOCAL_CREDENTIALS } from '../src';

const queued: { name: string; event: unknown }[] = [];
let behaviour: (name: string, event: unknown) => Promise<unknown> = async (_name, event) => ({ echo: event });
const lambda = { invokeWithDetails: async (name: string, event: unknown) => ({ payload: await behaviour(name, event), requestId: 'req-1' }) } as unknown as LocalLambda;
let api: LambdaApi;
let client: LambdaClient;
const text = (payload: Uint8Array | undefined) => Buffer.from(payload ?? new Uint8Array()).toString('utf8');

beforeAll(async () => {
  api = await startLambdaApi({
    lambda,
    resolve: (requested) => (['mlops-local-mlops_ingest', 'arn:aws:lambda:us-east-1:000000000000:function:mlops-local-mlops_ingest'].includes(requested.replace(/:\$LATEST$/, '')) ? 'mlops-local-mlops_ingest' : undefined),
    invokeAsync: (name, event) => {
      queued.push({ name, event });
      return 'async-1';
    },
  });
  client = new LambdaClient({ endpoint: api.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await api.close();
});

it('RequestResponse answers the function’s result, by name or ARN', async () => {
  const byName = await client.send(new InvokeCommand({ FunctionName: 'mlops-local-mlops_ingest', Payload: Buffer.from('{"a":1}') }));
  expect(byName.StatusCode).toBe(200);
  expect(byName.ExecutedVersion).toBe('$LATEST');
  expect(JSON.parse(text(byName.Payload))).toEqual({ echo: { a: 1 } });
  const byArn = await client.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:mlops-local-mlops_ingest:$LATEST' }));
  expect(JSON.parse(text(byArn.Payload))).toEqual({ echo: {} });
});

it('a function error is a 200 with X-Amz-Function-Error and the error payload, as Lambda answers', async () => {
  behaviour = async () => {
    throw new LambdaFunctionError('mlops-local-mlops_ingest', 'req-2', { errorType: 'DatasetError', errorMessage: 'no rows' });
  };
  const answer = await client.send(new InvokeCommand({ FunctionName: 'mlops-local-mlops_ingest' }));
  expect(answer.StatusCode).toBe(200);
  expect(answer.FunctionError).toBe('Unhandled');
  expect(JSON.parse(text(answer.Payload))).toEqual({ errorType: 'DatasetError', errorMessage: 'no rows' });
});

it('a service error keeps its status and code', async () => {
  behaviour = async () => {
    throw new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.', 429, 'ConcurrentInvocationLimitExceeded');
  };
  await expect(client.send(new InvokeCommand({ FunctionName: 'mlops-local-mlops_ingest' }))).rejects.toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
});

it('Event queues the invocation (202) and DryRun only checks the function (204)', async () => {
  const event = await client.send(new InvokeCommand({ FunctionName: 'mlops-local-mlops_ingest', InvocationType: 'Event', Payload: Buffer.from('{"retrain":{}}') }));
  expect(event.StatusCode).toBe(202);
  expect(queued).toEqual([{ name: 'mlops-local-mlops_ingest', event: { retrain: {} } }]);
  const dry = await client.send(new InvokeCommand({ FunctionName: 'mlops-local-mlops_ingest', InvocationType: 'DryRun' }));
  expect(dry.StatusCode).toBe(204);
  expect(queued).toHaveLength(1);
});

it('an unknown function is ResourceNotFoundException; a body that is not JSON is InvalidRequestContentException', async () => {
  await expect(client.send(new InvokeCommand({ FunctionName: 'mlops-local-nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: mlops-local-nope', $metadata: { httpStatusCode: 404 } });
  await expect(client.send(new InvokeCommand({ FunctionName: 'mlops-local-mlops_ingest', Payload: Buffer.from('{not json') }))).rejects.toMatchObject({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 } });
});
