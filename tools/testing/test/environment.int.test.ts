/**
 * The handler tests start each function with the environment the `local` stage gives it. The table
 * in src/environment.ts keeps unit tests free of the framework; this test holds it equal to what
 * serverless.yml resolves to (through the framework's own resolver), so it cannot drift.
 */
import { printServerlessConfig } from '@mlops/serverless-config';
import { LOCAL_FUNCTION_ENVIRONMENTS, LOCAL_PROVIDER_ENVIRONMENT } from '../src';

describe('the local-stage environment table', () => {
  it('equals serverless.yml resolved for the local stage, function by function', async () => {
    const config = await printServerlessConfig('local');
    const stringify = (env: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
    expect(LOCAL_PROVIDER_ENVIRONMENT).toEqual(stringify(config.provider.environment));
    expect(Object.keys(LOCAL_FUNCTION_ENVIRONMENTS).sort()).toEqual(Object.keys(config.functions).sort());
    for (const [name, fn] of Object.entries(config.functions)) {
      expect({ name, env: LOCAL_FUNCTION_ENVIRONMENTS[name as keyof typeof LOCAL_FUNCTION_ENVIRONMENTS] }).toEqual({ name, env: stringify(fn.environment) });
    }
  });
});
