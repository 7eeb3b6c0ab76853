/**
 * The malformed-event suite each function's test runs: every SDK client mocked, the function's
 * `local` stage environment, a control (the valid sample does reach AWS, so "zero calls" below
 * means something), then every contract violation of each sample refused by field name before
 * any AWS call (sweepViolations).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { logger } from '@mlops/common/lambda';
import { sweepViolations, type ViolationSweep } from './arbitraries';
import { functionEnvironment, type FunctionName } from './environment';
import { jsonPaths, lambdaContextFor } from './lambda';

/** Every client a function could call; none may be called for a malformed event. */
export function mockEveryClient() {
  return { s3: mockClient(S3Client), sfn: mockClient(SFNClient), sageMaker: mockClient(SageMakerClient) };
}

/** The function's `local` stage environment (environment.ts) for the file's tests. */
export function useFunctionEnvironment(name: FunctionName): void {
  const saved = process.env;
  beforeAll(() => {
    logger.setLogLevel('SILENT');
    process.env = { ...saved, ...functionEnvironment(name) };
  });
  afterAll(() => {
    process.env = saved;
  });
}

export interface MalformedEventSuite extends Pick<ViolationSweep, 'handler' | 'schema' | 'runsPerViolation'> {
  name: FunctionName;
  /** Valid events by file name; the first is the control. */
  samples: Record<string, unknown>;
  /** The client the valid sample reaches first. */
  control: keyof ReturnType<typeof mockEveryClient>;
  /** Paths the sweep must cover (a check that the generator walked the schema). */
  expectedPaths: string[];
  minimumCases: number;
}

export function describeMalformedEvents(suite: MalformedEventSuite): void {
  const mocks = mockEveryClient();
  useFunctionEnvironment(suite.name);
  const samples = Object.entries(suite.samples);

  describe(`${suite.name} malformed events`, () => {
    it(`reaches ${suite.control} through the mocked client with the valid sample (the control)`, async () => {
      await suite.handler(samples[0]![1], lambdaContextFor(`mlops-local-${suite.name}`)).catch(() => undefined);
      expect(mocks[suite.control].calls().length).toBeGreaterThan(0);
    });

    it.each(samples)('refuses every contract violation of %s by field name, with zero SDK calls (property)', async (_file, sample) => {
      const { violations, cases } = await sweepViolations({ name: suite.name, handler: suite.handler, schema: suite.schema, sample, mocks, runsPerViolation: suite.runsPerViolation });
      const paths = new Set(violations.map((v) => v.path.join('.')));
      for (const path of suite.expectedPaths) expect(paths).toContain(path);
      // Every field of the sample is also given a value of each wrong JSON type: handler tests need no such loop of their own.
      const mistyped = new Set(violations.filter((v) => v.kind === 'wrong type').map((v) => v.path.join('.')));
      for (const path of jsonPaths(sample)) expect(mistyped).toContain(path.join('.'));
      expect(cases).toBeGreaterThan(suite.minimumCases);
    });
  });
}
