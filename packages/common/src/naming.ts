import { shortHash } from './hash';

/** SageMaker resource names: `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`. */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const SAGEMAKER_NAME_MAX = 63;
/** Step Functions execution names: 1-80 characters, letters, digits, `-` and `_` are always safe. */
export const EXECUTION_NAME_MAX = 80;

function slug(text: string, max: number): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return s || 'data';
}

export interface UploadIdentity {
  bucket: string;
  key: string;
  /** ETag identifies the content, so a duplicate delivery or an identical re-upload maps to the same run. */
  etag: string;
}

/**
 * A run id derived from the upload: readable (the file's base name) and unique (a hash of
 * bucket, key and ETag). The same upload always yields the same id, which makes the Step
 * Functions execution name, and with it the whole run, idempotent.
 */
export function runIdFor(upload: UploadIdentity, parts?: readonly { key: string; etag: string }[]): string {
  const segments = upload.key.split('/');
  const file = segments.pop()!;
  // A folder dataset (its marker's key) is named after its folder, and its parts count: a new marker
  // after more parts is a new run even when the marker's bytes (usually none) are the same.
  const base = parts ? (segments.pop() ?? file) : file.replace(/\.[^.]*$/, '');
  const identity = `${upload.bucket}\n${upload.key}\n${upload.etag.replace(/"/g, '')}${(parts ?? []).map((p) => `\n${p.key}\n${p.etag.replace(/"/g, '')}`).join('')}`;
  return `${slug(base, 20)}-${shortHash(identity, 10)}`;
}

/**
 * A retraining run of an upload: its run id and the tick (`-r<yyyymmdd>t<hhmmss>`, UTC), so each tick
 * of a schedule is its own run of the same bytes, and the same tick is the same run.
 */
export function retrainRunIdFor(upload: UploadIdentity, scheduledTime: string, parts?: readonly { key: string; etag: string }[]): string {
  const tick = new Date(scheduledTime);
  if (Number.isNaN(tick.getTime())) throw new Error(`scheduledTime ${scheduledTime} is not a date`);
  const compact = tick.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').toLowerCase();
  return `${runIdFor(upload, parts)}-r${compact}`;
}

export function executionNameFor(runId: string): string {
  return runId.slice(0, EXECUTION_NAME_MAX);
}

/** An execution's ARN from its state machine's ARN and its name (the form Step Functions gives it). */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

/**
 * `<prefix>-<runId>[-<suffix>]`, kept within SageMaker's 63 characters: when too long the run
 * id is shortened and a hash of the full name keeps it unique.
 */
/**
 * The scale path's processing jobs of a run, `<prefix>-<runId>-<suffix>`: every instance profiles its
 * shard, then (after the profiles merge into the schema) every instance splits its shard.
 */
export const PROCESSING_JOB_SUFFIXES = ['profile', 'split'] as const;

export function sageMakerName(prefix: string, runId: string, suffix?: string): string {
  const tail = suffix ? `-${suffix}` : '';
  const full = `${prefix}-${runId}${tail}`;
  const name =
    full.length <= SAGEMAKER_NAME_MAX ? full : `${full.slice(0, SAGEMAKER_NAME_MAX - tail.length - 9).replace(/-+$/, '')}-${shortHash(full, 8)}${tail}`;
  if (!SAGEMAKER_NAME_PATTERN.test(name)) throw new Error(`cannot build a valid SageMaker name from '${full}'`);
  return name;
}
