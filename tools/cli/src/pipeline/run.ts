/**
 * One offline pipeline run, started the way it starts in AWS: upload the dataset into the incoming
 * prefix; the S3 trigger invokes mlops_ingest, which starts the execution; then follow it to the end,
 * check the endpoint with held-out rows, and write the report.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { setTimeout as delay } from 'node:timers/promises';
import {
  deployOutputOf,
  executionArnFor,
  executionNameFor,
  familyOfKey,
  IngestConfigSchema,
  isMissingS3Object,
  parseS3Uri,
  PipelineStateSchema,
  readLines,
  runIdFor,
  type PipelineState,
  RejectionRecordSchema,
} from '@mlops/common';
import type { LocalStack } from '@mlops/local-stack';
import type { EndpointCheck } from '@mlops/report';
import { uploadMetadata, uploadName, type PipelineOptions } from './args';
import type { ProgressView } from './progress';
import { ExecutionTracker } from './tracker';

export interface RunOutcome {
  /** The run's id (from bucket, key and ETag: the same upload is the same run id) and its family. */
  runId: string;
  family: string;
  /** Where the dataset was uploaded. */
  key: string;
  executionName: string;
  executionArn: string;
  /** The execution's status; REJECTED when mlops_ingest rejected the dataset, INGEST_FAILED when it failed, with no execution either way. */
  status: string;
  error?: string;
  cause?: string;
  state?: PipelineState;
  startedAt: Date;
  stoppedAt?: Date;
  wallMs: number;
  tracker: ExecutionTracker;
  history: HistoryEvent[];
  endpointChecks: EndpointCheck[];
  rejection?: string;
}

/** Thrown by runPipeline when its signal aborts (Ctrl-C): main closes the stack and exits 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** A sleep that Ctrl-C cuts short. */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    throw signal?.aborted ? new InterruptedError('interrupted') : error;
  }
}

async function fullHistory(stack: LocalStack, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await stack.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: true }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** What the S3 trigger's mlops_ingest did with the upload. */
export type IngestionResult = { executionArn: string } | { rejection: string } | { ingestFailure: string };

/**
 * How long mlops_ingest may take at most: every attempt Lambda makes of the asynchronous invocation (each up to
 * the function's timeout plus Lambda's 10 s init limit, on the real clock) and the retry intervals between them
 * (60 s and 120 s, on the stack's scaled clock), plus a margin. A big upload may need all of it; a fixed two minutes was too short.
 */
export function ingestionDeadlineMs(fn: { timeoutSeconds: number; asyncConfig: { maximumRetryAttempts: number } } | undefined, timeScale: number): number {
  if (!fn) return 120_000;
  const attempts = 1 + fn.asyncConfig.maximumRetryAttempts;
  return attempts * (fn.timeoutSeconds + 10) * 1000 + ((60 + 120) * 1000) / timeScale + 30_000;
}

/**
 * Waits for the trigger's outcome: the execution mlops_ingest started, or why it started none. A rejection is
 * taken from the record ingest writes (`<RUNS_PREFIX>rejected/<runId>.json`) as soon as it exists, before the
 * invocation has even returned; a skipped upload or a failed invocation ends the wait at once.
 */
export async function awaitIngestion(
  stack: Pick<LocalStack, 'bucket' | 'clients' | 'ingestOutcome'>,
  upload: { key: string; runId: string; executionArn: string; rejectedKey: string },
  options: { deadlineMs: number; signal?: AbortSignal; pollMs?: number },
): Promise<IngestionResult> {
  const until = Date.now() + options.deadlineMs;
  for (;;) {
    const outcome = stack.ingestOutcome(upload.key, stack.bucket);
    if (outcome?.error) return { ingestFailure: outcome.error };
    if (outcome?.rejected) return { rejection: outcome.rejected };
    const run = outcome?.result?.runs.find((r) => r.runId === upload.runId);
    if (run) return { executionArn: run.executionArn };
    const skipped = outcome?.result?.skipped.find((s) => s.key === upload.key);
    if (skipped) return { rejection: `mlops_ingest skipped the upload: ${skipped.reason}` };
    const rejected = await readRejection(stack, upload);
    if (rejected) return { rejection: rejected };
    try {
      await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn: upload.executionArn }));
      return { executionArn: upload.executionArn };
    } catch (error) {
      if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
    }
    if (outcome) return { ingestFailure: `mlops_ingest returned without a run or a reason for ${upload.key}` };
    if (Date.now() >= until) {
      return { ingestFailure: `mlops_ingest neither started an execution nor rejected the upload within ${Math.round(options.deadlineMs / 1000)} s (see its logs)` };
    }
    await sleep(options.pollMs ?? 100, options.signal);
  }
}

/** The reason in ingest's rejection record for this upload, once it is written. */
async function readRejection(stack: Pick<LocalStack, 'bucket' | 'clients'>, upload: { key: string; rejectedKey: string }): Promise<string | undefined> {
  try {
    const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: upload.rejectedKey }));
    const record = RejectionRecordSchema.safeParse(JSON.parse(await object.Body!.transformToString()));
    return record.success && record.data.key === upload.key ? record.data.reason : undefined;
  } catch (error) {
    if (isMissingS3Object(error)) return undefined;
    throw error;
  }
}

