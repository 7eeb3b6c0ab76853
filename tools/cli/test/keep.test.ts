import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { PipelineStateSchema, type PipelineState } from '@mlops/common';
import { FakeBucket } from '@mlops/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { ExecutionTracker } from '@mlops/report';
import { humanSummary, jsonSummary, keepArtifacts, runArtifacts, runFolder, runFolderName, utcStamp, type KeptRun, type RunOutcome } from '../src';

const BUCKET = 'mlops-local-data';
const RUN = 'abalone-7aa1b19755';
const PREFIX = `s3://${BUCKET}/runs/${RUN}/`;

/** The state document of a run as it ends, at the stage `upTo` it reached. */
function stateOf(upTo: 'training' | 'evaluated' | 'deployed', champion = true): PipelineState {
  const poll = (kind: string, name: string, outputs: Record<string, string>) => ({ kind, name, state: 'Succeeded', status: 'Completed', message: 'ok', waitSeconds: 0, attempt: 2, elapsedSeconds: 60, outputs });
  const state: Record<string, unknown> = {
    family: 'abalone',
    runId: RUN,
    source: { bucket: BUCKET, key: 'incoming/abalone.csv', etag: '"abc"' },
    runPrefix: PREFIX,
    dataset: {
      train: `${PREFIX}data/train/`,
      validation: `${PREFIX}data/validation/`,
      test: `${PREFIX}data/test/`,
      schema: `${PREFIX}schema.json`,
      rows: { train: 70, validation: 15, test: 15 },
      featureCount: 10,
    },
    task: { problemType: 'regression', target: 'rings' },
    overrides: {},
    training: { jobName: `mlops-local-${RUN}-train`, jobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/x', adopted: false },
    trainingPoll: poll('training', `mlops-local-${RUN}-train`, { modelArtifacts: `s3://${BUCKET}/models/${RUN}/output/model.tar.gz` }),
  };
  if (upTo === 'training') return PipelineStateSchema.parse({ ...state, error: { Error: 'TrainingJobFailed', Cause: 'boom' } });
  state.batch = {
    modelName: `mlops-local-${RUN}`,
    transformJobName: `mlops-local-${RUN}-transform`,
    transformOutput: `${PREFIX}transform/`,
    adopted: false,
    ...(champion
      ? { champion: { endpointName: 'mlops-local-abalone', endpointConfigName: 'mlops-local-abalone-v3', modelName: 'mlops-local-abalone-v3', transformJobName: `mlops-local-${RUN}-champion`, transformOutput: `${PREFIX}champion-transform/` } }
      : {}),
  };
  state.transforms = { challenger: poll('transform', `mlops-local-${RUN}-transform`, { transformOutput: `${PREFIX}transform/` }), champion: champion ? poll('transform', `mlops-local-${RUN}-champion`, { transformOutput: `${PREFIX}champion-transform/` }) : {} };
  state.evaluation = {
    problemType: 'regression',
    rows: 15,
    metrics: { mse: 4.8 },
    ...(champion ? { champion: { label: 'abalone v3', metrics: { mse: 5.4 } } } : {}),
    gate: { metric: 'mse', threshold: 6, direction: 'lte', value: 4.8, passed: true, summary: 'mse 4.8 (challenger) meets the threshold 6 and is not worse than 5.4 (champion, abalone v3)' },
    reportUri: `${PREFIX}evaluation/report.json`,
  };
  if (upTo === 'evaluated') return PipelineStateSchema.parse(state);
  state.registration = { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/4', group: 'mlops-local-abalone', version: 4, approvalStatus: 'Approved' };
  state.deployment = {
    ExecutionArn: `arn:aws:states:us-east-1:000000000000:execution:mlops-local-deploy:${RUN}-v4`,
    Status: 'SUCCEEDED',
    Output: {
      deploy: {
        family: 'abalone',
        modelVersion: { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/4', group: 'mlops-local-abalone', version: 4 },
        modelName: 'mlops-local-abalone-v4',
        endpointName: 'mlops-local-abalone',
        endpointConfigName: 'mlops-local-abalone-v4',
        action: 'updated',
        previousConfigName: 'mlops-local-abalone-v3',
      },
    },
  };
  return PipelineStateSchema.parse(state);
}

describe('run folders', () => {
  it('names a run by its UTC start and run id, so a family’s runs sort by time', () => {
    expect(utcStamp(new Date('2025-03-01T10:04:12.345Z'))).toBe('20250301T100412Z');
    expect(runFolderName(new Date('2025-03-01T10:04:12.345Z'), RUN)).toBe(`20250301T100412Z-${RUN}`);
    const names = ['2025-12-31T23:59:59Z', '2025-03-01T10:04:12Z', '2026-01-01T00:00:00Z'].map((t) => runFolderName(new Date(t), RUN));
    expect([...names].sort()).toEqual([names[1], names[0], names[2]]);
  });

  describe('on disk', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'runs-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('puts a run under its family, and never reuses a folder (the same dataset twice in one second)', async () => {
      const at = new Date('2025-03-01T10:04:12Z');
      const first = await runFolder(dir, 'abalone', at, RUN);
      expect(first).toBe(join(dir, 'abalone', `20250301T100412Z-${RUN}`));
      await mkdir(first, { recursive: true });
      expect(await runFolder(dir, 'abalone', at, RUN)).toBe(`${first}-2`);
      await mkdir(`${first}-2`);
      expect(await runFolder(dir, 'abalone', at, RUN)).toBe(`${first}-3`);
      expect(await runFolder(dir, 'abalone', new Date('2025-03-01T10:04:13Z'), RUN)).toBe(join(dir, 'abalone', `20250301T100413Z-${RUN}`));
    });
  });
});

