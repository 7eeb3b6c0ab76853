import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeHyperParameters, inputDataConfig, resourceConfig, servingEnvironment, trainingEnvironment, trainingLayout, writeTrainingConfig } from '../src/contract';

const spec = {
  jobName: 'job-1',
  jobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/job-1',
  hyperParameters: { epochs: '10', lr: '0.01', name: 'abc', flags: '["a","b"]' },
  channels: [
    { ChannelName: 'train', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/train/' } } },
    { ChannelName: 'validation', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/val/' } } },
  ],
  trainingInputMode: 'File',
  instanceType: 'ml.m5.large',
  environment: {},
};

describe('the SageMaker training contract', () => {
  it('decodes hyperparameters as the training toolkit does for SM_HPS', () => {
    expect(decodeHyperParameters(spec.hyperParameters)).toEqual({ epochs: 10, lr: 0.01, name: 'abc', flags: ['a', 'b'] });
  });

  it('sets the SM_* variables pointing into the job root', () => {
    const layout = trainingLayout('/work/job-1');
    const env = trainingEnvironment(layout, spec);
    expect(env).toMatchObject({
      SAGEMAKER_BASE_DIR: '/work/job-1',
      SM_MODEL_DIR: '/work/job-1/model',
      SM_OUTPUT_DATA_DIR: '/work/job-1/output/data',
      SM_INPUT_CONFIG_DIR: '/work/job-1/input/config',
      SM_CHANNEL_TRAIN: '/work/job-1/input/data/train',
      SM_CHANNEL_VALIDATION: '/work/job-1/input/data/validation',
      SM_CHANNELS: '["train","validation"]',
      SM_CURRENT_HOST: 'algo-1',
      SM_HOSTS: '["algo-1"]',
      SM_HP_EPOCHS: '10',
      SM_NUM_GPUS: '0',
      TRAINING_JOB_NAME: 'job-1',
    });
    expect(JSON.parse(env.SM_HPS!)).toEqual({ epochs: 10, lr: 0.01, name: 'abc', flags: ['a', 'b'] });
    expect(JSON.parse(env.SM_USER_ARGS!)).toEqual(['--epochs', '10', '--lr', '0.01', '--name', 'abc', '--flags', '["a","b"]']);
    expect(JSON.parse(env.SM_TRAINING_ENV!).channel_input_dirs.train).toBe('/work/job-1/input/data/train');
  });

  it('writes input/config/*.json and the folders', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-'));
    try {
      const layout = trainingLayout(root);
      writeTrainingConfig(layout, spec);
      const read = (f: string) => JSON.parse(fs.readFileSync(path.join(root, 'input', 'config', f), 'utf8'));
      expect(read('hyperparameters.json')).toEqual(spec.hyperParameters);
      expect(read('inputdataconfig.json')).toEqual({
        train: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None', ContentType: 'text/csv' },
        validation: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
      });
      expect(read('resourceconfig.json')).toEqual(resourceConfig('ml.m5.large'));
      for (const d of ['model', 'output/data', 'input/data/train', 'input/data/validation']) expect(fs.statSync(path.join(root, d)).isDirectory()).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('gives channel InputMode precedence over the job mode', () => {
    expect(inputDataConfig({ ...spec, channels: [{ ...spec.channels[0]!, InputMode: 'FastFile' }] }).train!.TrainingInputMode).toBe('FastFile');
  });

  it('serving containers get the port, the bind host and the base dir', () => {
    expect(servingEnvironment('/srv/e1', 8123)).toEqual({
      SAGEMAKER_BIND_TO_PORT: '8123',
      SAGEMAKER_BIND_HOST: '127.0.0.1',
      SAGEMAKER_BASE_DIR: '/srv/e1',
      SM_MODEL_DIR: '/srv/e1/model',
    });
  });
});
