/**
 * mlops_ingest against a real S3 implementation (s3rver on loopback): real HTTP streaming of
 * GetObject bodies, real multipart uploads for large channels, real metadata. SFN stays mocked.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import S3rver from 's3rver';
import type { PipelineInput } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { ingest } from '../src/ingest';
import type { SchemaDocument } from '../src/schema';
import { BUCKET, channelsByRank, fixture, ingestConfig, s3Event } from './helpers';

jest.setTimeout(120_000);

const sfnMock = mockClient(SFNClient);
let server: S3rver;
let directory: string;
let s3: S3Client;
let endpoint: string;

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  directory = mkdtempSync(path.join(tmpdir(), 'mlops-ingest-s3-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});
beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).callsFake(({ name }) => ({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:${name}`, startDate: new Date(0) }));
});

const deps = () => ({ s3, sfn: new SFNClient({ region: 'us-east-1' }), config: ingestConfig() });
const text = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
const lines = async (key: string) => (await text(key)).split('\n').filter(Boolean);
const lastInput = (): PipelineInput => {
  const calls = sfnMock.commandCalls(StartExecutionCommand);
  return JSON.parse(calls[calls.length - 1]!.args[0].input.input!);
};

async function channels(run: PipelineInput) {
  const key = (uri: string, file: string) => `${uri.replace(`s3://${BUCKET}/`, '')}${file}`;
  return {
    train: await lines(key(run.dataset.train, 'train.csv')),
    validation: await lines(key(run.dataset.validation, 'validation.csv')),
    test: await lines(key(run.dataset.test, 'test.csv')),
    schema: JSON.parse(await text(run.dataset.schema.replace(`s3://${BUCKET}/`, ''))) as SchemaDocument,
  };
}

describe('mlops_ingest with s3rver', () => {
  it('splits the abalone slice into label-first channels', async () => {
    const body = fixture('abalone-1000.csv');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/abalone.csv', Body: body }));

    const output = await ingest(s3Event({ key: 'incoming/abalone.csv' }), deps());

    expect(output.rejected).toEqual([]);
    expect(output.runs).toHaveLength(1);
    const run = lastInput();
    const { train, validation, test, schema } = await channels(run);
    expect(train.length + validation.length + test.length).toBe(1000);
    expect(run.dataset.rows).toEqual({ train: train.length, validation: validation.length, test: test.length });
    expect(run.dataset.featureCount).toBe(10);
    expect(schema.columns[0]!.categories).toEqual(['F', 'I', 'M']);
    // Every source row, re-encoded by hand, is in the channel its hash names.
    const expected = channelsByRank(body.trim().split('\n'), 42);
    const byChannel = { train, validation, test };
    for (const row of body.trim().split('\n')) {
      const [sex, ...rest] = row.split(',');
      const rings = rest.pop()!;
      const encoded = [rings, sex === 'F' ? 1 : 0, sex === 'I' ? 1 : 0, sex === 'M' ? 1 : 0, ...rest.map((v) => String(Number(v)))].join(',');
      expect(byChannel[expected.get(row)!]).toContain(encoded);
    }
  });

  it('splits a CSV with a header and string labels, options from the object metadata', async () => {
    const species = ['Adelie', 'Chinstrap', 'Gentoo'];
    const islands = ['Biscoe', 'Dream', 'Torgersen'];
    const rows = Array.from({ length: 300 }, (_, i) => `"${islands[i % 3]}",${(35 + (i % 17)).toFixed(1)},${i % 11 === 0 ? '' : 180 + (i % 40)},${species[(i * 7) % 3]}`);
    const body = `island,bill_length_mm,flipper_length_mm,species\r\n${rows.join('\r\n')}\r\n`;
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'incoming/penguins data.csv',
        Body: body,
        Metadata: { 'mlops-header': 'true', 'mlops-problem': 'classification', 'mlops-target': 'species', 'mlops-metric': 'accuracy', 'mlops-threshold': '0.9' },
      }),
    );

    const output = await ingest(s3Event({ key: 'incoming/penguins+data.csv' }), deps());

    expect(output.rejected).toEqual([]);
    const run = lastInput();
    expect(run.task).toEqual({ problemType: 'classification', target: 'species', classes: species });
    expect(run.overrides).toEqual({ gate: { metric: 'accuracy', threshold: 0.9 } });
    const { train, validation, test, schema } = await channels(run);
    expect(schema.header).toBe(true);
    expect(schema.featureCount).toBe(5);
    const all = [...train, ...validation, ...test];
    expect(all).toHaveLength(300);
    const flipperMean = schema.columns[2]!.mean!;
    rows.forEach((row, i) => {
      const island = [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0));
      const flipper = i % 11 === 0 ? String(flipperMean) : String(180 + (i % 40));
      expect(all).toContain([(i * 7) % 3, ...island, String(35 + (i % 17)), flipper].join(','));
    });
  });

  it('reads a semicolon file with a quoted header, with options from real object metadata: an empty NA list, a column to drop, a baseline margin', async () => {
    const wine = fixture('wine-quality-like.csv');
    // An ID column in front, and the word NA as a category (an empty mlops-na-values keeps it one).
    const [header, ...rows] = wine.trim().split('\n');
    const body = `"id";"batch";${header}\n${rows.map((r, i) => `${i};${i % 3 ? 'A' : 'NA'};${r}`).join('\n')}\n`;
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'incoming/wine.csv',
        Body: body,
        Metadata: { 'mlops-target': 'quality', 'mlops-na-values': '', 'mlops-drop': 'id', 'mlops-baseline-margin': '0.2' },
      }),
    );

    const output = await ingest(s3Event({ key: 'incoming/wine.csv' }), deps());

    expect(output.rejected).toEqual([]);
    const run = lastInput();
    expect(run.overrides).toEqual({ gate: { baselineMargin: 0.2 } });
    const { train, validation, test, schema } = await channels(run);
    expect(schema.csv).toEqual({ delimiter: ';', delimiterSource: 'detected', headerSource: 'detected', naValues: [], dropped: [{ name: 'id', index: 0 }] });
    expect(schema.columns[0]).toMatchObject({ name: 'batch', index: 0, type: 'categorical', categories: ['A', 'NA'], missing: { count: 0 } });
    expect(schema.label).toEqual({ name: 'quality', index: 12, problemType: 'regression' });
    const all = [...train, ...validation, ...test];
    expect(all).toHaveLength(160);
    // Data row 0 (id 0, batch NA): 10.7;1.446;...;13.1;6.
    expect(all).toContain('6,0,1,10.7,1.446,0.66,3.9,0.059,14,174,0.99624,3.09,0.57,13.1');
  });

  // The README's `aws s3 cp --metadata` lines, by the AWS CLI itself: its key=value,key=value form and its JSON form.
  it('reads the options `aws s3 cp --metadata` sets, in either of its forms', async () => {
    const cp = (file: string, key: string, metadata: string) =>
      promisify(execFile)('aws', ['--endpoint-url', endpoint, 's3', 'cp', file, `s3://${BUCKET}/${key}`, '--metadata', metadata], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_DEFAULT_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '' },
      });
    const wine = path.join(directory, 'winequality.csv');
    writeFileSync(wine, fixture('wine-quality-like.csv'));
    await cp(wine, 'incoming/red-wine/red.csv', 'mlops-delimiter=;,mlops-target=quality,mlops-baseline-margin=0.2');
    expect(await ingest(s3Event({ key: 'incoming/red-wine/red.csv' }), deps())).toMatchObject({ rejected: [], runs: [{ status: 'started' }] });
    let run = lastInput();
    expect(run.overrides).toEqual({ gate: { baselineMargin: 0.2 } });
    expect((await channels(run)).schema).toMatchObject({ csv: { delimiter: ';', delimiterSource: 'upload' }, label: { name: 'quality' } });

    const people = path.join(directory, 'people.tsv');
    writeFileSync(people, `id\tname\tage\tincome\n${Array.from({ length: 60 }, (_, i) => `${i}\tp${i}\t${i % 7 ? 20 + (i % 10) : 'NA'}\t${i * 10}`).join('\n')}\n`);
    await cp(people, 'incoming/people.csv', '{"mlops-delimiter":"tab","mlops-drop":"id,name","mlops-na-values":"","mlops-target":"income"}');
    expect(await ingest(s3Event({ key: 'incoming/people.csv' }), deps())).toMatchObject({ rejected: [], runs: [{ status: 'started' }] });
    run = lastInput();
    const { schema } = await channels(run);
    expect(schema.csv).toEqual({ delimiter: '\t', delimiterSource: 'upload', headerSource: 'detected', naValues: [], dropped: [{ name: 'id', index: 0 }, { name: 'name', index: 1 }] });
    expect(schema.columns.map((c) => c.name)).toEqual(['age', 'income']);
    // The empty list arrived: NA is no missing value here but a category of age.
    expect(schema.columns[0]).toMatchObject({ type: 'categorical', missing: { count: 0, fill: 'no-category' } });
    expect(schema.columns[0]!.categories).toContain('NA');
  });

  it('streams a channel larger than a part through a multipart upload', async () => {
    // ~9 MB of wide rows: the train channel passes 5 MiB, so it goes up in parts.
    const rows = Array.from({ length: 70_000 }, (_, i) => {
      const values = Array.from({ length: 16 }, (_, j) => ((i * 31 + j * 17) % 100_000) / 1000 + 100);
      return `${i % 3 === 0 ? 'a' : 'b'},${values.join(',')},${i % 50}`;
    });
    const body = `${rows.join('\n')}\n`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/large.csv', Body: body }));

    const output = await ingest(s3Event({ key: 'incoming/large.csv' }), deps());

    expect(output.rejected).toEqual([]);
    const run = lastInput();
    const { train, validation, test } = await channels(run);
    expect(train.length + validation.length + test.length).toBe(70_000);
    expect(run.dataset.rows).toEqual({ train: train.length, validation: validation.length, test: test.length });
    expect((await text(`runs/${run.runId}/data/train/train.csv`)).length).toBeGreaterThan(5 * 1024 * 1024);
    expect(train[0]!.split(',')).toHaveLength(19);

    // The run prefix holds the three channels and the schema, nothing else.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `runs/${run.runId}/` }));
    expect(listed.Contents!.map((o) => o.Key).sort()).toEqual(
      ['data/schema.json', 'data/test/test.csv', 'data/train/train.csv', 'data/validation/validation.csv'].map((k) => `runs/${run.runId}/${k}`),
    );
  });

  it('records a rejection next to the runs and writes no schema', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/ragged.csv', Body: '1,2,3\n4,5\n' }));

    const output = await ingest(s3Event({ key: 'incoming/ragged.csv' }), deps());

    expect(output.rejected).toEqual([{ key: 'incoming/ragged.csv', reason: 'line 2 (data row 2) has 2 fields, expected 3 like the first row' }]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'runs/' }));
    const keys = listed.Contents!.map((o) => o.Key!);
    expect(keys.filter((k) => k.startsWith('runs/rejected/'))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith('runs/ragged-'))).toEqual([]);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
