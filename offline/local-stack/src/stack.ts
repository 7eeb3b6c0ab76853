/**
 * The offline AWS stack, wired from serverless.yml's `local` stage: s3rver (with the bucket's S3
 * trigger), the local SageMaker, the local Lambda runtime running the deployment bundles, and the
 * local Step Functions service running statemachines/pipeline.asl.yml. Everything listens on
 * 127.0.0.1 and `close()` stops every process and port it opened.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createLocalLambda, LambdaFunctionError, LambdaServiceError, statesErrorOf, type FaultHook, type LocalLambda } from '@mlops/local-lambda';
import { startLocalSageMaker } from '@mlops/local-sagemaker';
import { startLocalStepFunctions, type LocalStepFunctions } from '@mlops/local-stepfunctions';
import { functionKeyOfLogicalId, printServerlessConfig, projectRoot } from '@mlops/serverless-config';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS } from './account';
import { buildFunctionBundles, type FunctionBundle } from './bundles';
import { startLocalS3 } from './local-s3';
import { continuedClock, emulatedClock } from './signing-clock';
import { reapProcesses, StackState, type StackRestoreReport } from './stack-state';
import { resolveLocalResources, type LocalResources } from './resources';
import { startS3FaultProxies, type S3FaultConfig, type S3FaultController } from './s3-faults';
import { routeMatches, s3TriggerRoutes, toAwsRecord } from './s3-trigger';

type LocalSageMaker = Awaited<ReturnType<typeof startLocalSageMaker>>;

export interface LocalStackOptions {
  stage?: string;
  root?: string;
  /**
   * Real seconds per emulated second (default 0.01: time runs 100x faster). Step Functions' Wait
   * states and Retry intervals sleep that fraction of their seconds, and the SageMaker and Lambda
   * clocks run at the inverse rate, so elapsed times, deadlines and the poll policy's decisions are
   * those of an AWS run whose waits took their full length.
   */
  waitScale?: number;
  /** Keep data in this folder (`pnpm local:up`); by default a temporary folder removed on close. */
  workDir?: string;
  ports?: { s3?: number; sagemaker?: number; stepfunctions?: number };
  lambdaFaults?: FaultHook;
  onLog?: (source: string, line: string) => void;
  /**
   * Test-only: environment variables set over serverless.yml's, per function key (`mlops_await`),
   * e.g. deadlines short enough for a test. They win over the stack's own (endpoints, credentials).
   */
  functionEnvironment?: Record<string, Record<string, string>>;
  /**
   * Test-only: run another bundle for a function (e.g. a wrapper that injects crashes), optionally
   * with another timeout. Keyed by function key; the function keeps its name, role in the state
   * machine and environment.
   */
  bundleOverrides?: Record<string, { bundlePath: string; handlerExport?: string; timeoutSeconds?: number }>;
  /**
   * Transient S3 faults: with this option the functions (and so `environment`) and the local
   * SageMaker reach s3rver through a fault-injecting proxy (see s3-faults.ts), configured by this
   * and by `stack.s3Faults` at run time; `{}` starts it with no faults. The stack's own client
   * (`clients.s3`, used for uploads) always talks to the local S3 directly. Without the option (the
   * default) nothing goes through a proxy.
   */
  s3Faults?: S3FaultConfig;
  /** Local SageMaker timings (its defaults: health check 60 s, stop grace 10 s). */
  sageMakerTimings?: { healthCheckTimeoutMs?: number; stopGracePeriodMs?: number };
}

export interface IngestOutcome {
  key: string;
  result?: { runs: { runId: string; executionArn: string; status: string }[]; skipped: { key: string; reason: string }[]; rejected?: { key: string; reason: string }[] };
  rejected?: string;
  error?: string;
}

export interface LocalStack {
  root: string;
  workDir: string;
  resources: LocalResources;
  bundles: FunctionBundle[];
  bucket: string;
  incomingPrefix: string;
  endpoints: { s3: string; sagemaker: string; stepfunctions: string };
  /** AWS_ENDPOINT_URL_* and friends, for the AWS CLI and `sls invoke local`. */
  environment: Record<string, string>;
  clients: { s3: S3Client; sfn: SFNClient; sageMaker: SageMakerClient; runtime: SageMakerRuntimeClient };
  sageMaker: LocalSageMaker;
  stepFunctions: LocalStepFunctions;
  lambda: LocalLambda;
  /** What a persistent stack took back from the previous one on its folder, if there was one. */
  restored?: StackRestoreReport;
  /** The S3 fault proxy's controller, when the stack started with `s3Faults`. */
  s3Faults?: S3FaultController;
  /** What the S3 trigger's last ingest invocation for this key returned. */
  ingestOutcome(key: string): IngestOutcome | undefined;
  /** Resolves when every S3-triggered invocation started so far has finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const execFileAsync = promisify(execFile);

/** The folders whose `build.mjs` makes the programs of an image the local SageMaker runs (images.local.json). */
const LOCAL_IMAGES = ['containers/model', 'offline/sagemaker-xgboost'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds an image's programs, as a docker build would, unless dist/ is newer than every source
 * file (a build costs about half a second, and most starts change nothing).
 */
async function buildLocalImage(root: string, folder: string): Promise<void> {
  const dir = join(root, folder);
  const dist = join(dir, 'dist');
  if (existsSync(dist) && newestMtime(dist) > Math.max(newestMtime(join(dir, 'src')), statSync(join(dir, 'build.mjs')).mtimeMs)) return;
  await execFileAsync(process.execPath, [join(dir, 'build.mjs')], { cwd: dir });
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const root = options.root ?? projectRoot();
  const stage = options.stage ?? 'local';
  const persistent = options.workDir !== undefined;
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'mlops-local-'));
  mkdirSync(workDir, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
    if (!persistent) rmSync(workDir, { recursive: true, force: true });
  };

