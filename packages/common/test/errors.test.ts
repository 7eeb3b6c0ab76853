/**
 * The naming rule the state machine relies on: an error's `name` (what Retry/Catch match, and what
 * survives minification) is its class name, for every error class of the shared package.
 */
import * as common from '../src';

type ErrorClass = new (message: string) => Error;
const errorClasses = Object.entries(common as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] as ErrorClass).prototype instanceof Error,
);

describe('error classes', () => {
  it('exports the pipeline error classes', () => {
    expect(errorClasses.map(([name]) => name)).toEqual(expect.arrayContaining(['MlopsError', 'DatasetError', 'SageMakerTransientError', 'S3TransientError', 'PayloadTooLargeError']));
  });

  it.each(errorClasses.filter(([name]) => name !== 'InputValidationError'))('%s has a name equal to its class name', (exported, ErrorClass) => {
    const error = new ErrorClass('message');
    expect(error.name).toBe(exported);
    expect(error).toBeInstanceOf(common.MlopsError);
  });

  it('InputValidationError names each failing field in its message', () => {
    const error = new common.InputValidationError('mlops_train input', [{ path: 'run.runId', message: 'must match' }, { path: '', message: 'bad' }]);
    expect(error.name).toBe('InputValidationError');
    expect(error.message).toBe('Invalid mlops_train input: run.runId: must match; (root): bad');
  });

  it('every retryable name is an exported error class', () => {
    const names = new Set(errorClasses.map(([name]) => name));
    for (const name of common.RETRYABLE_ERROR_NAMES) expect(names).toContain(name);
  });
});

describe('transient failures say how many attempts the SDK made', () => {
  const throttled = (attempts?: number) => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: attempts === undefined ? {} : { attempts } });

  it.each([
    [5, 'describing model m failed transiently after 5 attempts: ThrottlingException: Rate exceeded'],
    // One attempt at a retryable error: the client's retry quota was spent.
    [1, 'describing model m failed transiently after 1 attempt: ThrottlingException: Rate exceeded'],
    [undefined, 'describing model m failed transiently: ThrottlingException: Rate exceeded'],
  ])('%p attempts', async (attempts, message) => {
    const error = await common.withTransientAsRetryable('describing model m', () => Promise.reject(throttled(attempts))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(common.SageMakerTransientError);
    expect((error as Error).message).toBe(message);
  });

  it('S3 too', async () => {
    const slowDown = Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503, attempts: 3 } });
    const error = await common.withS3TransientAsRetryable('reading s3://b/k', () => Promise.reject(slowDown)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(common.S3TransientError);
    expect((error as Error).message).toBe('reading s3://b/k failed transiently after 3 attempts: SlowDown: Please reduce your request rate.');
  });
});
