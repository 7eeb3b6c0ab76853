import { instanceEnvironment } from '../src/environment';
import { resolveFunctionSpec } from '../src/spec';

const fn = resolveFunctionSpec({
  name: 'mlops_train',
  bundlePath: '/build/mlops_train/index.js',
  memorySizeMB: 512,
  region: 'eu-west-1',
  environment: { MODEL_BUCKET: 'models', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' },
});
const parentEnv = {
  PATH: '/usr/bin',
  HOME: '/root',
  SOME_PARENT_SECRET: 'leak',
  AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_ENDPOINT_URL_SAGEMAKER: 'http://127.0.0.1:9000',
  NODE_OPTIONS: '--require something',
};

describe('instanceEnvironment', () => {
  const env = instanceEnvironment(fn, { parentEnv, logStreamName: '2024/01/31/[$LATEST]abc', runtimeDir: '/rt' });

  it('is the function configuration plus the variables Lambda sets', () => {
    expect(env).toEqual({
      PATH: '/usr/bin',
      LANG: 'en_US.UTF-8',
      NODE_OPTIONS: '--enable-source-maps',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'secret',
      MODEL_BUCKET: 'models',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      _HANDLER: 'index.handler',
      AWS_LAMBDA_FUNCTION_NAME: 'mlops_train',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/mlops_train',
      AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/31/[$LATEST]abc',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/build/mlops_train',
      LAMBDA_RUNTIME_DIR: '/rt',
      TZ: ':UTC',
    });
  });

  it('does not leak the parent environment, its endpoints or its NODE_OPTIONS', () => {
    expect(env).not.toHaveProperty('SOME_PARENT_SECRET');
    expect(env).not.toHaveProperty('HOME');
    expect(env).not.toHaveProperty('AWS_ENDPOINT_URL_SAGEMAKER');
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('prefers credentials the function configuration carries over the parent\'s', () => {
    const withCredentials = resolveFunctionSpec({
      name: 'f',
      bundlePath: '/b/index.js',
      environment: { AWS_ACCESS_KEY_ID: 'STACK', AWS_SECRET_ACCESS_KEY: 'stack-secret', AWS_REGION: 'us-east-1' },
    });
    const e = instanceEnvironment(withCredentials, { parentEnv, logStreamName: 's', runtimeDir: '/rt' });
    expect(e).toMatchObject({ AWS_ACCESS_KEY_ID: 'STACK', AWS_SECRET_ACCESS_KEY: 'stack-secret', AWS_REGION: 'us-east-1' });
  });

  it('lets the function configure unreserved runtime variables', () => {
    const custom = resolveFunctionSpec({ name: 'f', bundlePath: '/b/index.js', environment: { NODE_OPTIONS: '--enable-source-maps --stack-trace-limit=50', LANG: 'C' } });
    const e = instanceEnvironment(custom, { parentEnv: {}, logStreamName: 's', runtimeDir: '/rt' });
    expect(e.NODE_OPTIONS).toBe('--enable-source-maps --stack-trace-limit=50');
    expect(e.LANG).toBe('C');
    expect(e).not.toHaveProperty('PATH');
    expect(e).not.toHaveProperty('AWS_SESSION_TOKEN');
  });
});
