/**
 * Drives the S3 trigger exactly as serverless.yml configures it: the bucket's
 * NotificationConfiguration (event type, prefix and suffix rules, target function).
 */
import type { ResolvedServerlessConfig } from '@mlops/serverless-config';

export interface S3TriggerRoute {
  bucketLogicalId: string;
  event: string; // e.g. s3:ObjectCreated:*
  prefix: string;
  suffix: string;
  functionLogicalId: string;
}

interface LambdaConfiguration {
  Event: string;
  Function: unknown;
  Filter?: { S3Key?: { Rules?: { Name: string; Value: string }[] } };
}

export function s3TriggerRoutes(config: ResolvedServerlessConfig): S3TriggerRoute[] {
  const routes: S3TriggerRoute[] = [];
  for (const [logicalId, resource] of Object.entries(config.resources.Resources)) {
    if (resource.Type !== 'AWS::S3::Bucket') continue;
    const notifications = (resource.Properties?.NotificationConfiguration as { LambdaConfigurations?: LambdaConfiguration[] } | undefined)?.LambdaConfigurations ?? [];
    for (const n of notifications) {
      const rules = n.Filter?.S3Key?.Rules ?? [];
      const rule = (name: string) => rules.find((r) => r.Name.toLowerCase() === name)?.Value ?? '';
      const target = n.Function as { 'Fn::GetAtt'?: [string, string] };
      if (!target['Fn::GetAtt']) throw new Error(`${logicalId}: notification target must be Fn::GetAtt of a function`);
      routes.push({ bucketLogicalId: logicalId, event: n.Event, prefix: rule('prefix'), suffix: rule('suffix'), functionLogicalId: target['Fn::GetAtt'][0] });
    }
  }
  return routes;
}

/** `s3:ObjectCreated:*` matches `ObjectCreated:Put`, as S3 does. */
export function eventMatches(pattern: string, eventName: string): boolean {
  const wanted = pattern.replace(/^s3:/, '');
  return wanted.endsWith(':*') ? eventName.startsWith(wanted.slice(0, -1)) : wanted === eventName;
}

export function routeMatches(route: S3TriggerRoute, eventName: string, key: string): boolean {
  return eventMatches(route.event, eventName) && key.startsWith(route.prefix) && key.endsWith(route.suffix);
}

/** S3 event notifications carry keys URL-encoded as form data (space → `+`); s3rver sends them raw. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string; arn?: string }; object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string } };
  [k: string]: unknown;
}

/** Makes an s3rver event record look like the one S3 delivers to Lambda. */
export function toAwsRecord(record: S3EventRecord, region: string): S3EventRecord {
  return {
    ...record,
    awsRegion: region,
    s3: {
      ...record.s3,
      bucket: { ...record.s3.bucket, arn: `arn:aws:s3:::${record.s3.bucket.name}` },
      object: { ...record.s3.object, key: encodeS3EventKey(record.s3.object.key) },
    },
  };
}
