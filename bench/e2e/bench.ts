/**
 * The sample offline pipeline end to end (offline/local-stack, used read-only): stack start, the
 * run from upload to Deployed, stack stop; and where the run's time goes: the training and
 * transform processes (local SageMaker's own timestamps) against everything else (ingest,
 * orchestration, Lambda, S3, polling waits). Also the whole `pnpm pipeline --json` command.
 */
import { deployOutputOf } from '@mlops/common';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DescribeEndpointCommand, DescribeTrainingJobCommand, DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { parsePipelineArgs } from '@mlops/cli';
import { createProgressView } from '@mlops/cli';
import { runPipeline } from '@mlops/cli';
import { startLocalStack } from '@mlops/local-stack';
import { ROOT, WORK } from '../lib/paths';
import { median } from '../lib/stats';

export const E2E_TARGET_MS = 20_000;
export const OVERHEAD_TARGET_MS = 2_000;

export interface E2eRun {
  stackStartMs: number;
  stackStopMs: number;
  /** Upload to the execution's start (S3 trigger, mlops_ingest, StartExecution). */
  ingestMs: number;
  /** ExecutionStarted to ExecutionSucceeded. */
  executionMs: number;
  /** Upload to the end of runPipeline (includes the five InvokeEndpoint checks). */
  runMs: number;
  trainingProcessMs: number;
  transformProcessMs: number;
  endpointStartMs: number;
  waitMs: number;
  lambdaTaskMs: number;
  polls: Record<string, number>;
  /** Upload to Deployed minus the training and transform processes. */
  overheadMs: number;
}

export interface E2eResult {
  generatedAt: string;
  runs: E2eRun[];
  median: E2eRun;
  command: { wallMs: number[]; medianMs: number; executionWallSeconds: number[] };
  timeScale: number;
}

const ms = (date?: Date) => (date ? date.getTime() : NaN);

function sumDurations(history: HistoryEvent[], entered: string, exited: string): number {
  let total = 0;
  let start: number | undefined;
  for (const event of history) {
    if (event.type === entered) start = ms(event.timestamp);
    if (event.type === exited && start !== undefined) {
      total += ms(event.timestamp) - start;
      start = undefined;
    }
  }
  return total;
}

async function oneRun(): Promise<E2eRun> {
  const options = parsePipelineArgs([], { data: join(ROOT, 'data/abalone.csv'), outDir: join(WORK, 'e2e-reports') });
  if (options === 'help') throw new Error('unexpected');
  let t = performance.now();
  const stack = await startLocalStack({ waitScale: 1 / options.timeScale });
  const stackStartMs = performance.now() - t;
  try {
    const uploadAt = Date.now();
    const outcome = await runPipeline(stack, options, createProgressView(process.stderr, true));
    if (outcome.status !== 'SUCCEEDED' || !deployOutputOf(outcome.state)) throw new Error(`the sample run ended ${outcome.status}: ${outcome.error} ${outcome.cause}`);
    const history = outcome.history;
    const started = ms(history.find((e) => e.type === 'ExecutionStarted')?.timestamp);
    const ended = ms(history.find((e) => e.type === 'ExecutionSucceeded')?.timestamp);
    const state = outcome.state!;
    const deploy = deployOutputOf(state)!;
    const training = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: state.training!.jobName }));
    const transform = await stack.clients.sageMaker.send(new DescribeTransformJobCommand({ TransformJobName: state.batch!.transformJobName }));
    const endpoint = await stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: deploy.endpointName }));
    // SageMaker's timestamps run on the stack's emulated clock (timeScale times faster than the wall clock).
    const real = (emulatedMs: number) => emulatedMs / options.timeScale;
    const trainingProcessMs = real(ms(training.TrainingEndTime) - ms(training.TrainingStartTime ?? training.CreationTime));
    const transformProcessMs = real(ms(transform.TransformEndTime) - ms(transform.TransformStartTime ?? transform.CreationTime));
    // The endpoint's loop runs in the deploy execution the pipeline started (startExecution.sync:2).
    const deployHistory = stack.stepFunctions.executions.history(state.deployment!.ExecutionArn) as unknown as HistoryEvent[];
    const endpointPoll = (state.deployment!.Output as { endpointPoll?: { attempt?: number } } | undefined)?.endpointPoll;
    const polls = { training: state.trainingPoll?.attempt ?? 0, transform: state.transforms?.challenger.attempt ?? 0, endpoint: endpointPoll?.attempt ?? 0 };
    const run: Omit<E2eRun, 'stackStopMs'> = {
      stackStartMs,
      ingestMs: started - uploadAt,
      executionMs: ended - started,
      runMs: outcome.wallMs,
      trainingProcessMs,
      transformProcessMs,
      endpointStartMs: real(ms(endpoint.LastModifiedTime) - ms(endpoint.CreationTime)),
      waitMs: sumDurations(history, 'WaitStateEntered', 'WaitStateExited') + sumDurations(deployHistory, 'WaitStateEntered', 'WaitStateExited'),
      // The pipeline's Lambda tasks and the deploy execution's (its Deploy task in the pipeline is the nested run, not counted).
      lambdaTaskMs: sumDurations(history.filter((e) => !/^Deploy$/.test((e.stateEnteredEventDetails ?? e.stateExitedEventDetails)?.name ?? '')), 'TaskStateEntered', 'TaskStateExited') + sumDurations(deployHistory, 'TaskStateEntered', 'TaskStateExited'),
      polls,
      overheadMs: ended - uploadAt - trainingProcessMs - transformProcessMs,
    };
    t = performance.now();
    await stack.close();
    return { ...run, stackStopMs: performance.now() - t };
  } catch (error) {
    await stack.close();
    throw error;
  }
}

