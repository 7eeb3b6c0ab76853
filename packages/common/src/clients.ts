/**
 * AWS SDK v3 clients, built once per container and overridable in tests. Endpoints are left to
 * the SDK's own resolution, which honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, so the
 * same bundle talks to AWS or to the offline stack. Retries use the SDK's standard mode.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';

const maxAttempts = () => Number(process.env.AWS_MAX_ATTEMPTS ?? 5);

let s3: S3Client | undefined;
let sageMaker: SageMakerClient | undefined;
let sfn: SFNClient | undefined;

export function s3Client(): S3Client {
  // Local S3 (s3rver) has no virtual-host DNS; AWS prefers virtual-host style.
  return (s3 ??= new S3Client({ maxAttempts: maxAttempts(), forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }));
}

export function sageMakerClient(): SageMakerClient {
  return (sageMaker ??= new SageMakerClient({ maxAttempts: maxAttempts() }));
}

export function sfnClient(): SFNClient {
  return (sfn ??= new SFNClient({ maxAttempts: maxAttempts() }));
}
