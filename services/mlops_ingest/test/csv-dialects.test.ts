/**
 * The CSVs people have (issue 16): other delimiters, headers nobody declared, missing values written
 * as NA, ID columns, files that are not UTF-8. Each through mlops_ingest itself, on a fake bucket: what
 * schema.json records and what the channels hold, or the rejection word for word.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { runIdFor, type PipelineInput } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { FakeBucket, md5 } from '@mlops/testing';
import { ingest } from '../src/ingest';
import { MAX_CATEGORY_CHARS, MAX_SCHEMA_BYTES } from '../src/profile';
import type { SchemaDocument } from '../src/schema';
import { BUCKET, clients, fixture, ingestConfig, resetIngestMocks, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  bucket = resetIngestMocks(s3Mock, sfnMock);
});

const key = 'incoming/data.csv';
const lines = (n: number, row: (i: number) => string) => `${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`;
const deps = (env: Record<string, string> = {}) => ({ ...clients(), config: ingestConfig(env) });

/** Ingests `body` under `name` and returns the run's schema.json and channel lines (all three channels, in order). */
async function ingested(body: string, metadata: Record<string, string> = {}, name = key) {
  bucket.put(name, { body, metadata });
  const output = await ingest(s3Event({ key: name }), deps());
  expect(output.rejected).toEqual([]);
  expect(output.runs).toHaveLength(1);
  const data = `runs/${runIdFor({ bucket: BUCKET, key: name, etag: md5(body) })}/data/`;
  const channel = (c: string) => (bucket.text(`${data}${c}/${c}.csv`) ?? '').split('\n').filter(Boolean);
  const calls = sfnMock.commandCalls(StartExecutionCommand);
  return {
    schema: bucket.json<SchemaDocument>(`${data}schema.json`),
    channels: { train: channel('train'), validation: channel('validation'), test: channel('test') },
    all: [...channel('train'), ...channel('validation'), ...channel('test')],
    input: JSON.parse(calls[calls.length - 1]!.args[0].input.input!) as PipelineInput,
  };
}

/** The rejection of `body` (recorded, no run). */
async function rejectionOf(body: string | Buffer[], metadata: Record<string, string> = {}): Promise<string> {
  if (typeof body === 'string') bucket.put(key, { body, metadata });
  else bucket.putChunks(key, ...body).put(key, { ...bucket.objects.get(key)!, metadata });
  const output = await ingest(s3Event({ key }), deps());
  expect(output.runs).toEqual([]);
  expect(output.rejected).toHaveLength(1);
  expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  return output.rejected[0]!.reason;
}

