import path from 'node:path';
import { InvalidFunctionConfigurationError } from '../src/errors';
import { resolveFunctionSpec } from '../src/spec';

const base = { name: 'mlops_train', bundlePath: '.build/mlops_train/index.js' };

describe('resolveFunctionSpec', () => {
  it('applies Lambda defaults and derives the handler, task root and ARN', () => {
    const fn = resolveFunctionSpec(base);
    expect(fn).toMatchObject({
      handlerExport: 'handler',
      handler: 'index.handler',
      timeoutSeconds: 3,
      memorySizeMB: 128,
      region: 'us-east-1',
      accountId: '123456789012',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:mlops_train',
      environment: {},
    });
    expect(fn.bundlePath).toBe(path.resolve('.build/mlops_train/index.js'));
    expect(fn.taskRoot).toBe(path.resolve('.build/mlops_train'));
    expect(fn).not.toHaveProperty('reservedConcurrency');
  });

  it('prefers the spec region and account over the defaults given', () => {
    const fn = resolveFunctionSpec({ ...base, region: 'eu-west-1' }, { region: 'us-west-2', accountId: '111111111111' });
    expect(fn.arn).toBe('arn:aws:lambda:eu-west-1:111111111111:function:mlops_train');
  });

  it('names the handler after the module and a nested export', () => {
    expect(resolveFunctionSpec({ ...base, bundlePath: 'x/train.mjs', handlerExport: 'handlers.train' }).handler).toBe(
      'train.handlers.train',
    );
  });

  it.each([
    [{ name: 'has space' }, /FunctionName/],
    [{ name: 'x'.repeat(65) }, /FunctionName/],
    [{ timeoutSeconds: 0 }, /Timeout/],
    [{ timeoutSeconds: 901 }, /Timeout/],
    [{ timeoutSeconds: 1.5 }, /Timeout/],
    [{ memorySizeMB: 64 }, /MemorySize/],
    [{ memorySizeMB: 10_241 }, /MemorySize/],
    [{ reservedConcurrency: -1 }, /ReservedConcurrentExecutions/],
    [{ handlerExport: '' }, /handler export/],
  ])('refuses %o as Lambda would', (override, message) => {
    expect(() => resolveFunctionSpec({ ...base, ...override })).toThrow(message);
  });

  it('refuses reserved environment keys with the Lambda service message', () => {
    const attempt = () => resolveFunctionSpec({ ...base, environment: { AWS_LAMBDA_FUNCTION_NAME: 'x', TZ: 'y', OK_KEY: 'z' } });
    expect(attempt).toThrow(InvalidFunctionConfigurationError);
    expect(attempt).toThrow(/reserved keys .* Reserved keys used in this request: AWS_LAMBDA_FUNCTION_NAME, TZ$/);
  });

  it('tolerates credentials (no execution role offline) and a region that agrees', () => {
    const environment = { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' };
    expect(resolveFunctionSpec({ ...base, region: 'eu-west-1', environment }).environment).toEqual(environment);
    expect(() => resolveFunctionSpec({ ...base, environment: { AWS_REGION: 'eu-west-1' } })).toThrow(
      /AWS_REGION=eu-west-1 contradicts the function's region us-east-1/,
    );
  });

  it('refuses an environment over 4 KB measured as JSON', () => {
    expect(() => resolveFunctionSpec({ ...base, environment: { BIG: 'x'.repeat(4090) } })).toThrow(/exceeded the 4KB limit/);
    expect(() => resolveFunctionSpec({ ...base, environment: { BIG: 'x'.repeat(4080) } })).not.toThrow();
  });

  it('refuses keys Lambda does not accept', () => {
    expect(() => resolveFunctionSpec({ ...base, environment: { '1BAD': 'x' } })).toThrow(/must match/);
  });
});
