/** PredictClient over mocked S3 and SageMaker Runtime: the family schema ingest wrote, the requests it sends, its failures. */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, type InvokeEndpointCommandInput, ModelError, SageMakerRuntimeClient, SageMakerRuntimeServiceException } from '@aws-sdk/client-sagemaker-runtime';
import { sageMakerRuntimeModel } from '@mlops/aws-models';
import { encodePredictions } from '@mlops/sagemaker-xgboost';
import { expectRequestsValid, FakeBucket } from '@mlops/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeRows, PredictClient, PredictError, requestBatches } from '../src';
import { ABALONE, abaloneRows, BUCKET, ingester, type Ingested } from './support/pipeline';

const ingest = ingester();
const s3 = mockClient(S3Client);
const runtime = mockClient(SageMakerRuntimeClient);
let abalone: Ingested;
let bucket: FakeBucket;
let requests: string[];

beforeAll(async () => {
  abalone = await ingest({ family: 'abalone', csv: ABALONE });
});
beforeEach(() => {
  s3.reset();
  runtime.reset();
  bucket = new FakeBucket(s3);
  bucket.put('families/abalone/schema.json', { body: JSON.stringify(abalone.familySchema, null, 2) });
  requests = [];
  // A model that answers each row with its length in characters (one prediction per line, as the container writes them).
  runtime.on(InvokeEndpointCommand).callsFake((input: InvokeEndpointCommandInput) => {
    const body = Buffer.from(input.Body as Uint8Array).toString('utf8');
    requests.push(body);
    return { Body: Buffer.from(encodePredictions(body.trim().split('\n').map((l) => l.length), 'text/csv', false)), ContentType: 'text/csv; charset=utf-8' };
  });
});
afterEach(() => expectRequestsValid(runtime, sageMakerRuntimeModel));

const client = (options: { maxRequestBytes?: number } = {}) =>
  new PredictClient({ s3: new S3Client({ region: 'us-east-1' }), runtime: new SageMakerRuntimeClient({ region: 'us-east-1' }), bucket: BUCKET, namePrefix: 'mlops-local', ...options });
const ROWS = abaloneRows().slice(0, 5).map((r) => r.slice(0, 8));

describe('PredictClient', () => {
  it("encodes the rows with the family's schema, sends them to <namePrefix>-<family> as text/csv, and answers with the target's name", async () => {
    const result = await client().predict('abalone', ROWS);
    const encoded = encodeRows(abalone.familySchema, ROWS);
    expect(runtime.commandCalls(InvokeEndpointCommand).map((c) => ({ ...c.args[0].input, Body: undefined }))).toEqual([{ EndpointName: 'mlops-local-abalone', ContentType: 'text/csv', Accept: 'text/csv', Body: undefined }]);
    expect(requests).toEqual([`${encoded.join('\n')}\n`]);
    expect(result).toEqual({
      family: 'abalone',
      endpoint: 'mlops-local-abalone',
      schemaUri: 's3://mlops-local-data/families/abalone/schema.json',
      target: 'rings',
      problemType: 'regression',
      encoded,
      predictions: encoded.map((line) => ({ problemType: 'regression', target: 'rings', value: line.length })),
    });
  });

  it('reads the family schema once per client', async () => {
    const predictor = client();
    await predictor.predict('abalone', ROWS);
    await predictor.predict('abalone', [{ sex: 'I', length: 0.3, diameter: 0.2, height: 0.1, whole_weight: 0.2, shucked_weight: 0.1, viscera_weight: 0.05, shell_weight: 0.06 }]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET, Key: 'families/abalone/schema.json' }]);
  });

  it('splits a large request, keeping the rows in order', async () => {
    const rows = abaloneRows().slice(0, 100).map((r) => r.slice(0, 8));
    const result = await client({ maxRequestBytes: 1000 }).predict('abalone', rows);
    expect(requests.length).toBeGreaterThan(4);
    expect(requests.every((body) => Buffer.byteLength(body) <= 1000)).toBe(true);
    expect(requests.join('')).toBe(`${result.encoded.join('\n')}\n`);
    expect(result.predictions.map((p) => p.value)).toEqual(result.encoded.map((line) => line.length));
  });

  it('refuses rows that do not fit before any request', async () => {
    await expect(client().predict('abalone', [ROWS[0]!, ['U', ...ROWS[0]!.slice(1)]])).rejects.toMatchObject({ name: 'PredictError', code: 'invalid-row', where: { row: 2, column: 'sex' } });
    expect(runtime.calls()).toHaveLength(0);
  });

  it('names a family that has no schema on the stage', async () => {
    const error = await client().predict('iris', ROWS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PredictError);
    expect(error).toMatchObject({ code: 'unknown-family', message: "family 'iris' has no schema: s3://mlops-local-data/families/iris/schema.json does not exist (a family's first ingested dataset writes it)" });
    await expect(client().predict('Not A Family', ROWS)).rejects.toMatchObject({ code: 'unknown-family', message: expect.stringContaining("'Not A Family' is not a family name") });
    expect(runtime.calls()).toHaveLength(0);
  });

  it('refuses a family schema that is not one', async () => {
    bucket.put('families/abalone/schema.json', { body: JSON.stringify({ ...abalone.familySchema, featureCount: 0 }) });
    await expect(client().predict('abalone', ROWS)).rejects.toMatchObject({ code: 'invalid-schema', message: expect.stringContaining('s3://mlops-local-data/families/abalone/schema.json is not a family schema: featureCount') });
  });

  it('says when the family has no endpoint, and passes on what the model answered when it failed', async () => {
    runtime
      .on(InvokeEndpointCommand)
      .rejectsOnce(new SageMakerRuntimeServiceException({ name: 'ValidationError', $fault: 'client', message: 'Endpoint mlops-local-abalone of account 000000000000 not found.', $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(new ModelError({ message: 'Received client error (400) from primary with message "bad"', $metadata: { httpStatusCode: 424 }, OriginalStatusCode: 400, OriginalMessage: 'Loading csv data failed: line 1, column 5: not a number' }));
    await expect(client().predict('abalone', ROWS)).rejects.toMatchObject({ code: 'no-endpoint', message: 'endpoint mlops-local-abalone does not exist: the family has no model deployed on this stage' });
    await expect(client().predict('abalone', ROWS)).rejects.toMatchObject({ code: 'model-error', message: "endpoint mlops-local-abalone's model failed: Loading csv data failed: line 1, column 5: not a number" });
  });
});

describe('requestBatches', () => {
  it('fills each request up to the limit, never splitting a line; a longer line goes alone', () => {
    expect([...requestBatches(['aaaa', 'bbbb', 'cc', 'dddddddddd', 'e'], 10)]).toEqual([['aaaa', 'bbbb'], ['cc'], ['dddddddddd'], ['e']]);
    expect([...requestBatches([], 10)]).toEqual([]);
  });
});
