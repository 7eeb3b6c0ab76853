/** Run records: `s3://<DataBucketName>/<RunsPrefix><runId>/run.json` (RunRecordSchema). */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { isMissingS3Object, RunRecordSchema, type RunRecord, type StageOutputs } from '@mlops/common';
import { OperationError } from '../errors';
import { mapLimit } from './concurrency';

export const runRecordKey = (outputs: StageOutputs, runId: string) => `${outputs.RunsPrefix}${runId}/run.json`;

/** Every `<RunsPrefix><runId>/run.json` key (all pages). */
export async function listRunRecordKeys(s3: S3Client, outputs: StageOutputs): Promise<string[]> {
  const keys: string[] = [];
  const escaped = outputs.RunsPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}[^/]+/run\\.json$`);
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: outputs.DataBucketName, Prefix: outputs.RunsPrefix, ContinuationToken }));
    for (const object of page.Contents ?? []) if (object.Key && pattern.test(object.Key)) keys.push(object.Key);
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString());
}

/** A run's record, or undefined when the run has none (yet). */
export async function findRunRecord(s3: S3Client, outputs: StageOutputs, runId: string): Promise<RunRecord | undefined> {
  try {
    return RunRecordSchema.parse(await readJson(s3, outputs.DataBucketName, runRecordKey(outputs, runId)));
  } catch (error) {
    if (isMissingS3Object(error)) return undefined;
    throw error;
  }
}

export async function readRunRecord(s3: S3Client, outputs: StageOutputs, runId: string, stage: string): Promise<RunRecord> {
  const record = await findRunRecord(s3, outputs, runId);
  if (!record) throw new OperationError('run-not-found', `run '${runId}' has no record on stage '${stage}' (s3://${outputs.DataBucketName}/${runRecordKey(outputs, runId)}); see \`pnpm mlops runs --stage ${stage}\``);
  return record;
}

export interface RunQuery {
  family?: string;
  limit: number;
}

/** The newest runs first (by finishedAt); records that do not parse are skipped and counted. */
export async function recentRuns(s3: S3Client, outputs: StageOutputs, query: RunQuery): Promise<{ runs: RunRecord[]; unreadable: string[] }> {
  const keys = await listRunRecordKeys(s3, outputs);
  const unreadable: string[] = [];
  const records = await mapLimit(keys, 8, async (key) => {
    try {
      const parsed = RunRecordSchema.safeParse(await readJson(s3, outputs.DataBucketName, key));
      if (parsed.success) return parsed.data;
    } catch (error) {
      if (!(error instanceof SyntaxError) && !isMissingS3Object(error)) throw error;
    }
    unreadable.push(key);
    return undefined;
  });
  const runs = records
    .filter((r): r is RunRecord => r !== undefined && (query.family === undefined || r.family === query.family))
    .sort((a, b) => Date.parse(b.finishedAt) - Date.parse(a.finishedAt))
    .slice(0, query.limit);
  return { runs, unreadable };
}
