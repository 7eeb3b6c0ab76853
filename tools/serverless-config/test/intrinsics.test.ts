import { evaluateIntrinsics, functionKeyOfLogicalId, functionLogicalId } from '../src';

const ctx = {
  region: 'us-east-1',
  accountId: '000000000000',
  ref: (id: string) => `ref:${id}`,
  getAtt: (id: string, attr: string) => `att:${id}.${attr}`,
};

describe('evaluateIntrinsics', () => {
  it('evaluates Ref, GetAtt (both forms), Sub with pseudo parameters and variables, and Join', () => {
    expect(
      evaluateIntrinsics(
        {
          a: { Ref: 'Bucket' },
          b: { 'Fn::GetAtt': ['Role', 'Arn'] },
          c: { 'Fn::GetAtt': 'Role.Arn' },
          d: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::x-${AWS::AccountId}-${AWS::Region}/${Bucket}' },
          e: { 'Fn::Sub': ['${X}-${Role.Arn}', { X: { Ref: 'AWS::Region' } }] },
          f: { 'Fn::Join': ['-', ['a', { Ref: 'Bucket' }]] },
          g: [1, 'plain', { nested: { Ref: 'AWS::AccountId' } }],
        },
        ctx,
      ),
    ).toEqual({
      a: 'ref:Bucket',
      b: 'att:Role.Arn',
      c: 'att:Role.Arn',
      d: 'arn:aws:s3:::x-000000000000-us-east-1/ref:Bucket',
      e: 'us-east-1-att:Role.Arn',
      f: 'a-ref:Bucket',
      g: [1, 'plain', { nested: '000000000000' }],
    });
  });
});

describe('logical ids', () => {
  it('follow the framework normalization and invert over known keys', () => {
    expect(functionLogicalId('mlops_train')).toBe('MlopsUnderscoretrainLambdaFunction');
    expect(functionLogicalId('my-fn')).toBe('MyDashfnLambdaFunction');
    expect(functionKeyOfLogicalId('MlopsUnderscoreevalLambdaFunction', ['mlops_train', 'mlops_eval'])).toBe('mlops_eval');
    expect(functionKeyOfLogicalId('Nope', ['mlops_train'])).toBeUndefined();
  });
});
