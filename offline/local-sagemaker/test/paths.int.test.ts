import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateModelCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  type CreateTransformJobCommandInput,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import { BUCKET, type Harness, MEAN_IMAGE, ROLE, startHarness, trainingRequest, waitFor } from './helpers';

// The projects' testTimeout is not applied per project by jest; these tests start processes.
jest.setTimeout(90_000);

let h: Harness;
// Enough `..` to climb out of the bucket, the S3 folder and the test's own folder.
const escaped = `escaped-${randomUUID()}`;
const outside = `s3://${BUCKET}/models/../../../../${escaped}`;

beforeAll(async () => {
  h = await startHarness();
  await h.put('data/train/rows.csv', '2,1\n4,1\n');
});
afterAll(async () => {
  await h?.close();
  fs.rmSync(path.join(os.tmpdir(), escaped), { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

const rejection = (uri: string, field: string) =>
  `1 validation error detected: Value '${uri}' at '${field}' failed to satisfy constraint: Member must not contain '.' or '..' path segments (local-sagemaker stores S3 objects as files)`;

/** Every file under a folder, relative to it. */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

function expectNothingEscaped(): void {
  expect(fs.existsSync(path.join(os.tmpdir(), escaped))).toBe(false);
  expect(files(h.tmp).filter((f) => f.includes(escaped))).toEqual([]);
}

describe('S3 URIs with . or .. segments never become paths outside the storage', () => {
  it('an S3OutputPath with .. segments is rejected at CreateTrainingJob, naming the member; no job, no file', async () => {
    const e = await errorOf(h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('escape-train', { OutputDataConfig: { S3OutputPath: outside } }))));
    expect([e.name, e.message]).toEqual(['ValidationException', rejection(outside, 'outputDataConfig.s3OutputPath')]);
    const missing = await errorOf(h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'escape-train' })));
    expect(missing.message).toBe('Requested resource not found.');
    expectNothingEscaped();
  });

  it('a channel S3Uri or a ModelDataUrl with dot segments is rejected the same way', async () => {
    const channel = `s3://${BUCKET}/data/./train/`;
    const e1 = await errorOf(
      h.sagemaker.send(
        new CreateTrainingJobCommand(
          trainingRequest('dot-channel', { InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: channel } } }] }),
        ),
      ),
    );
    expect(e1.message).toBe(rejection(channel, 'inputDataConfig.1.member.dataSource.s3DataSource.s3Uri'));
    const e2 = await errorOf(h.sagemaker.send(new CreateModelCommand({ ModelName: 'escape-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: MEAN_IMAGE, ModelDataUrl: `${outside}/model.tar.gz` } })));
    expect([e2.name, e2.message]).toEqual(['ValidationException', rejection(`${outside}/model.tar.gz`, 'primaryContainer.modelDataUrl')]);
  });

  describe('with a trained model', () => {
    let artifacts: string;
    const transform = (name: string, extra: Partial<CreateTransformJobCommandInput>): CreateTransformJobCommandInput => ({
      TransformJobName: name,
      ModelName: 'paths-model',
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/batch/in/` } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: `s3://${BUCKET}/batch/out` },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      ...extra,
    });

    it('a normal S3OutputPath (dots inside names are plain characters) still works', async () => {
      const output = `s3://${BUCKET}/models/v1.0/..hidden`;
      await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('normal-path', { OutputDataConfig: { S3OutputPath: output } })));
      const done = await waitFor(() => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'normal-path' })), (d) => d.TrainingJobStatus !== 'InProgress', 'training');
      expect([done.TrainingJobStatus, done.FailureReason]).toEqual(['Completed', undefined]);
      artifacts = done.ModelArtifacts!.S3ModelArtifacts!;
      expect(artifacts).toBe(`${output}/normal-path/output/model.tar.gz`);
      expect((await h.get('models/v1.0/..hidden/normal-path/output/model.tar.gz')).length).toBeGreaterThan(0);
      await h.sagemaker.send(new CreateModelCommand({ ModelName: 'paths-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: MEAN_IMAGE, ModelDataUrl: artifacts } }));
    });

    it('a transform S3OutputPath with .. segments is rejected at CreateTransformJob', async () => {
      const e = await errorOf(h.sagemaker.send(new CreateTransformJobCommand(transform('escape-transform', { TransformOutput: { S3OutputPath: outside } }))));
      expect([e.name, e.message]).toEqual(['ValidationException', rejection(outside, 'transformOutput.s3OutputPath')]);
      expectNothingEscaped();
    });

    it('keys from a manifest that would escape fail the job instead of reading or writing outside', async () => {
      await h.put('batch/in/ok.csv', '1,1\n');
      const manifest = [{ prefix: `s3://${BUCKET}/batch/in/` }, 'ok.csv', `../../../../${escaped}.csv`];
      await h.put('batch/manifest.json', JSON.stringify(manifest));
      await h.sagemaker.send(
        new CreateTransformJobCommand(
          transform('manifest-escape', {
            TransformInput: { DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: `s3://${BUCKET}/batch/manifest.json` } }, ContentType: 'text/csv', SplitType: 'Line' },
          }),
        ),
      );
      const done = await waitFor(() => h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'manifest-escape' })), (d) => d.TransformJobStatus !== 'InProgress', 'transform');
      expect(done.TransformJobStatus).toBe('Failed');
      expect(done.FailureReason).toBe(
        `ClientError: The manifest file s3://${BUCKET}/batch/manifest.json names the key "batch/in/../../../../${escaped}.csv": keys with '.' or '..' path segments are not supported by local-sagemaker.`,
      );
      expectNothingEscaped();
    });
  });
});
