/**
 * The harness of the handler tests: each load starts the function as Lambda would, in a fresh module
 * registry (jest.isolateModules) so its configuration is read from this load's environment (the
 * function's `local` stage environment plus the test's changes), with the SDK clients it uses
 * mocked on the very SDK copy that registry loads.
 */
import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import type * as S3 from '@aws-sdk/client-s3';
import type * as SageMaker from '@aws-sdk/client-sagemaker';
import type * as SFN from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { functionEnvironment, type FunctionName } from './environment';
import { lambdaContextFor } from './lambda';

// Required inside the isolated registry, hence `require` (an import would bind the shared copy).
const CLIENTS = {
  s3: () => {
    const sdk = require('@aws-sdk/client-s3') as typeof S3;
    return { sdk, mock: mockClient(sdk.S3Client) };
  },
  sfn: () => {
    const sdk = require('@aws-sdk/client-sfn') as typeof SFN;
    return { sdk, mock: mockClient(sdk.SFNClient) };
  },
  sageMaker: () => {
    const sdk = require('@aws-sdk/client-sagemaker') as typeof SageMaker;
    return { sdk, mock: mockClient(sdk.SageMakerClient) };
  },
  cloudWatch: () => {
    const sdk = require('@aws-sdk/client-cloudwatch') as typeof CloudWatch;
    return { sdk, mock: mockClient(sdk.CloudWatchClient) };
  },
};
export type ClientName = keyof typeof CLIENTS;
type Client<C extends ClientName> = ReturnType<(typeof CLIENTS)[C]>;

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface HandlerSpec<C extends ClientName> {
  /** Whose `local` stage environment to start with. */
  name: FunctionName;
  /** The SDK clients the function uses: each is mocked, so none reaches AWS. */
  clients: readonly C[];
  /** `() => require('../src/handler')`: resolved from the test file, inside the fresh registry. */
  module: () => { handler: Handler };
}

export interface LoadedHandler<C extends ClientName> {
  handler: Handler;
  /** A context naming the function as the local stage deploys it. */
  context: Context;
  mocks: { [K in C]: Client<K>['mock'] };
  /** The SDK modules of this load, for `mocks.x.on(sdk.x.SomeCommand)`. */
  sdk: { [K in C]: Client<K>['sdk'] };
}

/**
 * Returns `load(changes?)` for a test file and restores the environment after each test. A change
 * of `undefined` removes the variable.
 */
export function loadHandler<C extends ClientName>(spec: HandlerSpec<C>): (changes?: Record<string, string | undefined>) => LoadedHandler<C> {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
  });
  return (changes = {}) => {
    let loaded!: LoadedHandler<C>;
    jest.isolateModules(() => {
      process.env = { ...saved, ...functionEnvironment(spec.name), ...changes };
      const clients = spec.clients.map((name) => [name, CLIENTS[name]()] as const);
      loaded = {
        handler: spec.module().handler,
        context: lambdaContextFor(`mlops-local-${spec.name}`),
        mocks: Object.fromEntries(clients.map(([name, client]) => [name, client.mock])) as LoadedHandler<C>['mocks'],
        sdk: Object.fromEntries(clients.map(([name, client]) => [name, client.sdk])) as LoadedHandler<C>['sdk'],
      };
    });
    return loaded;
  };
}