/** `pnpm pipeline --json` as a user runs it: the whole command's wall time. */
function pipelineCommand(): Promise<{ wallMs: number; executionWallSeconds: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli/src/pipeline/main.ts', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      if (code !== 0) return reject(new Error(`pnpm pipeline exited with ${code}: ${stderr.slice(-1500)}`));
      const summary = JSON.parse(stdout) as { execution: { wallSeconds: number } };
      resolve({ wallMs, executionWallSeconds: summary.execution.wallSeconds });
    });
  });
}

export async function runE2eBench(options: { runs: number; log?: (line: string) => void }): Promise<E2eResult> {
  const log = options.log ?? (() => undefined);
  // The first start resolves serverless.yml through the framework and caches it; not what is measured.
  await (await startLocalStack({})).close();
  const runs: E2eRun[] = [];
  for (let i = 0; i < options.runs; i++) {
    runs.push(await oneRun());
    log(`e2e: run ${i + 1}: start ${(runs.at(-1)!.stackStartMs / 1000).toFixed(1)} s, upload→deployed ${((runs.at(-1)!.ingestMs + runs.at(-1)!.executionMs) / 1000).toFixed(1)} s`);
  }
  const command: { wallMs: number; executionWallSeconds: number }[] = [];
  for (let i = 0; i < Math.max(1, Math.min(3, options.runs)); i++) {
    command.push(await pipelineCommand());
    log(`e2e: pnpm pipeline --json ${i + 1}: ${(command.at(-1)!.wallMs / 1000).toFixed(1)} s`);
  }
  const keys = Object.keys(runs[0]!) as (keyof E2eRun)[];
  const medianRun = Object.fromEntries(
    keys.map((k) => [k, k === 'polls' ? runs[0]!.polls : median(runs.map((r) => r[k] as number))]),
  ) as unknown as E2eRun;
  const args = parsePipelineArgs([], { data: join(ROOT, 'data/abalone.csv'), outDir: WORK });
  return {
    generatedAt: new Date().toISOString(),
    runs,
    median: medianRun,
    command: { wallMs: command.map((c) => c.wallMs), medianMs: median(command.map((c) => c.wallMs)), executionWallSeconds: command.map((c) => c.executionWallSeconds) },
    timeScale: args === 'help' ? 100 : args.timeScale,
  };
}
