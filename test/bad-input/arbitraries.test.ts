/**
 * The malformed-event generator and sweep are only as good as their failures: a handler that
 * accepts a broken field, calls AWS first, or names another field must make the sweep fail.
 */
import fc from 'fast-check';
import { AwaitInputSchema, PipelineInputSchema } from '@mlops/common';
import { validateInput } from '@mlops/common';
import { REMOVE, malformedEvents, mutate, namesPath, sweepViolations, violationsOf, type SdkMock } from '@mlops/testing';

const sample = { kind: 'training', name: 'mlops-local-abalone-7aa1b19755-train', attempt: 3 };

function fakeMock(): SdkMock & { send(): void } {
  let calls: unknown[] = [];
  return { calls: () => calls, resetHistory: () => void (calls = []), send: () => void calls.push('call') };
}

describe('malformed event generator', () => {
  it('derives the violations from the contract, optional fields included', () => {
    const kinds = violationsOf(AwaitInputSchema, sample).map((v) => `${v.path.join('.') || '(root)'}: ${v.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        '(root): wrong type',
        'kind: missing',
        'kind: not in the enum',
        'name: not matching /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/',
        'attempt: not an integer',
        'attempt: below 0',
        'expectedConfigName: wrong type',
      ]),
    );
    // attempt has a default: leaving it out is valid, so it is never "missing".
    expect(kinds).not.toContain('attempt: missing');
  });

  it('generates only events the contract refuses, each naming the mutated path (property)', () => {
    const run = { family: 'abalone', runId: 'abalone-7aa1b19755', source: { bucket: 'mlops-local-data', key: 'incoming/a.csv', etag: 'e' }, runPrefix: 's3://mlops-local-data/runs/a/', dataset: { train: 's3://mlops-local-data/t/', validation: 's3://mlops-local-data/v/', test: 's3://mlops-local-data/x/', schema: 's3://mlops-local-data/s.json', rows: { train: 1, validation: 0, test: 1 }, featureCount: 1 }, task: { problemType: 'regression', target: 'rings' }, overrides: {} };
    expect(PipelineInputSchema.safeParse(run).success).toBe(true);
    fc.assert(
      fc.property(malformedEvents(PipelineInputSchema, run), ({ event, path, kind }) => {
        const result = PipelineInputSchema.safeParse(event) as { success: boolean; error?: { issues: { path: PropertyKey[] }[] } };
        if (result.success) throw new Error(`${path} ${kind}: ${JSON.stringify(event)} was accepted`);
        expect(namesPath(result.error!.issues.map((i) => ({ path: i.path.map(String).join('.') })), path)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('creates missing parents and removes fields', () => {
    expect(mutate({ a: 1 }, ['b', 'c', '0'], 'x')).toEqual({ a: 1, b: { c: ['x'] } });
    expect(mutate({ a: 1, b: 2 }, ['b'], REMOVE)).toEqual({ a: 1 });
    expect(mutate({ a: 1 }, [], 'x')).toBe('x');
  });
});

describe('violation sweep', () => {
  const strict = async (event: unknown) => validateInput(AwaitInputSchema, event, 'mlops_await input');

  it('passes a handler that validates before anything else', async () => {
    await expect(sweepViolations({ name: 'mlops_await', handler: strict, schema: AwaitInputSchema, sample, mocks: { sm: fakeMock() }, runsPerViolation: 2 })).resolves.toBeDefined();
  });

  it('fails a handler that accepts a broken field', async () => {
    const lenient = async (event: unknown) => {
      const { expectedConfigName: _ignored, ...rest } = (event ?? {}) as Record<string, unknown>;
      return validateInput(AwaitInputSchema, typeof event === 'object' && event !== null && !Array.isArray(event) ? rest : event, 'mlops_await input');
    };
    await expect(sweepViolations({ name: 'mlops_await', handler: lenient, schema: AwaitInputSchema, sample, mocks: {}, runsPerViolation: 2 })).rejects.toThrow(/expectedConfigName' = .*: the handler accepted it/);
  });

  it('fails a handler that calls AWS before validating', async () => {
    const mock = fakeMock();
    const early = async (event: unknown) => {
      mock.send();
      return strict(event);
    };
    await expect(sweepViolations({ name: 'mlops_await', handler: early, schema: AwaitInputSchema, sample, mocks: { sageMaker: mock }, runsPerViolation: 2 })).rejects.toThrow(/1 sageMaker call\(s\) before the rejection/);
  });

  it('fails a handler whose error does not name the field', async () => {
    const vague = async (event: unknown) => {
      if (!AwaitInputSchema.safeParse(event).success) throw Object.assign(new Error('Invalid mlops_await input: bad'), { name: 'InputValidationError', issues: [{ path: 'somewhere.else', message: 'bad' }] });
    };
    await expect(sweepViolations({ name: 'mlops_await', handler: vague, schema: AwaitInputSchema, sample, mocks: {}, runsPerViolation: 2 })).rejects.toThrow(/the issues name/);
  });
});
