import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { S3EventSchema, runIdFor } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { ingest } from '../src/ingest';
import { FakeBucket, md5 } from '@mlops/testing';
import { BUCKET, resetIngestMocks, clients, event, fixture, ingestConfig, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  bucket = resetIngestMocks(s3Mock, sfnMock);
});

const small = fixture('abalone-1000.csv').split('\n').slice(0, 40).join('\n');
const deps = () => ({ ...clients(), config: ingestConfig() });

describe('event records', () => {
  it.each([
    ['incoming/my+data+set.csv', 'incoming/my data set.csv'],
    ['incoming/a%2Bb.csv', 'incoming/a+b.csv'],
    ['incoming/r%C3%A9sum%C3%A9+%E6%95%B0%E6%8D%AE.csv', 'incoming/résumé 数据.csv'],
    ['incoming/100%25+done.csv', 'incoming/100% done.csv'],
    ['incoming/x%2B%2B+y%2520z.csv', 'incoming/x++ y%20z.csv'],
  ])('decodes the key %s as %s', async (encoded, key) => {
    bucket.put(key, { body: small });
    const output = await ingest(s3Event({ key: encoded }), deps());

    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: key });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: key, IfMatch: `"${md5(small)}"` });
    expect(output.runs).toEqual([expect.objectContaining({ key, runId: runIdFor({ bucket: BUCKET, key, etag: md5(small) }), status: 'started' })]);
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!).source.key).toBe(key);
  });

  it('handles every record of the event in order', async () => {
    bucket.put('incoming/a.csv', { body: small }).put('incoming/b.csv', { body: `${small}\n` });
    const output = await ingest(s3Event({ key: 'incoming/a.csv' }, { key: 'incoming/notes.txt' }, { key: 'incoming/b.csv' }), deps());

    expect(output.runs.map((r) => r.key)).toEqual(['incoming/a.csv', 'incoming/b.csv']);
    expect(output.skipped).toEqual([{ key: 'incoming/notes.txt', reason: 'not a .csv file' }]);
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  });

  it('skips folder markers, other prefixes, other suffixes and empty objects without reading them', async () => {
    bucket.put('incoming/empty.csv', { body: '' });
    const output = await ingest(
      s3Event({ key: 'incoming/2025/', size: 0 }, { key: 'runs/x/data/train/train.csv' }, { key: 'incoming/data.CSV.gz' }, { key: 'incoming/zero.csv', size: 0 }, { key: 'incoming/empty.csv' }),
      deps(),
    );

    expect(output).toEqual({
      runs: [],
      rejected: [],
      skipped: [
        { key: 'incoming/2025/', reason: 'folder marker, not a file' },
        { key: 'runs/x/data/train/train.csv', reason: 'not under the incoming prefix incoming/' },
        { key: 'incoming/data.CSV.gz', reason: 'not a .csv file' },
        { key: 'incoming/zero.csv', reason: 'empty object (0 bytes)' },
        { key: 'incoming/empty.csv', reason: 'empty object (0 bytes)' },
      ],
    });
    // Only the last needed a HeadObject to learn its size; nothing was read, written or started.
    expect(s3Mock.calls().map((c) => c.args[0].constructor.name)).toEqual(['HeadObjectCommand']);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('processes the multi-record sample event: a key with spaces and a folder marker', async () => {
    const sample = event('s3-multi-record.json');
    expect(S3EventSchema.safeParse(sample).success).toBe(true);
    bucket.put('incoming/abalone sample 2025.csv', { body: small, etag: '0f343b0931126a20f133d67c2b018a3b' });
    const output = await ingest(sample, deps());

    expect(output.runs.map((r) => r.key)).toEqual(['incoming/abalone sample 2025.csv']);
    expect(output.skipped).toEqual([{ key: 'incoming/2025/', reason: 'folder marker, not a file' }]);
  });

  it('accepts the abalone sample event', async () => {
    const sample = event('s3-put-abalone.json');
    bucket.put('incoming/abalone.csv', { body: small, etag: 'a769fd0119787cac09158fe08971e480' });
    const output = await ingest(sample, deps());
    expect(output.runs).toEqual([expect.objectContaining({ key: 'incoming/abalone.csv', status: 'started' })]);
  });

  it('skips an object deleted since the event', async () => {
    const output = await ingest(s3Event({ key: 'incoming/gone.csv' }), deps());
    expect(output.skipped).toEqual([{ key: 'incoming/gone.csv', reason: 'the object no longer exists' }]);
  });

  it('skips an event superseded by a newer upload of the same key', async () => {
    bucket.put('incoming/a.csv', { body: small });
    const output = await ingest(s3Event({ key: 'incoming/a.csv', eTag: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }), deps());
    expect(output.skipped).toEqual([
      {
        key: 'incoming/a.csv',
        reason: `superseded: the object changed since this event (ETag aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, now ${md5(small)}); the newer upload's own event processes it`,
      },
    ]);
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });

  it('skips an object overwritten while it was read (If-Match failed)', async () => {
    bucket.put('incoming/a.csv', { body: small });
    s3Mock
      .on(GetObjectCommand, { Key: 'incoming/a.csv' })
      .rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', message: 'At least one of the pre-conditions you specified did not hold', $metadata: { httpStatusCode: 412 } }));
    const output = await ingest(s3Event({ key: 'incoming/a.csv' }), deps());
    expect(output.skipped).toEqual([{ key: 'incoming/a.csv', reason: "superseded: the object changed while it was read; the newer upload's own event processes it" }]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('reads and records a specific object version', async () => {
    bucket.put('incoming/a.csv', { body: small, versionId: 'v2' });
    await ingest(s3Event({ key: 'incoming/a.csv', versionId: 'v2' }), deps());

    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: 'incoming/a.csv', VersionId: 'v2' });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: 'incoming/a.csv', VersionId: 'v2' });
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!).source).toEqual({
      bucket: BUCKET,
      key: 'incoming/a.csv',
      etag: md5(small),
      versionId: 'v2',
    });
  });

  it('throws transient S3 errors so that Lambda redelivers the event', async () => {
    s3Mock.on(HeadObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', message: 'Please reduce your request rate.', $metadata: { httpStatusCode: 503 } }));
    await expect(ingest(s3Event({ key: 'incoming/a.csv' }), deps())).rejects.toThrow('Please reduce your request rate.');
  });

  it('aborts the channel uploads and throws when writing them fails', async () => {
    bucket.put('incoming/a.csv', { body: small });
    s3Mock.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'InternalError', $fault: 'server', message: 'We encountered an internal error.', $metadata: { httpStatusCode: 500 } }));
    await expect(ingest(s3Event({ key: 'incoming/a.csv' }), deps())).rejects.toThrow('We encountered an internal error.');
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
