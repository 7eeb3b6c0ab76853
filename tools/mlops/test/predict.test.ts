/**
 * `pnpm mlops predict` over mocked clients: the family schema is the one the real mlops_ingest wrote
 * for the abalone data (ingested in this test), the endpoint a mocked SageMaker Runtime.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, type InvokeEndpointCommandInput, ModelError, SageMakerRuntimeServiceException } from '@aws-sdk/client-sagemaker-runtime';
import { sageMakerRuntimeModel } from '@mlops/aws-models';
import { encodeRows } from '@mlops/predict';
import { expectRequestsValid, ingestDataset, loadHandler, type IngestedDataset } from '@mlops/testing';
import { ErrorOutputSchema, PredictOutputSchema } from '../src';
import { harness, runtime, s3, type Harness } from './support/harness';

const ABALONE = readFileSync(join(__dirname, '..', '..', '..', 'data', 'abalone.csv'), 'utf8');
const ROW_1 = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15';
const ROW_3 = 'F,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21';
const startIngest = loadHandler({ name: 'mlops_ingest', clients: ['s3', 'sfn'], module: () => require('@mlops/mlops_ingest') });
let abalone: IngestedDataset;
let abaloneSex: IngestedDataset;
let dir: string;
beforeAll(async () => {
  abalone = await ingestDataset(startIngest(), { family: 'abalone', csv: ABALONE });
  abaloneSex = await ingestDataset(startIngest(), { family: 'abalone-sex', csv: ABALONE, metadata: { target: 'sex', problem: 'classification' } });
  dir = await mkdtemp(join(tmpdir(), 'mlops-predict-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => expectRequestsValid(runtime, sageMakerRuntimeModel));

/** The stage's bucket with the families' schemas, and an endpoint answering `answers` in turn. */
function stage(answers: string[] = ['9.723464965820312\n7.5\n']): Harness & { bodies: string[] } {
  const h = harness();
  h.bucket.put('families/abalone/schema.json', { body: JSON.stringify(abalone.familySchema, null, 2) });
  h.bucket.put('families/abalone-sex/schema.json', { body: JSON.stringify(abaloneSex.familySchema, null, 2) });
  const bodies: string[] = [];
  runtime.on(InvokeEndpointCommand).callsFake((input: InvokeEndpointCommandInput) => {
    bodies.push(Buffer.from(input.Body as Uint8Array).toString('utf8'));
    return { Body: Buffer.from(answers[bodies.length - 1] ?? ''), ContentType: 'text/csv; charset=utf-8' };
  });
  return Object.assign(h, { bodies });
}