describe('runArtifacts', () => {
  it('lists what a deployed run left: model, both schemas, both transforms’ predictions, evaluation, run record', () => {
    expect(runArtifacts(stateOf('deployed'), { bucket: BUCKET }).map((a) => [a.name, a.uri, a.path, a.optional])).toEqual([
      ['model', `s3://${BUCKET}/models/${RUN}/output/model.tar.gz`, 'model.tar.gz', false],
      ['schema', `${PREFIX}schema.json`, 'schema.json', false],
      ['family-schema', `s3://${BUCKET}/families/abalone/schema.json`, 'family-schema.json', true],
      ['predictions', `${PREFIX}transform/`, 'predictions/challenger/', true],
      ['champion-predictions', `${PREFIX}champion-transform/`, 'predictions/champion/', true],
      ['evaluation', `${PREFIX}evaluation/report.json`, 'evaluation.json', false],
      ['run-record', `${PREFIX}run.json`, 'run.json', true],
    ]);
  });

  it('has no champion predictions for a family’s first model, and only what exists for a run that stopped early', () => {
    expect(runArtifacts(stateOf('evaluated', false), { bucket: BUCKET }).map((a) => a.name)).not.toContain('champion-predictions');
    const early = runArtifacts(stateOf('training'), { bucket: BUCKET, familiesPrefix: 'fam/' });
    expect(early.map((a) => a.name)).toEqual(['model', 'schema', 'family-schema', 'evaluation', 'run-record']);
    expect(early.find((a) => a.name === 'family-schema')!.uri).toBe(`s3://${BUCKET}/fam/abalone/schema.json`);
    // The evaluation report is looked for where mlops_eval writes it, but may not be there.
    expect(early.find((a) => a.name === 'evaluation')).toMatchObject({ uri: `${PREFIX}evaluation/report.json`, optional: true });
    expect(runArtifacts(undefined, { bucket: BUCKET })).toEqual([]);
  });
});