/** Sends a few held-out test rows (label first) to the endpoint and pairs predictions with labels. */
async function checkEndpoint(stack: LocalStack, state: PipelineState, rows = 5): Promise<EndpointCheck[]> {
  const test = parseS3Uri(state.dataset.test);
  const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: test.bucket, Key: `${test.key}test.csv` }));
  const lines: string[] = [];
  for await (const line of readLines(object.Body as AsyncIterable<Uint8Array>)) {
    if (line.trim()) lines.push(line);
    if (lines.length === rows) break;
  }
  const endpointName = deployOutputOf(state)!.endpointName;
  const classes = state.task.classes;
  return Promise.all(
    lines.map(async (line) => {
      const comma = line.indexOf(',');
      const features = line.slice(comma + 1);
      const response = await stack.clients.runtime.send(new InvokeEndpointCommand({ EndpointName: endpointName, ContentType: 'text/csv', Accept: 'text/csv', Body: Buffer.from(features) }));
      const predicted = new TextDecoder().decode(response.Body).trim();
      const label = line.slice(0, comma);
      const name = (index: string) => (classes ? (classes[Math.round(Number(index))] ?? index) : index);
      return { features, actual: name(label), predicted: classes ? name(predicted) : predicted };
    }),
  );
}

/** A failed execution has no output; the state document it failed with is the last state's input. */
function lastStateInput(history: HistoryEvent[]): PipelineState | undefined {
  const entered = history.findLast((e) => e.stateEnteredEventDetails?.input);
  return entered ? PipelineStateSchema.parse(JSON.parse(entered.stateEnteredEventDetails!.input!)) : undefined;
}

/** The function the S3 trigger invokes (serverless.yml's key), whose environment and limits the wait reads. */
const INGEST_FUNCTION = 'mlops_ingest';

export async function runPipeline(stack: LocalStack, options: PipelineOptions, progress: ProgressView, signal?: AbortSignal): Promise<RunOutcome> {
  const startedAt = new Date();
  const name = uploadName(options.data);
  const key = `${stack.incomingPrefix}${options.family ? `${options.family}/` : ''}${name}`;
  const put = await stack.clients.s3.send(
    new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: readFileSync(options.data), ContentType: 'text/csv', Metadata: uploadMetadata(options) }),
  );
  const renamed = name === basename(options.data) ? '' : ` (renamed: runs start only for keys ending in .csv)`;
  progress.message(`uploaded ${options.data} to s3://${stack.bucket}/${key}${renamed}`);
  const runId = runIdFor({ bucket: stack.bucket, key, etag: put.ETag ?? '' });
  const tracker = new ExecutionTracker();
  const ofKey = familyOfKey(key, stack.incomingPrefix);
  const family = 'family' in ofKey ? ofKey.family : 'unknown';
  const elapsed = () => Date.now() - startedAt.getTime();

  const ingest = stack.resources.functions.find((f) => f.key === INGEST_FUNCTION);
  const runsPrefix = ingest?.environment.RUNS_PREFIX ?? IngestConfigSchema.shape.RUNS_PREFIX.parse(undefined);
  const endIngestion = progress.step(`${INGEST_FUNCTION}: profiling and splitting the upload, starting the execution`);
  let ingestion: IngestionResult;
  try {
    ingestion = await awaitIngestion(
      stack,
      { key, runId, executionArn: executionArnFor(stack.resources.stateMachine.arn, executionNameFor(runId)), rejectedKey: `${runsPrefix}rejected/${runId}.json` },
      { deadlineMs: ingestionDeadlineMs(ingest, options.timeScale), signal },
    );
  } finally {
    endIngestion();
  }
  const executionArn = 'executionArn' in ingestion ? ingestion.executionArn : executionArnFor(stack.resources.stateMachine.arn, executionNameFor(runId));
  const executionName = executionArn.slice(executionArn.lastIndexOf(':') + 1);
  const base = { runId, family, key, executionName, executionArn, startedAt, tracker, history: [] as HistoryEvent[], endpointChecks: [] as EndpointCheck[] };
  if ('rejection' in ingestion) {
    const { rejection } = ingestion;
    return { ...base, status: 'REJECTED', error: 'DatasetRejected', cause: rejection, rejection, wallMs: elapsed() };
  }
  if ('ingestFailure' in ingestion) return { ...base, status: 'INGEST_FAILED', error: 'IngestFailed', cause: ingestion.ingestFailure, wallMs: elapsed() };
  progress.message(`execution ${executionName} started`);
  progress.follow(stack.resources.stateMachine.definition);

  let description = await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  let history: HistoryEvent[] = [];
  while (description.status === 'RUNNING') {
    await sleep(100, signal);
    history = await fullHistory(stack, executionArn);
    tracker.update(history);
    progress.update(tracker, elapsed(), 'RUNNING', history);
    description = await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  history = await fullHistory(stack, executionArn);
  tracker.update(history);
  progress.update(tracker, elapsed(), description.status ?? 'UNKNOWN', history);
  progress.done();

  const state = description.output ? PipelineStateSchema.parse(JSON.parse(description.output)) : lastStateInput(history);
  const endpointChecks = description.status === 'SUCCEEDED' && state && deployOutputOf(state) ? await checkEndpoint(stack, state) : [];
  return {
    ...base,
    status: description.status ?? 'UNKNOWN',
    error: description.error,
    cause: description.cause,
    state,
    stoppedAt: description.stopDate,
    wallMs: elapsed(),
    history,
    endpointChecks,
  };
}
