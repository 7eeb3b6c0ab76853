import { Arns } from '../src/arn';
import { joinS3, parseS3Uri, relativeToPrefix } from '../src/s3';
import { parseTimestamp, toWire } from '../src/wire';

describe('wire encoding', () => {
  it('encodes timestamps as fractional epoch seconds and drops undefined members', () => {
    expect(toWire({ a: new Date(1700000000123), b: undefined, c: [{ d: new Date(0) }] })).toEqual({ a: 1700000000.123, c: [{ d: 0 }] });
  });

  it('parses request timestamps as epoch seconds or ISO strings', () => {
    expect(parseTimestamp(1700000000.5)?.getTime()).toBe(1700000000500);
    expect(parseTimestamp('2025-01-01T00:00:00Z')?.getTime()).toBe(Date.UTC(2025, 0, 1));
    expect(parseTimestamp('1700000000')?.getTime()).toBe(1700000000000);
    expect(parseTimestamp('nonsense')).toBeUndefined();
  });
});

describe('ARNs', () => {
  const arns = new Arns('eu-west-1', '111122223333');
  it('are in the real format, with the name lower-cased', () => {
    expect(arns.of('training-job', 'My-Job')).toBe('arn:aws:sagemaker:eu-west-1:111122223333:training-job/my-job');
    expect(arns.of('endpoint-config', 'c')).toBe('arn:aws:sagemaker:eu-west-1:111122223333:endpoint-config/c');
    expect(new Arns('cn-north-1', '111122223333').of('model', 'm')).toBe('arn:aws-cn:sagemaker:cn-north-1:111122223333:model/m');
  });
  it('parse only this region and account', () => {
    expect(arns.parse('arn:aws:sagemaker:eu-west-1:111122223333:model/m')).toEqual({ type: 'model', name: 'm' });
    expect(arns.parse('arn:aws:sagemaker:us-east-1:111122223333:model/m')).toBeUndefined();
  });
});

describe('S3 URIs', () => {
  it('parses s3:// and https forms', () => {
    expect(parseS3Uri('s3://bucket/a/b.csv')).toEqual({ bucket: 'bucket', key: 'a/b.csv' });
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', key: '' });
    expect(parseS3Uri('https://bucket.s3.us-east-1.amazonaws.com/a/b')).toEqual({ bucket: 'bucket', key: 'a/b' });
    expect(parseS3Uri('https://s3.us-east-1.amazonaws.com/bucket/a')).toEqual({ bucket: 'bucket', key: 'a' });
    expect(() => parseS3Uri('/local/file')).toThrow();
  });
  it('joins segments and computes paths relative to a prefix folder', () => {
    expect(joinS3('s3://b/out/', 'job', 'output', 'model.tar.gz')).toBe('s3://b/out/job/output/model.tar.gz');
    expect(joinS3('s3://b', 'x.out')).toBe('s3://b/x.out');
    expect(relativeToPrefix('in/', 'in/sub/a.csv')).toBe('sub/a.csv');
    expect(relativeToPrefix('in/data', 'in/data.csv')).toBe('data.csv');
    expect(relativeToPrefix('in/data-', 'in/data-1/x.csv')).toBe('data-1/x.csv');
  });
});