describe('keepArtifacts (over an S3 bucket)', () => {
  const s3 = mockClient(S3Client);
  let bucket: FakeBucket;
  let dir: string;
  beforeEach(async () => {
    s3.reset();
    bucket = new FakeBucket(s3, { pageSize: 2 });
    dir = await mkdtemp(join(tmpdir(), 'keep-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const key = (uri: string) => uri.replace(`s3://${BUCKET}/`, '');

  it('copies every artifact of a deployed run into artifacts/, the .out objects of both transforms', async () => {
    bucket.put(`models/${RUN}/output/model.tar.gz`, { body: 'MODEL-BYTES' });
    bucket.put(key(`${PREFIX}schema.json`), { body: '{"schema":1}' });
    bucket.put('families/abalone/schema.json', { body: '{"family":"abalone"}' });
    bucket.put(key(`${PREFIX}transform/test.csv.out`), { body: '9,8.5\n7,7.25\n' });
    bucket.put(key(`${PREFIX}transform/part-2/test.csv.out`), { body: '3,3.5\n' });
    bucket.put(key(`${PREFIX}transform/_SUCCESS`), { body: '' });
    bucket.put(key(`${PREFIX}champion-transform/test.csv.out`), { body: '9,9.75\n7,6\n' });
    bucket.put(key(`${PREFIX}evaluation/report.json`), { body: '{"runId":"x"}' });
    bucket.put(key(`${PREFIX}run.json`), { body: '{"version":1}' });

    const result = await keepArtifacts(new S3Client({ region: 'us-east-1' }), runArtifacts(stateOf('deployed'), { bucket: BUCKET }), dir);
    expect(result.missing).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(result.kept.map((k) => [k.name, k.path, k.bytes])).toEqual([
      ['model', 'artifacts/model.tar.gz', 11],
      ['schema', 'artifacts/schema.json', 12],
      ['family-schema', 'artifacts/family-schema.json', 20],
      ['predictions', 'artifacts/predictions/challenger/part-2/test.csv.out', 6],
      ['predictions', 'artifacts/predictions/challenger/test.csv.out', 13],
      ['champion-predictions', 'artifacts/predictions/champion/test.csv.out', 11],
      ['evaluation', 'artifacts/evaluation.json', 13],
      ['run-record', 'artifacts/run.json', 13],
    ]);
    expect(result.kept[0]!.source).toBe(`s3://${BUCKET}/models/${RUN}/output/model.tar.gz`);
    expect(await readFile(join(dir, 'artifacts/predictions/champion/test.csv.out'), 'utf8')).toBe('9,9.75\n7,6\n');
    expect(await readFile(join(dir, 'artifacts/model.tar.gz'), 'utf8')).toBe('MODEL-BYTES');
    expect((await readdir(join(dir, 'artifacts/predictions/challenger'))).sort()).toEqual(['part-2', 'test.csv.out']);
  });

  it('keeps whatever a failed run got to write, and says what was not there', async () => {
    bucket.put(`models/${RUN}/output/model.tar.gz`, { body: 'M' });
    bucket.put(key(`${PREFIX}schema.json`), { body: '{}' });
    bucket.put(key(`${PREFIX}run.json`), { body: '{"status":"FAILED"}' });
    const result = await keepArtifacts(new S3Client({ region: 'us-east-1' }), runArtifacts(stateOf('training'), { bucket: BUCKET }), dir);
    expect(result.kept.map((k) => k.path)).toEqual(['artifacts/model.tar.gz', 'artifacts/schema.json', 'artifacts/run.json']);
    expect(result.missing.map((m) => m.name)).toEqual(['family-schema', 'evaluation']);
    expect(result.failed).toEqual([]);
    expect((await readdir(join(dir, 'artifacts'))).sort()).toEqual(['model.tar.gz', 'run.json', 'schema.json']);
  });

  it('reports an object it could not read without losing the others, and never writes outside the run', async () => {
    bucket.put(key(`${PREFIX}schema.json`), { body: '{}' });
    bucket.put(key(`${PREFIX}transform/../../../../escape.out`), { body: 'x' });
    const result = await keepArtifacts(
      new S3Client({ region: 'us-east-1' }),
      [
        { name: 'predictions', uri: `${PREFIX}transform/`, path: 'predictions/challenger/', optional: true },
        { name: 'schema', uri: `${PREFIX}schema.json`, path: 'schema.json', optional: false },
      ],
      dir,
    );
    expect(result.failed.map((f) => [f.name, f.error])).toEqual([['predictions', expect.stringContaining('refusing to write outside')]]);
    expect(result.kept.map((k) => k.path)).toEqual(['artifacts/schema.json']);
  });
});

describe('summaries', () => {
  const kept: KeptRun = {
    dir: `/repo/.local/reports/abalone/20250301T100412Z-${RUN}`,
    htmlPath: `/repo/.local/reports/abalone/20250301T100412Z-${RUN}/report.html`,
    jsonPath: `/repo/.local/reports/abalone/20250301T100412Z-${RUN}/report.json`,
    artifacts: {
      kept: [
        { name: 'model', source: `s3://${BUCKET}/models/${RUN}/output/model.tar.gz`, path: 'artifacts/model.tar.gz', bytes: 2048 },
        { name: 'champion-predictions', source: `${PREFIX}champion-transform/test.csv.out`, path: 'artifacts/predictions/champion/test.csv.out', bytes: 12 },
      ],
      missing: [{ name: 'family-schema', source: `s3://${BUCKET}/families/abalone/schema.json` }],
      failed: [],
    },
  };
  const outcome = (state: PipelineState): RunOutcome => ({
    runId: RUN,
    family: 'abalone',
    key: 'incoming/abalone.csv',
    executionName: RUN,
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:${RUN}`,
    status: 'SUCCEEDED',
    state,
    startedAt: new Date('2025-03-01T10:04:12Z'),
    wallMs: 12_345,
    tracker: new ExecutionTracker(),
    history: [],
    endpointChecks: [],
  });

  it('--json lists the run folder and every kept artifact, with both models', () => {
    const doc = JSON.parse(jsonSummary(outcome(stateOf('deployed')), kept)) as Record<string, unknown>;
    expect(doc).toMatchObject({
      runId: RUN,
      family: 'abalone',
      runDir: kept.dir,
      report: kept.htmlPath,
      reportJson: kept.jsonPath,
      artifacts: kept.artifacts.kept,
      missingArtifacts: kept.artifacts.missing,
      metrics: { mse: 4.8 },
      champion: { label: 'abalone v3', metrics: { mse: 5.4 } },
      model: { version: 4, approvalStatus: 'Approved' },
      endpoint: { endpointName: 'mlops-local-abalone', action: 'updated' },
    });
    expect(doc).not.toHaveProperty('failedArtifacts');
  });

  it('the human summary names the folder, the model and each artifact with its size and source', () => {
    const text = humanSummary(outcome(stateOf('deployed')), kept);
    expect(text).toContain(`run        ${kept.dir}`);
    expect(text).toContain(`report     ${kept.htmlPath}`);
    expect(text).toContain('champion   mse=5.4  (abalone v3)');
    expect(text).not.toContain('rule       ');
    expect(text).toContain('model      abalone v4  Approved');
    expect(text).toMatch(/artifacts\/model\.tar\.gz\s+2\.0 KiB {2}s3:\/\/mlops-local-data\/models\//);
    expect(text).toContain('artifacts/predictions/champion/test.csv.out');
    expect(text).toContain(`(no family-schema: s3://${BUCKET}/families/abalone/schema.json)`);
  });

  it('the human summary says which gate rule applied and why', () => {
    const state = stateOf('deployed');
    state.evaluation!.gate.rule = { kind: 'threshold', source: 'stage', reason: 'the stage sets a threshold for family abalone (gateThresholds)' };
    expect(humanSummary(outcome(state), kept)).toContain('rule       threshold: the stage sets a threshold for family abalone (gateThresholds)\n');
  });
});