  try {
    // A persistent stack takes back what the previous one held (stack-state.ts): refused while that
    // one still runs; its leftover containers are reaped before anything starts.
    const stackState = persistent ? new StackState(join(workDir, 'state')) : undefined;
    const previous = stackState?.previous;
    const reapedProcesses = previous?.sageMaker ? reapProcesses(previous.sageMaker.processes) : [];
    if (stackState) closers.push(async () => stackState.close());
    const config = await printServerlessConfig(stage, root);
    const resources = resolveLocalResources(config);
    for (const [option, keys] of [['functionEnvironment', options.functionEnvironment], ['bundleOverrides', options.bundleOverrides]] as const) {
      const unknown = Object.keys(keys ?? {}).filter((key) => !resources.functions.some((f) => f.key === key));
      if (unknown.length) throw new Error(`${option}: no function ${unknown.join(', ')} in serverless.yml (functions: ${resources.functions.map((f) => f.key).join(', ')})`);
    }
    const [bundles] = await Promise.all([buildFunctionBundles(root, config.functions, join(workDir, 'build')), ...LOCAL_IMAGES.map((folder) => buildLocalImage(root, folder))]);
    const region = resources.region;
    const credentials = LOCAL_CREDENTIALS;

    // One emulated clock for SageMaker and the functions, at the rate the waits are scaled; S3 answers
    // the functions on it (signing-clock.ts).
    const waitScale = options.waitScale ?? 0.01;
    const clock = continuedClock(1 / waitScale, previous?.emulatedNow);
    const functionsClock = emulatedClock(clock);

    // S3 (local-s3.ts: s3rver behind a front that takes any credentials and any key S3 takes)
    const localS3 = await startLocalS3({ directory: join(workDir, 's3'), port: options.ports?.s3, clock: functionsClock });
    closers.push(() => localS3.close());
    const s3Endpoint = localS3.endpoint;
    // The stack's own client (setup, uploads, the CLI) always talks to the S3 front directly.
    const s3 = new S3Client({ endpoint: s3Endpoint, forcePathStyle: true, region, credentials });
    const s3Proxies = options.s3Faults ? await startS3FaultProxies(s3Endpoint, options.s3Faults, functionsClock) : undefined;
    if (s3Proxies) closers.push(() => s3Proxies.close());
    for (const bucket of Object.values(resources.buckets)) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: Error) => {
        if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
      });
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } })).catch(() => undefined);
    }

    // SageMaker
    const sageMaker = await startLocalSageMaker({
      clockRate: clock.rate,
      clockEpochMs: clock.epochMs,
      port: options.ports?.sagemaker ?? 0,
      workDir: join(workDir, 'sagemaker'),
      s3: { endpoint: s3Proxies?.sageMakerEndpoint ?? s3Endpoint, region, credentials },
      imageRegistry: join(root, 'offline/local-stack/images.local.json'),
      region,
      accountId: LOCAL_ACCOUNT_ID,
      ...options.sageMakerTimings,
      restore: previous?.sageMaker,
      onProcessesChanged: () => stackState?.saveNow(),
    });
    closers.push(() => sageMaker.close());

    const stepFunctionsPort = options.ports?.stepfunctions ?? 0;
    // The functions learn the Step Functions endpoint from the environment, so start the service's
    // port first and hand its endpoint to the Lambda environments.
    const serviceEnvironment = (sfnEndpoint: string): Record<string, string> => ({
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3Proxies?.functionsEndpoint ?? s3Endpoint,
      AWS_ENDPOINT_URL_SAGEMAKER: sageMaker.endpoint,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: sageMaker.endpoint,
      AWS_ENDPOINT_URL_SFN: sfnEndpoint,
      S3_FORCE_PATH_STYLE: 'true',
    });

    const lambdaByKey = new Map(resources.functions.map((f) => [f.key, f]));
    let lambda: LocalLambda | undefined;
    const stepFunctions = await startLocalStepFunctions({
      port: stepFunctionsPort,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      waitScale,
      stateMachines: [{ name: resources.stateMachine.name, definition: resources.stateMachine.definition }],
      restore: previous?.executions ? { executions: previous.executions, lastSeen: previous.lastSeen } : undefined,
      taskHandlers: (resource) => {
        const key = resources.functionByArn.get(resource);
        if (!key) return undefined;
        return (input) => invokeAsTask(lambda!, lambdaByKey.get(key)!.name, input);
      },
    });
    closers.push(() => stepFunctions.close());

    const environment = serviceEnvironment(stepFunctions.endpoint);
    const bundleByKey = new Map(bundles.map((b) => [b.key, b]));
    lambda = createLocalLambda({
      clock,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      functions: resources.functions.map((f) => {
        const override = options.bundleOverrides?.[f.key];
        return {
          name: f.name,
          bundlePath: override?.bundlePath ?? bundleByKey.get(f.key)!.bundlePath,
          handlerExport: override ? (override.handlerExport ?? 'handler') : bundleByKey.get(f.key)!.handlerExport,
          environment: { ...f.environment, ...environment, ...options.functionEnvironment?.[f.key] },
          timeoutSeconds: override?.timeoutSeconds ?? f.timeoutSeconds,
          memorySizeMB: f.memorySizeMB,
        };
      }),
      faults: options.lambdaFaults,
      onLog: options.onLog ? (fn, line) => options.onLog!(fn, line) : undefined,
    });
    closers.push(() => lambda!.close());

    // The S3 trigger, as the bucket's NotificationConfiguration says. S3 invokes asynchronously and
    // Lambda retries a failed async invocation twice, so do the same.
    const routes = s3TriggerRoutes(config);
    const outcomes = new Map<string, IngestOutcome>();
    const inFlight = new Set<Promise<void>>();
    localS3.onEvent((event) => {
      for (const raw of event.Records) {
        const bucketLogicalId = Object.entries(resources.buckets).find(([, name]) => name === raw.s3.bucket.name)?.[0];
        for (const route of routes.filter((r) => r.bucketLogicalId === bucketLogicalId && routeMatches(r, raw.eventName, raw.s3.object.key))) {
          const fn = lambdaByKey.get(functionKeyOfLogicalId(route.functionLogicalId, [...lambdaByKey.keys()]) ?? '');
          if (!fn) continue;
          const record = toAwsRecord(raw, region);
          const key = raw.s3.object.key;
          const task = invokeAsync(lambda!, fn.name, { Records: [record] })
            .then((result) => {
              const r = result as IngestOutcome['result'];
              outcomes.set(key, { key, result: r, rejected: r?.rejected?.map((x) => x.reason).join('; ') || undefined });
            })
            .catch((error: Error) => {
              outcomes.set(key, { key, error: `${error.name}: ${error.message}` });
            })
            .finally(() => {
              inFlight.delete(task);
            });
          inFlight.add(task);
        }
      }
    });

    const sfn = new SFNClient({ endpoint: stepFunctions.endpoint, region, credentials });
    const sm = new SageMakerClient({ endpoint: sageMaker.endpoint, region, credentials });
    const runtime = new SageMakerRuntimeClient({ endpoint: sageMaker.endpoint, region, credentials });
    closers.push(async () => {
      for (const client of [s3, sfn, sm, runtime]) client.destroy();
    });
    const dataBucket = Object.values(resources.buckets)[0]!;
    stackState?.track({ sageMaker: () => sageMaker.exportState(), executions: () => stepFunctions.exportState(), emulatedNow: () => functionsClock.now() });
    const restored: StackRestoreReport | undefined = previous && {
      previousPid: previous.pid,
      lastSeen: previous.lastSeen,
      interrupted: previous.interrupted,
      reapedProcesses,
      interruptedExecutions: stepFunctions.restored?.interrupted ?? [],
      interruptedJobs: sageMaker.restored?.interruptedJobs ?? [],
      endpoints: sageMaker.restored?.endpoints ?? [],
    };
    return {
      restored,
      root,
      workDir,
      resources,
      bundles,
      bucket: dataBucket,
      incomingPrefix: routes[0]?.prefix ?? '',
      endpoints: { s3: s3Endpoint, sagemaker: sageMaker.endpoint, stepfunctions: stepFunctions.endpoint },
      environment,
      clients: { s3, sfn, sageMaker: sm, runtime },
      sageMaker,
      stepFunctions,
      lambda,
      ...(s3Proxies ? { s3Faults: s3Proxies.controller } : {}),
      ingestOutcome: (key) => outcomes.get(key),
      settled: async () => {
        while (inFlight.size) await Promise.allSettled([...inFlight]);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}


/**
 * A Task state's view of a Lambda invocation: a failure surfaces with the function's errorType as
 * the Error and, as in AWS, the error payload JSON as the Cause.
 */
async function invokeAsTask(lambda: LocalLambda, functionName: string, input: unknown): Promise<unknown> {
  try {
    return await lambda.invoke(functionName, input);
  } catch (error) {
    if (error instanceof LambdaFunctionError || error instanceof LambdaServiceError) {
      const { error: name, cause } = statesErrorOf(error);
      throw Object.assign(new Error(cause), { name });
    }
    throw error;
  }
}

/** Lambda's asynchronous invocation: on a function error, two more attempts, a minute apart in AWS. */
async function invokeAsync(lambda: LocalLambda, functionName: string, event: unknown, attempts = 3): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await lambda.invoke(functionName, event);
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
