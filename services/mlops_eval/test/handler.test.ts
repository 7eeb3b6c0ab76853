/**
 * The deployed entry point: input contract before any S3 call, and the metrics leaving as
 * CloudWatch EMF on stdout.
 */
import fc from 'fast-check';
import type { InputValidationError } from '@mlops/common';
import { FakeBucket, loadHandler, withValueAt, type LoadedHandler } from '@mlops/testing';
import { sampleInput } from './helpers';

// The function's `local` stage environment, its S3 client mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_eval', clients: ['s3'], module: () => require('../src/handler') });
let loaded: LoadedHandler<'s3'>;
beforeEach(() => {
  loaded = start();
});
const sample = sampleInput();

const setAt = (root: unknown, path: string, value: unknown) => withValueAt(root, path.split('.'), value);

async function expectRejected(input: unknown, field: string): Promise<void> {
  const error = await loaded.handler(input, loaded.context).then(
    () => undefined,
    (e: unknown) => e,
  );
  // By name: the handler's @mlops/common is its fresh registry's copy, not this file's.
  expect(error).toMatchObject({ name: 'InputValidationError' });
  expect((error as InputValidationError).issues.some((i) => i.path === field || i.path.startsWith(`${field}.`))).toBe(true);
  expect(loaded.mocks.s3.calls()).toHaveLength(0);
}

describe('mlops_eval handler', () => {
  it('evaluates the sample input and prints the metrics as EMF', async () => {
    new FakeBucket(loaded.mocks.s3, { sdk: loaded.sdk.s3 }).putChunks('runs/abalone-7aa1b19755/predictions/test.csv.out', '10,9\n7,8\n12,12\n');
    const printed: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    let output: unknown;
    try {
      output = await loaded.handler(sample, loaded.context);
    } finally {
      write.mockRestore();
    }

    expect(output).toMatchObject({ problemType: 'regression', rows: 3, metrics: { mse: 2 / 3, mae: 2 / 3 }, gate: { metric: 'mse', passed: true } });
    const emf = printed.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    expect(emf).toHaveLength(1);
    const { CloudWatchMetrics } = emf[0]._aws;
    expect(CloudWatchMetrics[0].Namespace).toBe('MlopsPipeline');
    expect(CloudWatchMetrics[0].Dimensions[0]).toContain('stage');
    expect(CloudWatchMetrics[0].Metrics).toEqual([
      ...['mse', 'rmse', 'mae', 'r2'].map((Name) => ({ Name, Unit: 'None' })),
      { Name: 'rows', Unit: 'Count' },
      { Name: 'gate_passed', Unit: 'Count' },
    ]);
    expect(emf[0]).toMatchObject({ stage: 'local', mse: 2 / 3, rows: 3, gate_passed: 1, runId: 'abalone-7aa1b19755' });
  });

  it('rejects wrong values of the right type by name, with zero AWS calls', async () => {
    const cases = fc.oneof(
      fc.record({ path: fc.constant('batch.transformOutput'), value: fc.string().filter((s) => !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\//.test(s)) }),
      fc.record({ path: fc.constant('run.task.problemType'), value: fc.string().filter((s) => s !== 'regression' && s !== 'classification') }),
      fc.record({ path: fc.constant('run.runId'), value: fc.stringMatching(/^[A-Z_ ]{1,10}$/) }),
      fc.record({ path: fc.constant('run.dataset.rows.test'), value: fc.oneof(fc.integer({ max: 0 }), fc.double().filter((x) => !Number.isInteger(x))) }),
      fc.record({ path: fc.constant('run.overrides.gate.metric'), value: fc.string().filter((s) => !['mse', 'rmse', 'mae', 'r2', 'accuracy', 'precision_macro', 'recall_macro', 'f1_macro'].includes(s)) }),
    );
    const withGate = setAt(sample, 'run.overrides', { gate: { metric: 'mse', threshold: 1 } });
    await fc.assert(fc.asyncProperty(cases, ({ path, value }) => expectRejected(setAt(withGate, path, value), path)));
  });
});
