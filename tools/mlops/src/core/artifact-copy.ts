/**
 * Copies a model artifact between stages' buckets: CopyObject when one S3 client reaches both (both
 * offline, or both on AWS), else GetObject streamed into PutObject.
 */
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri, s3Uri } from '@mlops/common';

export interface ArtifactCopy {
  from: { s3: S3Client; uri: string };
  to: { s3: S3Client; bucket: string; key: string };
  /** True when `from.s3` can read the target bucket too (CopyObject). */
  sameReach: boolean;
}

export async function copyArtifact({ from, to, sameReach }: ArtifactCopy): Promise<{ uri: string; method: 'copy' | 'stream' }> {
  const source = parseS3Uri(from.uri);
  const uri = s3Uri(to.bucket, to.key);
  if (sameReach) {
    await to.s3.send(new CopyObjectCommand({ Bucket: to.bucket, Key: to.key, CopySource: `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}` }));
    return { uri, method: 'copy' };
  }
  const object = await from.s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }));
  await to.s3.send(new PutObjectCommand({ Bucket: to.bucket, Key: to.key, Body: object.Body, ContentLength: object.ContentLength, ContentType: object.ContentType ?? 'application/x-gzip' }));
  return { uri, method: 'stream' };
}
