import { decodeS3EventKey, executionArnFor, joinKey, parseS3Uri, runIdFor, s3Uri, SAGEMAKER_NAME_PATTERN, sageMakerName } from '../src';

describe('run ids and names', () => {
  const upload = { bucket: 'mlops-local-data', key: 'incoming/abalone.csv', etag: '"abc"' };

  it('derives the same run id from the same upload, quotes around the ETag or not', () => {
    expect(runIdFor(upload)).toBe(runIdFor({ ...upload, etag: 'abc' }));
    expect(runIdFor(upload)).toMatch(/^abalone-[0-9a-f]{10}$/);
  });

  it('gives another run id to another ETag or key', () => {
    expect(runIdFor({ ...upload, etag: 'abd' })).not.toBe(runIdFor(upload));
    expect(runIdFor({ ...upload, key: 'incoming/x/abalone.csv' })).not.toBe(runIdFor(upload));
  });

  it('keeps SageMaker names within 63 characters and unique when it shortens them', () => {
    const long = 'a'.repeat(70);
    const a = sageMakerName('mlops-local', `${long}1`, 'train');
    const b = sageMakerName('mlops-local', `${long}2`, 'train');
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
      expect(name.endsWith('-train')).toBe(true);
    }
    expect(a).not.toBe(b);
    expect(sageMakerName('mlops-local', 'abalone-1', 'train')).toBe('mlops-local-abalone-1-train');
  });

  it('builds the execution ARN Step Functions gives an execution', () => {
    expect(executionArnFor('arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-pipeline', 'abalone-1')).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:abalone-1',
    );
  });
});

describe('S3 URIs and keys', () => {
  it('parses and formats s3:// URIs, and names a bad one', () => {
    expect(parseS3Uri('s3://mlops-local-data/runs/a/')).toEqual({ bucket: 'mlops-local-data', key: 'runs/a/' });
    expect(s3Uri('b-1', 'k')).toBe('s3://b-1/k');
    expect(() => parseS3Uri('/tmp/x')).toThrow("not an S3 URI: '/tmp/x'");
  });

  it('joins key segments with single slashes, keeping a trailing one', () => {
    expect(joinKey('runs/', '/a/', 'data/')).toBe('runs/a/data/');
    expect(joinKey('runs', 'a', 'schema.json')).toBe('runs/a/schema.json');
  });

  it('decodes event keys: + is a space, then percent-escapes', () => {
    expect(decodeS3EventKey('incoming/my+file%2B1.csv')).toBe('incoming/my file+1.csv');
  });
});