describe('pnpm mlops predict', () => {
  it("encodes --row values with the family's schema, invokes <NamePrefix>-<family> with text/csv, and answers with the target", async () => {
    const h = stage();
    const { code, stdout } = await h.run('predict', 'abalone', '--row', ROW_1, '--row', ROW_3, '--json');
    expect(code).toBe(0);
    const encoded = encodeRows(abalone.familySchema, [ROW_1.split(','), ROW_3.split(',')]);
    expect(encoded).toEqual(['0,0,1,0.455,0.365,0.095,0.514,0.2245,0.101,0.15', '1,0,0,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21']);
    expect(runtime.commandCalls(InvokeEndpointCommand).map((c) => c.args[0].input)).toEqual([
      { EndpointName: 'mlops-local-abalone', ContentType: 'text/csv', Accept: 'text/csv', Body: expect.anything() },
    ]);
    expect(h.bodies).toEqual([`${encoded.join('\n')}\n`]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'mlops-local-data', Key: 'families/abalone/schema.json' }]);
    expect(PredictOutputSchema.parse(JSON.parse(stdout))).toEqual({
      stage: 'local',
      family: 'abalone',
      endpoint: 'mlops-local-abalone',
      schema: 's3://mlops-local-data/families/abalone/schema.json',
      target: 'rings',
      problemType: 'regression',
      predictions: [
        { row: 1, value: 9.723464965820312, encoded: encoded[0] },
        { row: 2, value: 7.5, encoded: encoded[1] },
      ],
    });
  });

  it('prints one line per row, the prediction under the target’s name', async () => {
    const { code, stdout } = await stage().run('predict', 'abalone', '--row', ROW_1, '--row', ROW_3);
    expect(code).toBe(0);
    expect(stdout).toBe("abalone on stage 'local' (endpoint mlops-local-abalone): rings, regression\n\nROW  RINGS\n1    9.7235\n2    7.5\n");
  });

  it('reads --file as CSV (a header naming the columns skipped, the label column ignored) on the stage given', async () => {
    const file = join(dir, 'rows.csv');
    await writeFile(file, `sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings\n${ROW_1},15\n${ROW_3},9\n`);
    const h = stage();
    const { code, stdout } = await h.run('predict', 'abalone', '--file', file, '--stage', 'localprod', '--json');
    expect(code).toBe(0);
    expect(runtime.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.EndpointName).toBe('mlops-localprod-abalone');
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input.Bucket).toBe('mlops-localprod-data');
    expect(h.bodies).toEqual([`${encodeRows(abalone.familySchema, [ROW_1.split(','), ROW_3.split(',')]).join('\n')}\n`]);
    expect(PredictOutputSchema.parse(JSON.parse(stdout)).predictions.map((p) => p.value)).toEqual([9.723464965820312, 7.5]);
  });

  it('reads --json-rows objects by column name; a classification answers with class names', async () => {
    const file = join(dir, 'rows.json');
    const measurements = { length: 0.455, diameter: 0.365, height: 0.095, whole_weight: 0.514, shucked_weight: 0.2245, viscera_weight: 0.101, shell_weight: 0.15, rings: 15 };
    await writeFile(file, JSON.stringify([measurements, { ...measurements, length: 0.2, rings: 3 }]));
    const h = stage(['2.0\n1.0\n']);
    const json = await h.run('predict', 'abalone-sex', '--json-rows', file, '--json');
    expect(json.code).toBe(0);
    expect(h.bodies).toEqual(['0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n0.2,0.365,0.095,0.514,0.2245,0.101,0.15,3\n']);
    const doc = PredictOutputSchema.parse(JSON.parse(json.stdout));
    expect(doc).toMatchObject({ endpoint: 'mlops-local-abalone-sex', target: 'sex', problemType: 'classification' });
    expect(doc.predictions.map(({ value, classIndex }) => ({ value, classIndex }))).toEqual([
      { value: 'M', classIndex: 2 },
      { value: 'I', classIndex: 1 },
    ]);
    const text = await stage(['2.0\n1.0\n']).run('predict', 'abalone-sex', '--json-rows', file);
    expect(text.stdout).toContain('ROW  SEX\n1    M\n2    I\n');
  });

  it('shows the probabilities when the model gives them (multi:softprob)', async () => {
    const { stdout } = await stage(['0.125,0.25,0.625\n']).run('predict', 'abalone-sex', '--row', '0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15');
    expect(stdout).toContain('ROW  SEX  PROBABILITIES\n1    M    F 0.125, I 0.25, M 0.625\n');
  });
});

