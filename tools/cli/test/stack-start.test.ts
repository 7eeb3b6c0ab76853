/** Starting the offline stack in visible steps (the stack itself is mocked: only the order and the steps matter). */
import type { ProgressView } from '../src';
import { startStackInSteps } from '../src/pipeline/stack-start';

const calls: string[] = [];
const stack = { close: jest.fn() };

jest.mock('@mlops/serverless-config', () => ({
  printServerlessConfig: jest.fn(async (stage: string) => {
    calls.push(`print ${stage}`);
    return { functions: { mlops_ingest: { handler: 'services/mlops_ingest/src/handler.handler' }, mlops_train: { handler: 'services/mlops_train/src/handler.handler' } } };
  }),
}));
jest.mock('@mlops/local-stack', () => ({
  buildFunctionBundles: jest.fn(async (_root: string, functions: Record<string, unknown>) => {
    calls.push(`bundle ${Object.keys(functions).join(',')}`);
    return [];
  }),
  startLocalStack: jest.fn(async (options: { stage: string; waitScale: number }) => {
    calls.push(`start ${options.stage} ${options.waitScale}`);
    return stack;
  }),
}));

it('shows each step of the start while it runs, the slow cached ones first', async () => {
  const progress: ProgressView = {
    step: (text) => {
      calls.push(`begin ${text}`);
      return () => calls.push(`end ${text}`);
    },
    follow() {},
    update() {},
    message() {},
    done() {},
    interrupted() {},
  };
  expect(await startStackInSteps(progress, { root: '/repo', timeScale: 100 })).toBe(stack);
  expect(calls).toEqual([
    'begin loading the offline stack',
    'end loading the offline stack',
    'begin reading serverless.yml for stage local (sls print, cached after the first run)',
    'print local',
    'end reading serverless.yml for stage local (sls print, cached after the first run)',
    'begin bundling 2 functions with esbuild (cached until their sources change)',
    'bundle mlops_ingest,mlops_train',
    'end bundling 2 functions with esbuild (cached until their sources change)',
    'begin starting S3, SageMaker, Step Functions, Lambda, EventBridge, SQS and CloudWatch',
    'start local 0.01',
    'end starting S3, SageMaker, Step Functions, Lambda, EventBridge, SQS and CloudWatch',
  ]);
});
