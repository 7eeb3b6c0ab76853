import { containerEnvironment, stackEnvironment } from '../src/environment';

const host = {
  PATH: '/usr/bin',
  HOME: '/home/dev',
  TMPDIR: '/tmp',
  EDITOR: 'vim',
  AWS_ACCESS_KEY_ID: 'AKIAHOST',
  AWS_SECRET_ACCESS_KEY: 'host-secret',
  AWS_SESSION_TOKEN: 'host-token',
  AWS_PROFILE: 'dev',
  AWS_SHARED_CREDENTIALS_FILE: '/home/dev/.aws/credentials',
  AWS_CONFIG_FILE: '/home/dev/.aws/config',
  AWS_WEB_IDENTITY_TOKEN_FILE: '/token',
  AWS_ROLE_ARN: 'arn:aws:iam::999999999999:role/dev',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/creds',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/creds',
  aws_secret_access_key: 'lower-case-secret',
  AWS_ENDPOINT_URL_S3: 'https://s3.host.example',
};
const stack = stackEnvironment('eu-west-1', { endpoint: 'http://127.0.0.1:4569', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

describe('the environment containers start with', () => {
  it('is the host basics plus the stack region, S3 endpoint and credentials', () => {
    expect(containerEnvironment({ inheritEnv: false, stackEnvironment: stack }, host)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/dev',
      TMPDIR: '/tmp',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
  });

  it('with inheritEnv, is the whole host environment minus every AWS_* setting, plus the stack', () => {
    const env = containerEnvironment({ inheritEnv: true, stackEnvironment: stack }, host);
    expect(env.EDITOR).toBe('vim');
    expect(Object.keys(env).filter((k) => k.toUpperCase().startsWith('AWS_')).sort()).toEqual(Object.keys(stack).sort());
    expect(Object.values(env)).not.toEqual(expect.arrayContaining(['AKIAHOST']));
    expect(env).toMatchObject(stack);
  });

  it('passes a session token only when the stack has one; defaults to the emulator S3 credentials', () => {
    expect(stackEnvironment('us-east-1', { endpoint: 'http://s3', credentials: { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 't' } }).AWS_SESSION_TOKEN).toBe('t');
    expect(stackEnvironment('us-east-1', { endpoint: 'http://s3' })).toMatchObject({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    expect(stackEnvironment('us-east-1', { endpoint: 'http://s3' })).not.toHaveProperty('AWS_SESSION_TOKEN');
  });
});