describe('pnpm mlops predict: what it refuses', () => {
  it.each([
    [['predict', 'abalone', '--row', 'X,0.455,0.365,0.095,0.514,0.2245,0.101,0.15'], "--row: row 1, column 'sex': 'X' is not one of its categories ('F', 'I', 'M')"],
    [['predict', 'abalone', '--row', ROW_1, '--row', 'M,0.455,0.365,big,0.514,0.2245,0.101,0.15'], "--row: row 2, column 'height': 'big' is not a number"],
    [['predict', 'abalone', '--row', 'M,0.455'], "--row: row 1: 2 values, expected 8 (sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight) or 9 with the label 'rings' in its place"],
    [['predict', 'abalone', '--row', `${ROW_1}\n${ROW_3}`], '--row 1 (\'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21\'): expected one CSV row of values, got 2'],
    [['predict', 'abalone'], "give the rows: --row '<csv>' (repeatable), --file <path.csv> or --json-rows <path.json>"],
    [['predict', 'abalone', '--row', ROW_1, '--file', 'rows.csv'], 'give the rows one way: --row, --file or --json-rows, not several'],
    [['predict', 'abalone', '--file', '/nonexistent/rows.csv'], "--file: cannot read '/nonexistent/rows.csv' (ENOENT)"],
    [['predict', '--row', ROW_1], 'missing <family>'],
    [['predict', 'Sea Snails', '--row', ROW_1], "'Sea Snails' is not a family name"],
  ])('%j is a usage error (exit 2) naming the problem; nothing is sent', async (argv, message) => {
    const { code, stderr } = await stage().run(...argv);
    expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringContaining(message) });
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });

  it('refuses a JSON file that is not an array of rows, and names the row of a bad object', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"sex": "M"}');
    expect((await stage().run('predict', 'abalone', '--json-rows', file)).stderr).toContain(`--json-rows ${file}: expected a non-empty JSON array of rows`);
    await writeFile(file, JSON.stringify([{ sex: 'M', length: 0.4 }]));
    const { code, stderr } = await stage().run('predict', 'abalone', '--json-rows', file);
    expect(code).toBe(2);
    expect(stderr).toContain(`--json-rows ${file}: row 1, column 'diameter': missing (give it, or '' for an empty cell)`);
  });

  it('fails (exit 1) for a family the stage has no schema of, naming the key', async () => {
    const { code, stdout } = await stage().run('predict', 'iris', '--row', '5.1,3.5,1.4,0.2', '--json');
    expect(code).toBe(1);
    expect(ErrorOutputSchema.parse(JSON.parse(stdout)).error).toEqual({
      kind: 'failed',
      code: 'unknown-family',
      message: "unknown family 'iris' on stage 'local': family 'iris' has no schema: s3://mlops-local-data/families/iris/schema.json does not exist (a family's first ingested dataset writes it)",
    });
  });

  it('fails (exit 1) when the family has no endpoint, or its model fails', async () => {
    const h = stage();
    runtime
      .on(InvokeEndpointCommand)
      .rejectsOnce(new SageMakerRuntimeServiceException({ name: 'ValidationError', $fault: 'client', message: 'Endpoint mlops-local-abalone of account 000000000000 not found.', $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(new ModelError({ message: 'Received client error (400)', $metadata: { httpStatusCode: 424 }, OriginalStatusCode: 400, OriginalMessage: 'Unable to evaluate payload provided: 11 values per row, but the model has 10 features' }));
    const missing = await h.run('predict', 'abalone', '--row', ROW_1, '--json');
    expect(missing.code).toBe(1);
    expect(ErrorOutputSchema.parse(JSON.parse(missing.stdout)).error).toEqual({
      kind: 'failed',
      code: 'no-live-version',
      message: "endpoint mlops-local-abalone does not exist: the family has no model deployed on this stage (stage 'local'); see `pnpm mlops models abalone --stage local` for its versions and which one is approved",
    });
    const failed = await h.run('predict', 'abalone', '--row', ROW_1);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("mlops-local-abalone on stage 'local': endpoint mlops-local-abalone's model failed: Unable to evaluate payload provided: 11 values per row, but the model has 10 features");
  });

  it('fails (exit 1) when the endpoint answers what the model cannot have', async () => {
    const { code, stderr } = await stage(['9.5\n']).run('predict', 'abalone', '--row', ROW_1, '--row', ROW_3);
    expect(code).toBe(1);
    expect(stderr).toContain('the endpoint answered 1 prediction line for 2 rows');
  });
});
