import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { runIdFor, type PipelineInput } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { ingest } from '../src/ingest';
import type { SchemaDocument } from '../src/schema';
import { FakeBucket, md5 } from '@mlops/testing';
import { BUCKET, resetIngestMocks, STATE_MACHINE_ARN, channelsByRank, clients, fixture, ingestConfig, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  bucket = resetIngestMocks(s3Mock, sfnMock);
});

const abalone = fixture('abalone-1000.csv');

function runFiles(key: string, body: string) {
  const runId = runIdFor({ bucket: BUCKET, key, etag: md5(body) });
  const data = `runs/${runId}/data/`;
  const lines = (channel: string) => (bucket.text(`${data}${channel}/${channel}.csv`) ?? '').split('\n').filter(Boolean);
  return {
    runId,
    schema: () => bucket.json<SchemaDocument>(`${data}schema.json`),
    train: () => lines('train'),
    validation: () => lines('validation'),
    test: () => lines('test'),
    raw: (channel: string) => bucket.text(`${data}${channel}/${channel}.csv`),
  };
}

/** Each abalone source row's channel line, encoded by hand: rings first, then sex one-hot (F, I, M), then the measurements. */
function encodedAbalone(body: string): Map<string, string> {
  return new Map(
    body
      .trim()
      .split('\n')
      .map((row) => {
        const [sex, ...rest] = row.split(',');
        const rings = rest.pop()!;
        return [row, [rings, sex === 'F' ? 1 : 0, sex === 'I' ? 1 : 0, sex === 'M' ? 1 : 0, ...rest.map((v) => String(Number(v)))].join(',')];
      }),
  );
}

function startedInput(call = 0): PipelineInput {
  return JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[call]!.args[0].input.input!);
}

