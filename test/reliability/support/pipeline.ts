/**
 * Helpers for driving the offline stack in the reliability tests: small datasets cut from the
 * abalone sample, uploads that start runs the way AWS does, and waits that poll instead of sleeping.
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  ListModelsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { FaultHook, InjectedFault } from '@mlops/local-lambda';
import type { ExecutionSnapshot, HistoryEvent } from '@mlops/local-stepfunctions';
import { projectRoot } from '@mlops/serverless-config';
import { executionNameFor, runIdFor } from '@mlops/common';
import type { PipelineState } from '@mlops/common';
import type { LocalStack } from '@mlops/local-stack';
import { toAwsRecord } from '@mlops/local-stack';
import { sharedEsbuildOptions } from '@mlops/local-stack';

const abalone = readFileSync(join(projectRoot(), 'data/abalone.csv'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');

/** `count` abalone rows from `start` (wrapping), as a headerless CSV: distinct slices, distinct ETags. */
export function abaloneSlice(start: number, count = 300): string {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) rows.push(abalone[(start + i) % abalone.length]!);
  return `${rows.join('\n')}\n`;
}

/** Polls `probe` until it returns a value other than undefined. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The stack takes one Lambda fault hook at start; this one delegates to whatever the current test
 * sets, so one stack serves several scenarios. `attempt` counts from when the hook was set.
 */
export class SwitchableLambdaFaults implements FaultHook {
  private hook: ((functionName: string, attempt: number) => InjectedFault | undefined) | undefined;
  private counts = new Map<string, number>();
  /** Faults injected since the hook was set. */
  injected = 0;

  set(hook: (functionName: string, attempt: number) => InjectedFault | undefined): void {
    this.hook = hook;
    this.counts.clear();
    this.injected = 0;
  }

  clear(): void {
    this.hook = undefined;
  }

  before = (functionName: string): InjectedFault | undefined => {
    if (!this.hook) return undefined;
    const attempt = (this.counts.get(functionName) ?? 0) + 1;
    this.counts.set(functionName, attempt);
    const fault = this.hook(functionName, attempt);
    if (fault) this.injected++;
    return fault;
  };
}

export function functionName(stack: LocalStack, key: string): string {
  const fn = stack.resources.functions.find((f) => f.key === key);
  if (!fn) throw new Error(`no function ${key}`);
  return fn.name;
}

export interface Upload {
  key: string;
  etag: string;
  versionId?: string;
  size: number;
  runId: string;
  executionName: string;
  executionArn: string;
}

export function executionArnOf(stack: LocalStack, runId: string): string {
  return `${stack.resources.stateMachine.arn.replace(':stateMachine:', ':execution:')}:${executionNameFor(runId)}`;
}

/**
 * Upload options (S3 metadata) of every reliability dataset: a gate of mse <= 50 instead of the
 * stage's 6, and any distance from the champion, because a few hundred contiguous abalone rows do not
 * always reach 6 or beat the previous slice's model, and the quality gate is not what these tests are
 * about (the e2e tests cover it).
 */
export const LENIENT_GATE: Readonly<Record<string, string>> = { 'mlops-threshold': '50', 'mlops-tolerance': '1000' };

/** Uploads into the incoming prefix: the bucket's trigger invokes mlops_ingest, as in AWS. */
export async function upload(stack: LocalStack, name: string, body: string, metadata: Record<string, string> = LENIENT_GATE): Promise<Upload> {
  // Every upload belongs to family abalone: one endpoint, whose deploys take turns.
  const key = `${stack.incomingPrefix}abalone/${name}`;
  const put = await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body, ContentType: 'text/csv', Metadata: metadata }));
  const etag = put.ETag ?? '';
  const runId = runIdFor({ bucket: stack.bucket, key, etag });
  return {
    key,
    etag,
    ...(put.VersionId ? { versionId: put.VersionId } : {}),
    size: Buffer.byteLength(body),
    runId,
    executionName: executionNameFor(runId),
    executionArn: executionArnOf(stack, runId),
  };
}

/** The S3 event record S3 delivers for this upload (for redelivering it). */
export async function s3EventFor(stack: LocalStack, key: string): Promise<{ Records: unknown[] }> {
  const head = await stack.clients.s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key }));
  const record = toAwsRecord(
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventTime: new Date().toISOString(),
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: stack.bucket },
        object: { key, size: head.ContentLength ?? 0, eTag: (head.ETag ?? '').replace(/"/g, ''), ...(head.VersionId ? { versionId: head.VersionId } : {}), sequencer: '0' },
      },
    },
    stack.resources.region,
  );
  return { Records: [record] };
}

export interface Finished {
  upload: Upload;
  snapshot: ExecutionSnapshot;
  history: HistoryEvent[];
  /** The output, or for a failed run the input of the state it failed in. */
  state: PipelineState;
}

/** Waits for the trigger to start the upload's execution (or to reject the upload). */
export async function awaitStart(stack: LocalStack, up: Upload, timeoutMs = 60_000): Promise<'started' | { rejected: string }> {
  return waitFor(`the execution of ${up.key}`, () => {
    if (stack.stepFunctions.executions.get(up.executionArn)) return 'started' as const;
    const outcome = stack.ingestOutcome(up.key);
    if (outcome?.rejected) return { rejected: outcome.rejected };
    if (outcome?.error) return { rejected: `ingest failed: ${outcome.error}` };
    return undefined;
  }, timeoutMs);
}