describe('delimiters', () => {
  const wine = fixture('wine-quality-like.csv');

  it('reads the UCI wine quality layout (quoted names, semicolons) with the target named, and writes comma-separated channels', async () => {
    const { schema, all, input } = await ingested(wine, { 'mlops-target': 'quality' });

    expect(schema.header).toBe(true);
    expect(schema.csv).toEqual({ delimiter: ';', delimiterSource: 'detected', headerSource: 'detected', naValues: ['NA', 'N/A', 'NaN', 'null', 'None'], dropped: [] });
    expect(schema.columns.map((c) => c.name)).toEqual(wine.split('\n')[0]!.split(';').map((n) => n.replace(/"/g, '')));
    expect(schema.label).toEqual({ name: 'quality', index: 11, problemType: 'regression' });
    expect(schema.featureCount).toBe(11);
    expect(input.task).toEqual({ problemType: 'regression', target: 'quality' });
    expect(all).toHaveLength(160);
    // The first data row, 10.7;1.446;0.66;3.9;0.059;14;174;0.99624;3.09;0.57;13.1;6: the label first, commas.
    expect(all).toContain('6,10.7,1.446,0.66,3.9,0.059,14,174,0.99624,3.09,0.57,13.1');
    for (const line of all) expect(line.split(',')).toHaveLength(12);
  });

  it('gives a file the same channels and split whatever its delimiter, through either reader', async () => {
    const rows = Array.from({ length: 90 }, (_, i) => [`${i % 7}.${i % 10}`, ['red', 'white', 'rosé'][i % 3]!, String(i % 13), String(3 + (i % 5))]);
    const text = (delimiter: string, quoted = false) =>
      `${['acidity', 'colour', 'sugar', 'quality'].join(delimiter)}\n${rows.map((r) => r.map((v, j) => (quoted && j === 1 ? `"${v}"` : v)).join(delimiter)).join('\n')}\n`;
    const comma = await ingested(text(','), {}, 'incoming/comma.csv');
    for (const [name, delimiter, quoted] of [
      ['semicolon', ';', false],
      ['tab', '\t', false],
      ['pipe', '|', false],
      ['quoted-semicolon', ';', true],
      ['quoted-tab', '\t', true],
    ] as const) {
      const other = await ingested(text(delimiter, quoted), {}, `incoming/${name}.csv`);
      expect(other.schema.csv).toMatchObject({ delimiter, delimiterSource: 'detected', headerSource: 'detected' });
      expect(other.schema.columns).toEqual(comma.schema.columns);
      expect(other.schema.split).toEqual(comma.schema.split);
      expect(other.channels).toEqual(comma.channels);
    }
  });

  it('reads a file with a comma inside a field of a semicolon file (csv-parse), and one the upload says is tab-separated', async () => {
    const decimalCommas = `${lines(40, (i) => `${i % 2 ? '1,5' : '2'};${i};${i % 4}`)}`;
    const read = await ingested(decimalCommas, {}, 'incoming/decimal-commas.csv');
    expect(read.schema.csv).toMatchObject({ delimiter: ';' });
    expect(read.schema.columns[0]).toMatchObject({ type: 'categorical', categories: ['1,5', '2'] });

    const tabs = await ingested(lines(40, (i) => `${i}\t${i % 3}\t${i % 4}`), { 'mlops-delimiter': 'tab' }, 'incoming/tabs.csv');
    expect(tabs.schema.csv).toMatchObject({ delimiter: '\t', delimiterSource: 'upload' });
    expect(tabs.all).toContain('1,1,1');
  });
});

describe('the header', () => {
  it('is absent from a file of numbers: its columns are named by position', async () => {
    const { schema } = await ingested(lines(40, (i) => `${i},${i % 3},${i % 4}`));
    expect(schema).toMatchObject({ header: false, csv: { headerSource: 'detected' } });
    expect(schema.columns.map((c) => c.name)).toEqual(['column_0', 'column_1', 'column_2']);
  });

  it('is detected from a first row of text over columns of numbers, without mlops-header', async () => {
    const { schema, all } = await ingested(`length,width,rings\n${lines(40, (i) => `${i},${i % 3},${i % 4}`)}`);
    expect(schema).toMatchObject({ header: true, csv: { headerSource: 'detected' }, label: { name: 'rings', index: 2 } });
    expect(all).toHaveLength(40);
  });

  it('is detected from a first row that names the target, though every column is text', async () => {
    const body = `cap,odour,edible\n${lines(40, (i) => `${'xbs'[i % 3]},${'anl'[i % 2]},${i % 5 ? 'yes' : 'no'}`)}`;
    const { schema } = await ingested(body, { 'mlops-target': 'edible', 'mlops-problem': 'classification' });
    expect(schema).toMatchObject({ header: true, csv: { headerSource: 'detected' }, label: { name: 'edible', classes: ['no', 'yes'] } });
  });

  it('is what mlops-header says, over the detection', async () => {
    const body = `length,width,rings\n${lines(40, (i) => `${i},${i % 3},${i % 4}`)}`;
    const error = await rejectionOf(body, { 'mlops-header': 'false' });
    expect(error).toBe(
      "line 1 (data row 1): the regression label 'rings' in column 'column_2' is not a number; if the first row names the columns, set mlops-header=true (pnpm pipeline --header)",
    );
  });

  it('is what the stage says when it sets CSV_HEADER=true and the upload says nothing', async () => {
    const body = lines(40, (i) => `${i},${i + 100},${(i % 4) + 10}`);
    bucket.put(key, { body });
    await ingest(s3Event({ key }), deps({ CSV_HEADER: 'true' }));
    const schema = bucket.json<SchemaDocument>(`runs/${runIdFor({ bucket: BUCKET, key, etag: md5(body) })}/data/schema.json`);
    expect(schema).toMatchObject({ header: true, csv: { headerSource: 'stage' } });
    expect(schema.columns.map((c) => c.name)).toEqual(['0', '100', '10']);
  });

  it('rejects a named target that is not in a file without a header, suggesting mlops-header', async () => {
    expect(await rejectionOf(lines(40, (i) => `${i},${i % 3},${i % 4}`), { 'mlops-target': 'quality' })).toBe(
      "target column 'quality' is not in the file: it has no header row (none was detected), so its 3 columns are column_0, column_1, column_2; if its first row names the columns, set mlops-header=true (pnpm pipeline --header); else give the target as a 0-based index or last",
    );
  });
});

describe('missing values', () => {
  // Column x: numbers with NA written six ways; colour: categories with NA and empty cells.
  const na = ['NA', 'n/a', 'NaN', 'null', 'None', ''];
  const rows = Array.from({ length: 60 }, (_, i) => [i % 6 === 5 ? na[Math.floor(i / 6) % na.length]! : String(i), i % 10 === 3 ? ['na', ''][i % 2]! : ['red', 'blue'][i % 2]!, String(i % 7)]);
  const body = `x,colour,y\n${rows.map((r) => r.join(',')).join('\n')}\n`;

  it('counts empty cells and NA values (any case) as missing, records the count and the fill per column, and fills them', async () => {
    const { schema, all } = await ingested(body);
    const present = rows.filter((r) => !na.includes(r[0]!)).map((r) => Number(r[0]));
    const mean = present.reduce((a, b) => a + b, 0) / present.length;
    expect(schema.columns[0]).toEqual({ name: 'x', index: 0, role: 'feature', type: 'numeric', mean: expect.closeTo(mean, 12), outputColumns: ['x'], missing: { count: 10, fill: 'mean' } });
    expect(schema.columns[1]).toMatchObject({ name: 'colour', type: 'categorical', categories: ['blue', 'red'], missing: { count: 6, fill: 'no-category' } });
    expect(schema.columns[2]).not.toHaveProperty('missing');
    // Row 5 (x NA, colour blue, y 5): x is the mean; row 13 (x 13, colour na, y 6): colour is no category.
    expect(all).toContain(`5,${schema.columns[0]!.mean},1,0`);
    expect(all).toContain('6,13,0,0');
    for (const line of all) expect(line).not.toMatch(/NaN|NA|null/i);
  });

  it('reads them alike through csv-parse (a quoted cell)', async () => {
    const plain = await ingested(body, {}, 'incoming/plain.csv');
    const quoted = await ingested(body.replace('x,colour,y', '"x",colour,y'), {}, 'incoming/quoted.csv');
    expect(quoted.schema.columns).toEqual(plain.schema.columns);
    expect(quoted.channels).toEqual(plain.channels);
  });

  it('takes the NA values the upload lists instead, and none but the empty cell with an empty list', async () => {
    const data = `x,colour,y\n${lines(40, (i) => `${i % 5 === 0 ? '?' : i},${['red', 'NA', '?', ''][i % 4]},${i % 3}`)}`;
    const questionMarks = await ingested(data, { 'mlops-na-values': '?' }, 'incoming/question-marks.csv');
    expect(questionMarks.schema.csv!.naValues).toEqual(['?']);
    expect(questionMarks.schema.columns[0]).toMatchObject({ type: 'numeric', missing: { count: 8, fill: 'mean' } });
    expect(questionMarks.schema.columns[1]).toMatchObject({ categories: ['NA', 'red'], missing: { count: 20 } });

    const none = await ingested(data.replace(/\?/g, '7'), { 'mlops-na-values': '' }, 'incoming/no-na-values.csv');
    expect(none.schema.csv!.naValues).toEqual([]);
    expect(none.schema.columns[1]).toMatchObject({ categories: ['7', 'NA', 'red'], missing: { count: 10 } });
  });

  it('rejects missing labels, counting them', async () => {
    expect(await rejectionOf(`a,b\n${lines(30, (i) => `${i},${i % 10 === 4 ? 'NA' : i % 3}`)}`)).toBe(
      "the target column 'b' has no value on 3 rows of 30, the first on line 6 (data row 5: 'NA', an NA value (mlops-na-values sets them)); a row without its label can be neither trained on nor scored: fill in or remove those rows",
    );
  });
});

describe('dropping columns', () => {
  const body = `id,name,x,y\n${lines(60, (i) => `${1000 + i},n${i},${i % 6},${i % 4}`)}`;

  it('leaves the columns out before profiling: the rest are numbered anew, and rows alike but for the ID share a channel', async () => {
    const { schema, channels, all } = await ingested(body, { 'mlops-drop': 'id, name' });
    expect(schema.csv!.dropped).toEqual([
      { name: 'id', index: 0 },
      { name: 'name', index: 1 },
    ]);
    expect(schema.columns.map((c) => [c.name, c.index, c.role])).toEqual([
      ['x', 0, 'feature'],
      ['y', 1, 'label'],
    ]);
    expect(schema.label).toEqual({ name: 'y', index: 1, problemType: 'regression' });
    expect(all).toHaveLength(60);
    for (const line of all) expect(line.split(',')).toHaveLength(2);
    // 12 distinct rows once the ID and the name are gone: each one's copies are in a single channel.
    for (const row of new Set(all)) expect(Object.values(channels).filter((c) => c.includes(row))).toHaveLength(1);
  });

  it('counts a target index in the file’s columns, dropped ones included', async () => {
    const { schema } = await ingested(body, { 'mlops-drop': 'name', 'mlops-target': '2' });
    expect(schema.label).toEqual({ name: 'x', index: 1, problemType: 'regression' });
  });

  it('rejects a column that is not in the file, listing the columns, and the target', async () => {
    expect(await rejectionOf(body, { 'mlops-drop': 'ID' })).toBe("column 'ID' to drop (mlops-drop) is not in the file: its 4 columns are id, name, x, y");
    expect(await rejectionOf(body, { 'mlops-drop': 'id,y' })).toBe("column 'y' cannot be dropped (mlops-drop): it is the target; to predict another column, set mlops-target");
  });
});

describe('text that is not UTF-8', () => {
  it('is rejected with its line and byte offset, not read as a new category', async () => {
    const head = 'colour,x,y\n' + lines(3, (i) => `red,${i},${i}`); // 11 + 3 × 8 bytes
    const chunks = [Buffer.from(`${head}caf`), Buffer.from([0xe9]), Buffer.from(`,4,4\n${lines(30, (i) => `blue,${i},${i}`)}`)];
    expect(await rejectionOf(chunks)).toBe('the file is not valid UTF-8: line 5, byte offset 38 (0xe9); save it as UTF-8 (it may be in Latin-1 or Windows-1252)');
  });
});

describe('limits', () => {
  it('rejects a categorical value longer than MAX_CATEGORY_CHARS, naming the column, the line and the limit', async () => {
    const long = 'w'.repeat(MAX_CATEGORY_CHARS + 1);
    expect(await rejectionOf(`review,y\n${lines(30, (i) => `${i === 7 ? long : ['good', 'bad'][i % 2]},${i}`)}`)).toBe(
      `feature column 'review' has a value of ${MAX_CATEGORY_CHARS + 1} characters on line 9, over the 256 a category may have (MAX_CATEGORY_CHARS): text that long is not a category; to leave the column out, set mlops-drop=review (pnpm pipeline --drop review)`,
    );
  });

  it('rejects a dataset whose schema.json would pass MAX_SCHEMA_BYTES', async () => {
    // 60 categorical columns of 40 categories of 250 characters: ~1.2 MB of categories, twice over in outputColumns.
    const header = Array.from({ length: 60 }, (_, c) => `c${c}`).join(',');
    const body = `${header},y\n${lines(40, (i) => `${Array.from({ length: 60 }, () => `${String(i).padStart(2, '0')}${'v'.repeat(248)}`).join(',')},${i}`)}`;
    expect(await rejectionOf(body)).toMatch(
      new RegExp(`^the dataset's schema.json would be \\d+\\.\\d MiB, over the ${MAX_SCHEMA_BYTES / 1024 / 1024}\\.0 MiB it may have \\(MAX_SCHEMA_BYTES\\): 61 columns, 2400 one-hot categories; leave out the columns the model does not need with mlops-drop \\(pnpm pipeline --drop\\)$`),
    );
  });
});

describe('options for the run', () => {
  it('passes mlops-baseline-margin to the run as its baseline margin', async () => {
    const { input } = await ingested(lines(40, (i) => `${i},${i % 3},${i % 4}`), { 'mlops-baseline-margin': '0.25' });
    expect(input.overrides).toEqual({ gate: { baselineMargin: 0.25 } });
  });

  it('refuses to reuse an earlier split read with other NA values', async () => {
    const body = lines(40, (i) => `${i},${i % 3},${i % 4}`);
    await ingested(body);
    bucket.put(key, { body, metadata: { 'mlops-na-values': '?' } });
    const output = await ingest(s3Event({ key }), deps());
    expect(output.rejected).toEqual([
      { key, reason: 'this upload was already split with other options (naValues: [NA,N/A,NaN,null,None] then, [?] now); upload under a new key to run it again' },
    ]);
  });
});