describe('splitting the abalone sample', () => {
  const key = 'incoming/abalone.csv';

  beforeEach(() => bucket.put(key, { body: abalone }));

  it('writes label-first, headerless channels with sex one-hot encoded', async () => {
    const output = await ingest(s3Event({ key }), { ...clients(), config: ingestConfig() });

    const files = runFiles(key, abalone);
    expect(output).toEqual({
      runs: [{ runId: files.runId, key, status: 'started', executionArn: `arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:${files.runId}` }],
      skipped: [],
      rejected: [],
    });
    const all = [...files.train(), ...files.validation(), ...files.test()];
    expect(all).toHaveLength(1000);
    // The first source row, M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15: rings first, then F,I,M one-hot.
    expect(all).toContain('15,0,0,1,0.455,0.365,0.095,0.514,0.2245,0.101,0.15');
    expect(all).toContain('7,0,0,1,0.35,0.265,0.09,0.2255,0.0995,0.0485,0.07');
    expect(all).toContain('9,1,0,0,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21');
    for (const line of all) expect(line.split(',')).toHaveLength(11);
  });

  it('describes the columns, encodings and counts in schema.json', async () => {
    await ingest(s3Event({ key }), { ...clients(), config: ingestConfig() });

    const files = runFiles(key, abalone);
    const schema = files.schema();
    expect(schema.version).toBe(1);
    expect(schema.source).toEqual({ bucket: BUCKET, key, etag: md5(abalone) });
    expect(schema.header).toBe(false);
    // Read as detected: commas, no header (the first row is numbers where the rest is), the stage's column names.
    expect(schema.csv).toEqual({ delimiter: ',', delimiterSource: 'detected', headerSource: 'detected', naValues: ['NA', 'N/A', 'NaN', 'null', 'None'], dropped: [] });
    expect(schema.featureCount).toBe(10);
    expect(schema.label).toEqual({ name: 'rings', index: 8, problemType: 'regression' });
    expect(schema.columns[0]).toEqual({
      name: 'sex',
      index: 0,
      role: 'feature',
      type: 'categorical',
      categories: ['F', 'I', 'M'],
      outputColumns: ['sex_F', 'sex_I', 'sex_M'],
      missing: { count: 0, fill: 'no-category' },
    });
    expect(schema.columns[1]).toEqual({ name: 'length', index: 1, role: 'feature', type: 'numeric', mean: expect.any(Number), outputColumns: ['length'], missing: { count: 0, fill: 'mean' } });
    expect(schema.columns[8]).toEqual({ name: 'rings', index: 8, role: 'label', type: 'numeric', outputColumns: ['rings'] });
    const lengths = abalone.trim().split('\n').map((l) => Number(l.split(',')[1]));
    expect(schema.columns[1]!.mean).toBeCloseTo(lengths.reduce((a, b) => a + b, 0) / lengths.length, 12);
    expect(schema.rows).toEqual({ train: files.train().length, validation: files.validation().length, test: files.test().length });
    expect(schema.split).toEqual({ ratios: [70, 15, 15], seed: 42, hash: 'murmur3_x86_32/utf16le', edges: [expect.any(Number), expect.any(Number)], stratified: false });
  });

  it('puts each row where the seeded hash of its text says: ordered by it, 70/15/15 exactly', async () => {
    await ingest(s3Event({ key }), { ...clients(), config: ingestConfig() });

    const files = runFiles(key, abalone);
    const { rows, split } = files.schema();
    expect(rows).toEqual({ train: 700, validation: 150, test: 150 });
    const expected = channelsByRank(abalone.trim().split('\n'), 42);
    const encoded = encodedAbalone(abalone);
    for (const channel of ['train', 'validation', 'test'] as const) {
      expect(files[channel]().sort()).toEqual([...expected].filter(([, c]) => c === channel).map(([row]) => encoded.get(row)!).sort());
    }
    // The edges sit near the ratios on the hash range (a quantile of 1,000 hashes: within a few percent).
    expect(split.edges![0] / 2 ** 32).toBeCloseTo(0.7, 1);
    expect(split.edges![1] / 2 ** 32).toBeCloseTo(0.85, 1);
  });

  it('gives byte-identical channels on a re-run, whatever the chunking of the stream', async () => {
    await ingest(s3Event({ key }), { ...clients(), config: ingestConfig() });
    const files = runFiles(key, abalone);
    const first = ['train', 'validation', 'test'].map((c) => files.raw(c));
    const firstInput = startedInput(0);

    s3Mock.reset();
    bucket = new FakeBucket(s3Mock, { chunkSize: 4096 }).put(key, { body: abalone });
    await ingest(s3Event({ key }), { ...clients(), config: ingestConfig() });

    expect(['train', 'validation', 'test'].map((c) => runFiles(key, abalone).raw(c))).toEqual(first);
    expect(startedInput(1)).toEqual(firstInput);
  });

  it('changes the split with the seed', async () => {
    await ingest(s3Event({ key }), { ...clients(), config: ingestConfig({ SPLIT_SEED: '7' }) });

    const files = runFiles(key, abalone);
    expect(files.schema().rows).toEqual({ train: 700, validation: 150, test: 150 });
    const seven = channelsByRank(abalone.trim().split('\n'), 7);
    const encoded = encodedAbalone(abalone);
    expect(files.test().sort()).toEqual([...seven].filter(([, c]) => c === 'test').map(([row]) => encoded.get(row)!).sort());
    const fortyTwo = channelsByRank(abalone.trim().split('\n'), 42);
    const moved = [...seven].filter(([row, c]) => fortyTwo.get(row) !== c).length;
    expect(moved).toBeGreaterThan(300); // independent draws would move 1 - (0.7² + 0.15² + 0.15²) = 46 % of the rows
  });

  it('starts the execution with pointers to the channels, never data', async () => {
    await ingest(s3Event({ key }), { ...clients(), config: ingestConfig() });

    const { runId, schema } = runFiles(key, abalone);
    const run = `s3://${BUCKET}/runs/${runId}/`;
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const request = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(request.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(request.name).toBe(runId);
    expect(startedInput()).toEqual({
      family: 'abalone',
      runId,
      source: { bucket: BUCKET, key, etag: md5(abalone) },
      runPrefix: run,
      dataset: {
        train: `${run}data/train/`,
        validation: `${run}data/validation/`,
        test: `${run}data/test/`,
        schema: `${run}data/schema.json`,
        rows: schema().rows,
        featureCount: 10,
      },
      task: { problemType: 'regression', target: 'rings' },
      overrides: {},
    });
  });
});

describe('encoding other layouts', () => {
  const key = 'incoming/flowers.csv';
  const flowers = [
    'petal length,petal width,"colour, main",species',
    '1.4,0.2,white,setosa',
    '4.7,1.4,"violet, pale",versicolor',
    '6.0,2.5,violet,virginica',
    '1.3,,white,setosa',
    '4.5,1.5,,versicolor',
    '5.8,2.2,violet,virginica',
    '1.5,0.2,white,setosa',
    '4.9,1.5,"violet, pale",versicolor',
    '6.1,2.3,violet,virginica',
    '1.7,0.4,white,setosa',
    '',
  ].join('\r\n');
  const metadata = { 'mlops-header': 'true', 'mlops-problem': 'classification', 'mlops-target': 'species' };

  it('maps string classes to sorted indices, one-hot encodes quoted categories and fills empty cells', async () => {
    bucket.put(key, { body: flowers, metadata });
    const output = await ingest(s3Event({ key }), { ...clients(), config: ingestConfig() });
    expect(output.rejected).toEqual([]);

    const files = runFiles(key, flowers);
    const schema = files.schema();
    expect(schema.label).toEqual({ name: 'species', index: 3, problemType: 'classification', classes: ['setosa', 'versicolor', 'virginica'] });
    expect(schema.columns[2]).toMatchObject({ name: 'colour, main', type: 'categorical', categories: ['violet', 'violet, pale', 'white'], missing: { count: 1, fill: 'no-category' } });
    expect(schema.columns[1]).toMatchObject({ name: 'petal width', missing: { count: 1, fill: 'mean' } });
    expect(schema.csv).toMatchObject({ delimiter: ',', delimiterSource: 'detected', headerSource: 'upload' });
    expect(schema.featureCount).toBe(5);
    const widths = [0.2, 1.4, 2.5, 1.5, 2.2, 0.2, 1.5, 2.3, 0.4];
    const meanWidth = widths.reduce((a, b) => a + b, 0) / widths.length;
    expect(schema.columns[1]!.mean).toBeCloseTo(meanWidth, 12);

    const all = [...files.train(), ...files.validation(), ...files.test()];
    expect(all).toHaveLength(10);
    expect(all).toContain('0,1.4,0.2,0,0,1');
    expect(all).toContain('1,4.7,1.4,0,1,0');
    expect(all).toContain('2,6,2.5,1,0,0');
    expect(all).toContain(`0,1.3,${String(schema.columns[1]!.mean)},0,0,1`);
    expect(all).toContain('1,4.5,1.5,0,0,0');
    expect(startedInput().task).toEqual({ problemType: 'classification', target: 'species', classes: ['setosa', 'versicolor', 'virginica'] });
  });

  it('sorts numeric class labels numerically and passes metadata overrides to the run', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${i},${[9, 10, 2][i % 3]}`);
    const body = `${rows.join('\n')}\n`;
    bucket.put(key, {
      body,
      metadata: {
        'mlops-problem': 'classification',
        'mlops-metric': 'accuracy',
        'mlops-threshold': '0.8',
        'mlops-tolerance': '0.02',
        'mlops-hyperparameters': '{"max_depth":"3"}',
      },
    });
    await ingest(s3Event({ key }), { ...clients(), config: ingestConfig() });

    const files = runFiles(key, body);
    expect(files.schema().label.classes).toEqual(['2', '9', '10']);
    expect(files.schema().columns.map((c) => c.name)).toEqual(['column_0', 'column_1', 'column_2']);
    expect(startedInput().overrides).toEqual({ gate: { metric: 'accuracy', threshold: 0.8, tolerance: 0.02 }, hyperparameters: { max_depth: '3' } });
    const first = [...files.train(), ...files.validation(), ...files.test()].find((l) => l.endsWith(',0,0'));
    expect(first).toBe('1,0,0'); // label 9 → class 1; then column_0 = 0 and column_1 = 0
  });

  it('takes the label from an index given in the configuration', async () => {
    const body = Array.from({ length: 30 }, (_, i) => `${i},a${i % 3},${i * 2}`).join('\n');
    bucket.put(key, { body });
    await ingest(s3Event({ key }), { ...clients(), config: ingestConfig({ LABEL_COLUMN: '0' }) });

    const files = runFiles(key, body);
    expect(files.schema().label).toEqual({ name: 'column_0', index: 0, problemType: 'regression' });
    expect([...files.train(), ...files.validation(), ...files.test()]).toContain('4,0,1,0,8');
  });
});
