/** The local account every offline resource lives in. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** Dummy credentials: the local services accept any key and any well-formed signature; the SDK just needs something to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function lambdaArn(functionName: string, region = LOCAL_REGION): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
}

export function stateMachineArn(name: string, region = LOCAL_REGION): string {
  return `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
}

export function roleArn(logicalId: string, service: string, stage: string): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${service}-${stage}-${logicalId}`;
}
