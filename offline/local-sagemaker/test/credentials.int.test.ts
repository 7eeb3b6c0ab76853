import fs from 'node:fs';
import path from 'node:path';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import * as tar from 'tar';
import { type Harness, ROLE, startHarness, trainingRequest, waitFor } from './helpers';

// The projects' testTimeout is not applied per project by jest; these tests start processes.
jest.setTimeout(90_000);

/** The developer's own AWS settings, as a shell might hold them: none may reach a container. */
const HOST_AWS = {
  AWS_ACCESS_KEY_ID: 'AKIAHOSTDEVELOPER0001',
  AWS_SECRET_ACCESS_KEY: 'host-secret-access-key',
  AWS_SESSION_TOKEN: 'host-session-token',
  AWS_SECURITY_TOKEN: 'host-legacy-session-token',
  AWS_PROFILE: 'developer',
  AWS_DEFAULT_PROFILE: 'developer',
  AWS_SHARED_CREDENTIALS_FILE: '/home/developer/.aws/credentials',
  AWS_CONFIG_FILE: '/home/developer/.aws/config',
  AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/token',
  AWS_ROLE_ARN: 'arn:aws:iam::999999999999:role/developer',
  AWS_ROLE_SESSION_NAME: 'developer-session',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/host',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
  AWS_CONTAINER_AUTHORIZATION_TOKEN: 'host-container-token',
  AWS_ENDPOINT_URL: 'https://aws.host.example',
  AWS_ENDPOINT_URL_S3: 'https://s3.host.example',
};
const HOST_MARKER = 'LOCAL_SAGEMAKER_TEST_HOST_MARKER';
const hostValues = new Set(Object.values(HOST_AWS));

function expectNoHostCredentials(env: Record<string, string>, h: Harness): void {
  const leaked = Object.entries(env).filter(([, v]) => hostValues.has(v));
  expect(leaked).toEqual([]);
  // The only AWS_* settings are the local stack's: its region, its S3 and the credentials it signs S3 requests with.
  expect(Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('AWS_')))).toEqual({
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: h.s3Endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  expect(env.PATH).toBe(process.env.PATH);
}

describe.each([
  { inheritEnv: false, marker: undefined },
  { inheritEnv: true, marker: 'from-the-host' },
])('containers never see the host credentials (inheritEnv: $inheritEnv)', ({ inheritEnv, marker }) => {
  let h: Harness;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    h = await startHarness({ inheritEnv, healthCheckTimeoutMs: 10_000 });
    await h.put('data/train/rows.csv', '1,0\n');
    for (const [k, v] of Object.entries({ ...HOST_AWS, [HOST_MARKER]: 'from-the-host' })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await h?.close();
  });

  it('a training job gets the stack credentials, the image env and the job Environment only', async () => {
    await h.sagemaker.send(
      new CreateTrainingJobCommand(
        trainingRequest('env-train', { AlgorithmSpecification: { TrainingImage: 'local/env-dump', TrainingInputMode: 'File' }, Environment: { JOB_VAR: 'from-the-job' } }),
      ),
    );
    const done = await waitFor(
      () => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'env-train' })),
      (d) => d.TrainingJobStatus !== 'InProgress',
      'the training job',
    );
    expect([done.TrainingJobStatus, done.FailureReason]).toEqual(['Completed', undefined]);
    const dir = fs.mkdtempSync(path.join(h.tmp, 'env-'));
    fs.writeFileSync(path.join(dir, 'output.tar.gz'), await h.get('models/env-train/output/output.tar.gz'));
    await tar.extract({ file: path.join(dir, 'output.tar.gz'), cwd: dir });
    const env = JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8')) as Record<string, string>;
    expectNoHostCredentials(env, h);
    expect(env).toMatchObject({ JOB_VAR: 'from-the-job', TRAINING_JOB_NAME: 'env-train' });
    expect(env[HOST_MARKER]).toBe(marker);
  });

  it('a serving container gets the stack credentials only', async () => {
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'env-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'local/env-dump', Environment: { MODEL_VAR: 'from-the-model' } } }));
    await h.sagemaker.send(
      new CreateEndpointConfigCommand({ EndpointConfigName: 'env-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'env-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }),
    );
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'env-ep', EndpointConfigName: 'env-cfg' }));
    await waitUntilEndpointInService({ client: h.sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: 'env-ep' });
    const res = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'env-ep', Body: Buffer.from('{}'), ContentType: 'application/json' }));
    const env = JSON.parse(Buffer.from(res.Body).toString()) as Record<string, string>;
    expectNoHostCredentials(env, h);
    expect(env).toMatchObject({ MODEL_VAR: 'from-the-model', SAGEMAKER_BIND_HOST: '127.0.0.1' });
    expect(env[HOST_MARKER]).toBe(marker);
  });
});
