import path from 'node:path';
import { checkS3Uri, hasDotSegment, resolveInside } from '../src/s3';

describe('S3 keys and local paths', () => {
  it('finds . and .. segments, not dots inside a segment', () => {
    expect(['a/../b', '../x', 'a/./b', 'a/..', '.', 'a\\..\\b'].map(hasDotSegment)).toEqual([true, true, true, true, true, true]);
    expect(['a/b', 'v1.2/model', '..hidden/x', 'a../b', 'a/...', ''].map(hasDotSegment)).toEqual([false, false, false, false, false, false]);
  });

  it('rejects an S3 URI with dot segments as ValidationException naming the member', () => {
    let error: Error | undefined;
    try {
      checkS3Uri('s3://bucket/models/../../escaped', 'outputDataConfig.s3OutputPath');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe('ValidationException');
    expect(error?.message).toBe(
      "1 validation error detected: Value 's3://bucket/models/../../escaped' at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must not contain '.' or '..' path segments (local-sagemaker stores S3 objects as files)",
    );
    // https URIs are decoded before the check.
    expect(() => checkS3Uri('https://bucket.s3.us-east-1.amazonaws.com/a/%2E%2E/b', 'f')).toThrow(/at 'f'/);
    expect(() => checkS3Uri('s3://bucket/models/v1.0/..hidden/', 'f')).not.toThrow();
    expect(() => checkS3Uri(undefined, 'f')).not.toThrow();
  });

  it('resolves a relative path inside its folder, or refuses it', () => {
    expect(resolveInside('/data/out', 'a/b.csv.out')).toBe(path.resolve('/data/out/a/b.csv.out'));
    expect(() => resolveInside('/data/out', '../escaped.out')).toThrow('refusing to write "../escaped.out": it resolves outside /data/out');
    expect(() => resolveInside('/data/out', '/etc/passwd')).toThrow(/resolves outside/);
    expect(() => resolveInside('/data/out', '')).toThrow(/resolves outside/);
  });
});
