/**
 * Model families at ingest: the key names the family; the family's first dataset fixes its schema;
 * a later dataset that does not fit is rejected with the difference named, before any channel is
 * written or any execution starts; families never touch each other's schema.
 */
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { FamilySchemaDocumentSchema, type PipelineInput } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { FakeBucket } from '@mlops/testing';
import { familySchemaDifferences } from '../src/family-schema';
import { ingest } from '../src/ingest';
import { clients, fixture, ingestConfig, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;
const abalone = fixture('abalone-1000.csv').split('\n').slice(0, 120).join('\n') + '\n';
const deps = () => ({ ...clients(), config: ingestConfig() });
const started = (): PipelineInput[] => sfnMock.commandCalls(StartExecutionCommand).map((c) => JSON.parse(c.args[0].input.input!) as PipelineInput);
const runObjects = () => [...bucket.objects.keys()].filter((k) => k.startsWith('runs/') && !k.startsWith('runs/rejected/'));

async function upload(key: string, body: string) {
  bucket.put(key, { body });
  return ingest(s3Event({ key }), deps());
}

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:p:${input.name}`, startDate: new Date(0) }));
  bucket = new FakeBucket(s3Mock);
});

describe('the family of an upload', () => {
  it.each([
    ['incoming/abalone.csv', 'abalone'],
    ['incoming/shellfish/abalone.csv', 'shellfish'],
    ['incoming/Sea Snails/2026-12.csv', 'sea-snails'],
    ['incoming/My_Data.v2.csv', 'my-data-v2'],
  ])('%s belongs to family %s, which the run carries', async (key, family) => {
    const output = await upload(key, abalone);
    expect(output.rejected).toEqual([]);
    expect(started().map((r) => r.family)).toEqual([family]);
    expect(FamilySchemaDocumentSchema.parse(bucket.json(`families/${family}/schema.json`))).toMatchObject({ family, establishedBy: { key } });
  });

  it('rejects a key whose family has no letter or digit, naming the rule', async () => {
    const output = await upload('incoming/___/data.csv', abalone);
    expect(output.rejected).toEqual([{ key: 'incoming/___/data.csv', reason: expect.stringContaining("the family name '___' taken from the key has no letter or digit") }]);
    expect(started()).toEqual([]);
  });
});

describe("a family's schema", () => {
  it('is fixed by the first dataset: columns, roles, types, one-hot categories, the label', async () => {
    await upload('incoming/abalone.csv', abalone);
    const schema = FamilySchemaDocumentSchema.parse(bucket.json('families/abalone/schema.json'));
    expect(schema.columns[0]).toEqual({ name: 'sex', role: 'feature', type: 'categorical', categories: ['F', 'I', 'M'] });
    expect(schema.columns.map((c) => c.name)).toEqual(['sex', 'length', 'diameter', 'height', 'whole_weight', 'shucked_weight', 'viscera_weight', 'shell_weight', 'rings']);
    expect(schema.label).toEqual({ name: 'rings', problemType: 'regression' });
    expect(schema.featureCount).toBe(10);
  });

  it('accepts a later dataset that fits (other rows, same schema) and leaves the family schema as it was', async () => {
    await upload('incoming/abalone.csv', abalone);
    const before = bucket.text('families/abalone/schema.json');
    const more = fixture('abalone-1000.csv').split('\n').slice(200, 400).join('\n') + '\n';
    const output = await upload('incoming/abalone/more.csv', more);
    expect(output.rejected).toEqual([]);
    expect(started().map((r) => r.family)).toEqual(['abalone', 'abalone']);
    expect(bucket.text('families/abalone/schema.json')).toBe(before);
  });

  it('rejects a dataset with a column missing, naming it, before writing any channel or starting a run', async () => {
    await upload('incoming/abalone.csv', abalone);
    const written = runObjects();
    const withoutHeight = ['sex,length,diameter,whole_weight,shucked_weight,viscera_weight,shell_weight,rings', ...abalone.trim().split('\n').map((line) => line.split(',').filter((_, i) => i !== 3).join(','))].join('\n');
    bucket.put('incoming/abalone/short.csv', { body: withoutHeight, metadata: { 'mlops-header': 'true' } });
    const output = await ingest(s3Event({ key: 'incoming/abalone/short.csv' }), deps());
    expect(output.rejected).toHaveLength(1);
    expect(output.rejected[0]!.reason).toMatch(/^the dataset does not fit family 'abalone' \(schema set by run abalone-[0-9a-f]+ from incoming\/abalone\.csv\): column 'height' missing\. To start a new schema, upload it as a new family: incoming\/<new-family>\/<file>\.csv$/);
    expect(runObjects()).toEqual(written);
    expect(started()).toHaveLength(1);
  });

  it('rejects a dataset whose categorical column has other categories, naming them', async () => {
    await upload('incoming/abalone.csv', abalone);
    const noInfants = abalone
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('I,'))
      .join('\n');
    const output = await upload('incoming/abalone/adults.csv', noInfants);
    expect(output.rejected[0]!.reason).toContain("column 'sex' has no 'I' (the family's: 'F', 'I', 'M')");
  });

  it("keeps families apart: another family's dataset with another schema is its own family", async () => {
    await upload('incoming/abalone.csv', abalone);
    const iris = ['sepal_length,sepal_width,petal_length,petal_width,species', ...['5.1,3.5,1.4,0.2,setosa', '7.0,3.2,4.7,1.4,versicolor', '6.3,3.3,6.0,2.5,virginica'].flatMap((row) => Array.from({ length: 20 }, (_, i) => row.replace(/^(\d)\.(\d)/, `$1.$2${i}`)))].join('\n');
    bucket.put('incoming/iris/iris.csv', { body: iris, metadata: { 'mlops-problem': 'classification', 'mlops-header': 'true' } });
    const output = await ingest(s3Event({ key: 'incoming/iris/iris.csv' }), deps());
    expect(output.rejected).toEqual([]);
    expect(FamilySchemaDocumentSchema.parse(bucket.json('families/iris/schema.json')).label).toEqual({ name: 'species', problemType: 'classification', classes: ['setosa', 'versicolor', 'virginica'] });
    expect(FamilySchemaDocumentSchema.parse(bucket.json('families/abalone/schema.json')).label.name).toBe('rings');
  });

  it('checks a dataset against a schema that appeared while it was split (a concurrent first upload)', async () => {
    // The winner of the race: the family's schema from a dataset without infants.
    await upload('incoming/abalone/adults.csv', abalone.split('\n').filter((line) => !line.startsWith('I,')).join('\n'));
    const winner = bucket.text('families/abalone/schema.json')!;
    bucket.objects.delete('families/abalone/schema.json');
    // This upload reads no family schema, splits, and then its conditional write meets the winner's.
    let reads = 0;
    s3Mock.on(GetObjectCommand, { Key: 'families/abalone/schema.json' }).callsFake(() => {
      if (reads++ > 0) return { Body: { transformToString: async () => winner } };
      bucket.put('families/abalone/schema.json', { body: winner });
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    });
    const output = await upload('incoming/abalone/all.csv', abalone);
    expect(output.rejected[0]?.reason).toContain("column 'sex' has new category 'I'");
    expect(bucket.text('families/abalone/schema.json')).toBe(winner);
  });
});

describe('familySchemaDifferences', () => {
  const base = FamilySchemaDocumentSchema.parse({
    version: 1,
    family: 'f',
    establishedBy: { runId: 'r', key: 'k' },
    columns: [
      { name: 'a', role: 'feature', type: 'numeric' },
      { name: 'b', role: 'feature', type: 'categorical', categories: ['x', 'y'] },
      { name: 'y', role: 'label', type: 'categorical' },
    ],
    label: { name: 'y', problemType: 'classification', classes: ['no', 'yes'] },
    featureCount: 3,
  });
  const change = (patch: Partial<typeof base>) => familySchemaDifferences(base, { ...base, ...patch });

  it('finds nothing in the same schema', () => expect(change({})).toEqual([]));
  it('names columns in another order', () => {
    expect(change({ columns: [base.columns[1]!, base.columns[0]!, base.columns[2]!] })).toEqual(["columns in another order (the family's: 'a', 'b', 'y')"]);
  });
  it('names a type change', () => {
    expect(change({ columns: [{ name: 'a', role: 'feature', type: 'categorical', categories: ['1'] }, base.columns[1]!, base.columns[2]!] })).toEqual(["column 'a' is categorical here, numeric in the family"]);
  });
  it('names other classes and another problem type', () => {
    expect(change({ label: { ...base.label, classes: ['no', 'maybe', 'yes'] } })).toEqual(["the classes are 'no', 'maybe', 'yes', the family's are 'no', 'yes'"]);
    expect(change({ label: { name: 'y', problemType: 'regression' } })).toEqual(['the problem type is regression, the family\'s is classification']);
  });
});
