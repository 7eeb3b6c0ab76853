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
// The CLI takes single modules of @mlops/common: its index also loads the Lambda wiring (ESM-only middy).
import { deployOutputOf, executionArnFor, executionNameFor, familyOfKey, PipelineStateSchema, runIdFor } from '@mlops/common';
import { readLines } from '@mlops/common';
import { parseS3Uri } from '@mlops/common';
import type { PipelineState } from '@mlops/common';
import type { LocalStack } from '@mlops/local-stack';
import type { EndpointCheck } from '@mlops/report';
import { uploadMetadata, type PipelineOptions } from './args';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** Waits for the trigger's outcome: the execution it started, or the reason it rejected the upload. */
async function awaitIngestion(stack: LocalStack, key: string, executionArn: string, deadlineMs: number): Promise<{ rejection?: string }> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const outcome = stack.ingestOutcome(key);
    if (outcome?.error) return { rejection: outcome.error };
    if (outcome?.rejected) return { rejection: outcome.rejected };
    try {
      await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return {};
    } catch (error) {
      if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
    }
    await sleep(50);
  }
  return { rejection: `no execution started within ${deadlineMs / 1000}s of the upload (see the mlops_ingest logs)` };
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

export async function runPipeline(stack: LocalStack, options: PipelineOptions, progress: ProgressView): Promise<RunOutcome> {
  const startedAt = new Date();
  const key = `${stack.incomingPrefix}${options.family ? `${options.family}/` : ''}${basename(options.data)}`;
  const put = await stack.clients.s3.send(
    new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: readFileSync(options.data), ContentType: 'text/csv', Metadata: uploadMetadata(options) }),
  );
  progress.message(`uploaded ${options.data} to s3://${stack.bucket}/${key}`);
  const runId = runIdFor({ bucket: stack.bucket, key, etag: put.ETag ?? '' });
  const executionName = executionNameFor(runId);
  const executionArn = executionArnFor(stack.resources.stateMachine.arn, executionName);
  const tracker = new ExecutionTracker();
  const ofKey = familyOfKey(key, stack.incomingPrefix);
  const family = 'family' in ofKey ? ofKey.family : 'unknown';
  const base = { runId, family, key, executionName, executionArn, startedAt, tracker, history: [] as HistoryEvent[], endpointChecks: [] as EndpointCheck[] };

  const { rejection } = await awaitIngestion(stack, key, executionArn, 120_000);
  if (rejection) return { ...base, status: 'REJECTED', error: 'DatasetRejected', cause: rejection, rejection, wallMs: Date.now() - startedAt.getTime() };
  progress.message(`execution ${executionName} started`);

  let description = await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  let history: HistoryEvent[] = [];
  while (description.status === 'RUNNING') {
    await sleep(100);
    history = await fullHistory(stack, executionArn);
    tracker.update(history);
    progress.update(tracker, Date.now() - startedAt.getTime(), 'RUNNING');
    description = await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  history = await fullHistory(stack, executionArn);
  tracker.update(history);
  progress.update(tracker, Date.now() - startedAt.getTime(), description.status ?? 'UNKNOWN');
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
    wallMs: Date.now() - startedAt.getTime(),
    history,
    endpointChecks,
  };
}