export function lastStateInput(history: HistoryEvent[]): PipelineState | undefined {
  const entered = history.findLast((e) => (e.stateEnteredEventDetails as { input?: string } | undefined)?.input !== undefined);
  return entered ? (JSON.parse((entered.stateEnteredEventDetails as { input: string }).input) as PipelineState) : undefined;
}

export async function awaitFinish(stack: LocalStack, up: Upload, timeoutMs = 90_000): Promise<Finished> {
  const snapshot = await stack.stepFunctions.executions.waitForCompletion(up.executionArn, { timeoutMs });
  const history = stack.stepFunctions.executions.history(up.executionArn);
  const state = (snapshot.output as PipelineState | undefined) ?? lastStateInput(history)!;
  return { upload: up, snapshot, history, state };
}

/**
 * The deploy executions a run started (the pipeline's Deploy task, startExecution.sync:2), oldest
 * first: the child's input names its parent, so this finds a failed child too (whose ARN the
 * pipeline's state does not keep: the Catch replaced the task's result with $.error).
 */
export function deployExecutionsOf(stack: LocalStack, run: Finished): { snapshot: ExecutionSnapshot; history: HistoryEvent[] }[] {
  const deploy = stack.resources.stateMachines.deploy;
  if (!deploy) throw new Error('the stack has no deploy state machine');
  return stack.stepFunctions.executions
    .list({ stateMachineName: deploy.name })
    .filter((e) => e.parentExecutionArn === run.snapshot.executionArn)
    .reverse()
    .map((snapshot) => ({ snapshot, history: stack.stepFunctions.executions.history(snapshot.executionArn) }));
}

/** The run's one deploy execution; throws unless there is exactly one. */
export function deployExecutionOf(stack: LocalStack, run: Finished): { snapshot: ExecutionSnapshot; history: HistoryEvent[] } {
  const all = deployExecutionsOf(stack, run);
  if (all.length !== 1) throw new Error(`run ${run.upload.runId} started ${all.length} deploy executions, expected 1`);
  return all[0]!;
}

/** Upload, then follow the run to its end. Throws if the upload was rejected. */
export async function runDataset(stack: LocalStack, name: string, body: string, metadata: Record<string, string> = LENIENT_GATE): Promise<Finished> {
  const up = await upload(stack, name, body, metadata);
  const started = await awaitStart(stack, up);
  if (started !== 'started') throw new Error(`${name} was rejected: ${started.rejected}`);
  return awaitFinish(stack, up);
}

/** The states the execution entered, in order. */
export function pathOf(history: HistoryEvent[]): string[] {
  return history.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name);
}

/** SageMaker resources whose name contains the run id, through the API (List*). */
export async function resourcesOfRun(sageMaker: SageMakerClient, runId: string): Promise<{ trainingJobs: { name: string; status: string }[]; transformJobs: { name: string; status: string }[]; models: string[] }> {
  const [training, transform, models] = await Promise.all([
    sageMaker.send(new ListTrainingJobsCommand({ NameContains: runId, MaxResults: 100 })),
    sageMaker.send(new ListTransformJobsCommand({ NameContains: runId, MaxResults: 100 })),
    sageMaker.send(new ListModelsCommand({ NameContains: runId, MaxResults: 100 })),
  ]);
  return {
    trainingJobs: (training.TrainingJobSummaries ?? []).map((j) => ({ name: j.TrainingJobName!, status: j.TrainingJobStatus! })),
    transformJobs: (transform.TransformJobSummaries ?? []).map((j) => ({ name: j.TransformJobName!, status: j.TransformJobStatus! })),
    models: (models.Models ?? []).map((m) => m.ModelName!),
  };
}

/** Every key under a prefix of the stack's bucket. */
export async function keysUnder(stack: LocalStack, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await stack.clients.s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Lambda invocations that reached an execution environment, per function key. */
export function invocations(stack: LocalStack, key: string): number {
  return stack.lambda.stats()[functionName(stack, key)]?.invocations ?? 0;
}

/** The features (label dropped) of the first held-out test row of a run, as the endpoint takes them. */
export async function heldOutFeatures(stack: LocalStack, state: PipelineState): Promise<string> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.*)$/.exec(state.dataset.test)!;
  const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket!, Key: `${key}test.csv` }));
  const first = (await object.Body!.transformToString()).split('\n').find((line) => line.trim() !== '')!;
  return first.slice(first.indexOf(',') + 1);
}

/** Bundles a fixture handler with the options deployment uses (esbuild.config.cjs). */
export async function buildFixtureBundle(entry: string, outDir: string): Promise<string> {
  const root = projectRoot();
  const bundlePath = join(outDir, 'index.js');
  await build({ ...sharedEsbuildOptions(root), absWorkingDir: root, entryPoints: [entry], outfile: bundlePath, logLevel: 'error' });
  return bundlePath;
}
