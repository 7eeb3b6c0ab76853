/**
 * S3 Batch Operations over data already in S3 (a backfill, every family retrained from a manifest):
 * each task is an upload like an S3 event's, answered with the result code Batch Operations acts on.
 * A run started, or already started by an earlier delivery of the same object (the run id derives
 * from it), is Succeeded; a rejected or unusable object is a PermanentFailure with the reason, which
 * lands in the job's completion report; throttling and 5xx are a TemporaryFailure, so Batch
 * Operations retries the task; any other error fails the invocation, as for an S3 event.
 */
import {
  bucketOfTask,
  isTransient,
  isTransientS3Error,
  RETRYABLE_ERROR_NAMES,
  type BatchOperationsInvocation,
  type BatchOperationsResponse,
  type IngestOutput,
} from '@mlops/common';

export interface TaskUpload {
  bucket: string;
  key: string;
  versionId?: string;
}

export type TaskOutcome =
  | { kind: 'run'; run: IngestOutput['runs'][number] }
  | { kind: 'skipped' | 'rejected'; key: string; reason: string };

const isRetryable = (error: unknown) =>
  isTransient(error) || isTransientS3Error(error) || (error instanceof Error && (RETRYABLE_ERROR_NAMES as readonly string[]).includes(error.name));

/** Answers every task of the invocation, one at a time (each streams its object through memory-bounded passes). */
export async function answerBatchOperations(invocation: BatchOperationsInvocation, ingestOne: (upload: TaskUpload) => Promise<TaskOutcome>): Promise<BatchOperationsResponse> {
  const results: BatchOperationsResponse['results'] = [];
  for (const task of invocation.tasks) {
    const answer = (resultCode: BatchOperationsResponse['results'][number]['resultCode'], resultString: string) => results.push({ taskId: task.taskId, resultCode, resultString });
    let key: string;
    try {
      // Manifest keys are URL-encoded (RFC 3986, not the form encoding of S3 event keys, where '+' is a space).
      key = decodeURIComponent(task.s3Key);
    } catch {
      answer('PermanentFailure', `s3Key '${task.s3Key}' is not a valid URL-encoded S3 key`);
      continue;
    }
    try {
      const outcome = await ingestOne({ bucket: bucketOfTask(task), key, ...(task.s3VersionId ? { versionId: task.s3VersionId } : {}) });
      if (outcome.kind === 'run') {
        const { runId, executionArn, status } = outcome.run;
        answer('Succeeded', status === 'started' ? `started run ${runId} (${executionArn})` : `run ${runId} already exists (${executionArn})`);
      } else {
        answer('PermanentFailure', `${outcome.kind}: ${outcome.reason}`);
      }
    } catch (error) {
      if (!isRetryable(error)) throw error;
      answer('TemporaryFailure', `${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  return { invocationSchemaVersion: invocation.invocationSchemaVersion, treatMissingKeysAs: 'PermanentFailure', invocationId: invocation.invocationId, results };
}
