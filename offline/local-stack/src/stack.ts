/**
 * The offline AWS stack, wired from serverless.yml's offline stages (`local`, `local*`): s3rver (with
 * each stage's buckets and S3 triggers), the local SageMaker, the local Lambda runtime running the
 * deployment bundles as each stage's functions, the local Step Functions service running every stage's
 * state machines, and a local EventBridge with every stage's rules (fed by the local SageMaker's events).
 * One of each service hosts all stages, as one AWS account and region hosts dev and prod. Everything
 * listens on 127.0.0.1 and `close()` stops every process and port it opened.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createLocalLambda, LambdaFunctionError, LambdaServiceError, statesErrorOf, type FaultHook, type LocalLambda } from '@mlops/local-lambda';
import { startLocalSageMaker } from '@mlops/local-sagemaker';
import { startLocalSqs, type LocalSqs } from '@mlops/local-sqs';
import { LocalScheduler, scaledClock } from '@mlops/local-scheduler';
import { alarmStateChangeEvent, startLocalCloudWatch, type LocalCloudWatch } from '@mlops/local-cloudwatch';
import { startLocalStepFunctions, type LocalStepFunctions } from '@mlops/local-stepfunctions';
import { functionKeyOfLogicalId, printServerlessConfig, projectRoot } from '@mlops/serverless-config';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS } from './account';
import { AsyncInvoker } from './async-invoke';
import { buildFunctionBundles, type FunctionBundle } from './bundles';
import { startStackEventBridge, type StackEventBridge } from './events';
import { startLocalS3 } from './local-s3';
import { NotificationSink, NOTIFICATIONS_FILE, type LocalNotification } from './notifications';
import { continuedClock, emulatedClock } from './signing-clock';
import { startClockFront } from './clock-front';
import { startLambdaApi } from './lambda-api';
import { reapProcesses, StackState, type StackRestoreReport } from './stack-state';
import { resolveLocalResources, type LocalResources } from './resources';
import { startS3FaultProxies, type S3FaultConfig, type S3FaultController } from './s3-faults';
import { routeMatches, s3TriggerRoutes, toAwsRecord, type S3TriggerRoute } from './s3-trigger';

type LocalSageMaker = Awaited<ReturnType<typeof startLocalSageMaker>>;

export interface LocalStackOptions {
  /** The stages to host (default `['local']`); bundles are built once and serve every stage. */
  stages?: string[];
  /** One stage: the same as `stages: [stage]`. */
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
  ports?: { s3?: number; sagemaker?: number; stepfunctions?: number; sqs?: number; lambda?: number; cloudwatch?: number };
  lambdaFaults?: FaultHook;
  onLog?: (source: string, line: string) => void;
  /**
   * Test-only: environment variables set over serverless.yml's, per function key (`mlops_await`),
   * e.g. deadlines short enough for a test. They win over the stack's own (endpoints, credentials).
   */
  functionEnvironment?: Record<string, Record<string, string>>;
  /** serverless.yml params to override on every stage, as `sls --param name=value` (e.g. `retrainSchedule: 'rate(1 hour)'`). */
  params?: Record<string, string>;
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
  /**
   * Where the stages' SNS topics' messages go, one JSON line each (notifications.ts); default
   * `<workDir>/notifications.jsonl`. `pnpm local:up` passes `.local/notifications.jsonl`.
   */
  notificationsFile?: string;
  /** Local SageMaker timings (its defaults: health check 60 s, stop grace 10 s). */
  sageMakerTimings?: { healthCheckTimeoutMs?: number; stopGracePeriodMs?: number };
}

export interface IngestOutcome {
  key: string;
  result?: { runs: { runId: string; executionArn: string; status: string }[]; skipped: { key: string; reason: string }[]; rejected?: { key: string; reason: string }[] };
  rejected?: string;
  error?: string;
}

/** One hosted stage: its resolved resources and the values its CloudFormation stack would output. */
export interface LocalStage {
  stage: string;
  resources: LocalResources;
  /** Its data bucket (the first bucket of its resources). */
  bucket: string;
  incomingPrefix: string;
  /** State machine ARNs by their key in serverless.yml (`pipeline`, `deploy`). */
  stateMachineArns: Record<string, string>;
  /** The CloudFormation Outputs, evaluated (DataBucketName, PipelineStateMachineArn, DeployStateMachineArn, ...). */
  outputs: Record<string, string>;
}

export interface LocalStack {
  root: string;
  workDir: string;
  /** The first stage's resources (`stages[stageNames[0]]`). */
  resources: LocalResources;
  bundles: FunctionBundle[];
  /** The first stage's data bucket and incoming prefix. */
  bucket: string;
  incomingPrefix: string;
  /** The hosted stages, in the order asked for. */
  stageNames: string[];
  stages: Record<string, LocalStage>;
  /** Every stage's EventBridge rules on one local bus, fed by the local SageMaker. */
  eventBridge: StackEventBridge;
  endpoints: { s3: string; sagemaker: string; stepfunctions: string; sqs: string; lambda: string; cloudwatch: string };
  /** AWS_ENDPOINT_URL_* and friends, for the AWS CLI and `sls invoke local`. */
  environment: Record<string, string>;
  clients: { s3: S3Client; sfn: SFNClient; sageMaker: SageMakerClient; runtime: SageMakerRuntimeClient; sqs: SQSClient };
  /** The local SQS: every stage's AWS::SQS::Queue (e.g. mlops-local-ingest-failures). */
  sqs: LocalSqs;
  /** CloudWatch's alarms (the rollouts' auto-rollback alarms): SageMaker reads them, tests set them. */
  cloudWatch: LocalCloudWatch;
  /** EventBridge Scheduler: every stage's AWS::Scheduler::Schedule (the retraining schedule), on the emulated clock. */
  scheduler: LocalScheduler;
  /**
   * Lambda's asynchronous invocations (the S3 trigger, EventBridge's Lambda targets): retries as each
   * function's maximumRetryAttempts says, then its on-failure destination.
   */
  asyncInvoker: AsyncInvoker;
  sageMaker: LocalSageMaker;
  stepFunctions: LocalStepFunctions;
  lambda: LocalLambda;
  /** What a persistent stack took back from the previous one on its folder, if there was one. */
  restored?: StackRestoreReport;
  /** The S3 fault proxy's controller, when the stack started with `s3Faults`. */
  s3Faults?: S3FaultController;
  /** The notification sink's file: what EventBridge rules publish to the stages' SNS topics. */
  notificationsFile: string;
  /** The notifications in the sink so far, oldest first (every stage's; filter on `stage`). */
  notifications(): LocalNotification[];
  /** What the S3 trigger's last ingest invocation for this key returned (in `bucket`, or in any bucket). */
  ingestOutcome(key: string, bucket?: string): IngestOutcome | undefined;
  /**
   * Resolves when every S3-triggered invocation started so far has finished, with its retries and
   * destination, and every event on the bus is delivered (Lambda targets' invocations included).
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const execFileAsync = promisify(execFile);

/**
 * The folders whose `build.mjs` makes the programs of an image the local SageMaker runs
 * (images.local.json), each with the other workspace sources its bundle includes: a change there
 * makes dist/ stale too (the preprocess container runs mlops_ingest's own passes).
 */
const LOCAL_IMAGES: Record<string, string[]> = {
  'containers/model': [],
  'offline/sagemaker-xgboost': ['containers/model/src'],
  'containers/preprocess': ['services/mlops_ingest/src', 'packages/common/src'],
};

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
async function buildLocalImage(root: string, folder: string, bundled: readonly string[]): Promise<void> {
  const dir = join(root, folder);
  const dist = join(dir, 'dist');
  const sources = Math.max(newestMtime(join(dir, 'src')), statSync(join(dir, 'build.mjs')).mtimeMs, ...bundled.map((s) => newestMtime(join(root, s))));
  if (existsSync(dist) && newestMtime(dist) > sources) return;
  await execFileAsync(process.execPath, [join(dir, 'build.mjs')], { cwd: dir });
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const root = options.root ?? projectRoot();
  const stageNames = options.stages ?? [options.stage ?? 'local'];
  if (stageNames.length === 0) throw new Error('startLocalStack: no stage to host');
  if (options.stages && options.stage !== undefined && !options.stages.includes(options.stage)) {
    throw new Error(`startLocalStack: stage ${options.stage} is not one of stages ${options.stages.join(', ')}`);
  }
  const duplicate = stageNames.find((s, i) => stageNames.indexOf(s) !== i);
  if (duplicate) throw new Error(`startLocalStack: stage ${duplicate} is listed twice`);
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
    // SQS first: queue URLs (a queue's Ref) name its endpoint.
    const sqs = await startLocalSqs({ port: options.ports?.sqs ?? 0, region: undefined, accountId: LOCAL_ACCOUNT_ID, restore: previous?.sqs });
    closers.push(() => sqs.close());
    const configs = await Promise.all(stageNames.map((stage) => printServerlessConfig(stage, root, options.params)));
    const stageResources = configs.map((config) => resolveLocalResources(config, { sqsEndpoint: sqs.endpoint }));
    const resources = stageResources[0]!;
    const region = resources.region;
    const other = stageResources.find((r) => r.region !== region);
    if (other) throw new Error(`startLocalStack: stage ${other.stage} is in ${other.region}, stage ${resources.stage} in ${region}; one offline stack is one region`);
    if (sqs.service.region !== region) throw new Error(`startLocalStack: the local SQS is in ${sqs.service.region}, the stages in ${region}`);
    // Every stage's queues (a restored queue keeps its messages; a changed attribute is reported).
    for (const queue of stageResources.flatMap((r) => Object.values(r.queues))) {
      await sqs.service.call('CreateQueue', { QueueName: queue.name, Attributes: queue.attributes }).catch((e: Error) => {
        if (e.name !== 'QueueNameExists') throw e;
        options.onLog?.('sqs', `WARN queue ${queue.name} kept as it was: ${e.message}`);
      });
    }
    for (const [option, keys] of [['functionEnvironment', options.functionEnvironment], ['bundleOverrides', options.bundleOverrides]] as const) {
      const unknown = Object.keys(keys ?? {}).filter((key) => !resources.functions.some((f) => f.key === key));
      if (unknown.length) throw new Error(`${option}: no function ${unknown.join(', ')} in serverless.yml (functions: ${resources.functions.map((f) => f.key).join(', ')})`);
    }
    // The same code for every stage: one bundle per function key (the handlers of every stage's functions).
    const handlers: Record<string, { handler: string }> = {};
    for (const config of configs) for (const [key, fn] of Object.entries(config.functions)) handlers[key] ??= fn;
    const [bundles] = await Promise.all([buildFunctionBundles(root, handlers, join(workDir, 'build')), ...Object.entries(LOCAL_IMAGES).map(([folder, bundled]) => buildLocalImage(root, folder, bundled))]);
    // Every stage's functions, by name (mlops-local-ingest, mlops-localprod-ingest...) and by Lambda ARN.
    const allFunctions = stageResources.flatMap((r) => r.functions);
    const functionByArn = new Map(stageResources.flatMap((r) => [...r.functionByArn].map(([arn, key]) => [arn, r.functions.find((f) => f.key === key)!] as const)));
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
    for (const bucket of stageResources.flatMap((r) => Object.values(r.buckets))) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: Error) => {
        if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
      });
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } })).catch(() => undefined);
    }

    // EventBridge: every stage's rules; state machine targets start executions through the Step
    // Functions API (the client is made once that service listens).
    let sfnForEvents: SFNClient | undefined;
    let asyncInvoker: AsyncInvoker | undefined;
    // Deliveries wait until Step Functions and Lambda are up (events come from SageMaker's and Step
    // Functions' restores before that).
    // SNS targets: the stages' topics deliver to one file (notifications.ts).
    const notifications = new NotificationSink(
      options.notificationsFile ?? join(workDir, NOTIFICATIONS_FILE),
      stageResources.flatMap((r) => Object.values(r.topics).map((topic) => ({ stage: r.stage, topic }))),
    );
    let targetsReady!: () => void;
    const ready = new Promise<void>((resolve) => (targetsReady = resolve));
    const eventBridge = startStackEventBridge({
      rules: stageResources.flatMap((r) => r.rules),
      region,
      accountId: LOCAL_ACCOUNT_ID,
      ready,
      startExecution: (stateMachineArn, input) => sfnForEvents!.send(new StartExecutionCommand({ stateMachineArn, input })),
      invokeFunction: async (functionArn, input) => {
        const fn = functionByArn.get(functionArn.replace(/:\$LATEST$/, ''));
        if (!fn) throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${functionArn}`, 404);
        let event: unknown = input;
        try {
          event = JSON.parse(input);
        } catch {
          // a template that is not JSON: the function gets the text
        }
        return asyncInvoker!.invoke(fn.name, event).requestId;
      },
      publish: (topicArn, message, ruleName) => notifications.publish(topicArn, message, ruleName),
      logger: options.onLog ? eventLogger(options.onLog) : undefined,
    });
    closers.push(() => eventBridge.close());

    // CloudWatch: the alarms mlops_deploy puts and SageMaker watches during a rollout's bakes. A state
    // change goes to EventBridge as CloudWatch sends it ("CloudWatch Alarm State Change").
    const cloudWatch = await startLocalCloudWatch({
      port: options.ports?.cloudwatch ?? 0,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      restore: previous?.cloudWatch,
      onAlarmStateChange: (change) => eventBridge.onCloudWatchEvent(alarmStateChangeEvent(change, { region, accountId: LOCAL_ACCOUNT_ID })),
    });
    closers.push(() => cloudWatch.close());

    // SageMaker
    const sageMaker = await startLocalSageMaker({
      alarms: (names) => cloudWatch.service.alarmStates(names),
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
      onEvent: (event) => eventBridge.onSageMakerEvent(event),
    });
    closers.push(() => sageMaker.close());

    // The functions reach SageMaker, Step Functions, SQS and CloudWatch through fronts that answer them
    // on their clock (clock-front.ts); Step Functions' endpoint is known once it listens, below.
    let stepFunctionsEndpoint: string | undefined;
    const fronts = {
      sageMaker: await startClockFront(() => sageMaker.endpoint, functionsClock),
      stepFunctions: await startClockFront(() => stepFunctionsEndpoint!, functionsClock),
      sqs: await startClockFront(() => sqs.endpoint, functionsClock),
      cloudWatch: await startClockFront(() => cloudWatch.endpoint, functionsClock),
    };
    for (const front of Object.values(fronts)) closers.push(() => front.close());

    const stepFunctionsPort = options.ports?.stepfunctions ?? 0;
    // What an outside caller (the AWS CLI, `sls invoke local`) uses; the functions use the fronts.
    const serviceEnvironment = (endpoints: { sageMaker: string; stepFunctions: string; sqs: string; cloudWatch: string }): Record<string, string> => ({
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3Proxies?.functionsEndpoint ?? s3Endpoint,
      AWS_ENDPOINT_URL_SAGEMAKER: endpoints.sageMaker,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: endpoints.sageMaker,
      AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_CLOUDWATCH: endpoints.cloudWatch,
      S3_FORCE_PATH_STYLE: 'true',
    });
    const functionsEnvironment = serviceEnvironment({ sageMaker: fronts.sageMaker.endpoint, stepFunctions: fronts.stepFunctions.endpoint, sqs: fronts.sqs.endpoint, cloudWatch: fronts.cloudWatch.endpoint });

    let lambda: LocalLambda | undefined;
    const stepFunctions = await startLocalStepFunctions({
      port: stepFunctionsPort,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      waitScale,
      stateMachines: stageResources.flatMap((r) => Object.values(r.stateMachines).map((sm) => ({ name: sm.name, definition: sm.definition }))),
      restore: previous?.executions ? { executions: previous.executions, lastSeen: previous.lastSeen } : undefined,
      onEvent: (event) => eventBridge.onExecutionEvent(event),
      taskHandlers: (resource) => {
        const fn = functionByArn.get(resource);
        if (!fn) return undefined;
        return (input) => invokeAsTask(lambda!, fn.name, input);
      },
    });
    closers.push(() => stepFunctions.close());
    const sfnEvents = new SFNClient({ endpoint: stepFunctions.endpoint, region, credentials });
    sfnForEvents = sfnEvents;
    closers.push(async () => sfnEvents.destroy());

    stepFunctionsEndpoint = stepFunctions.endpoint;
    const environment = serviceEnvironment({ sageMaker: sageMaker.endpoint, stepFunctions: stepFunctions.endpoint, sqs: sqs.endpoint, cloudWatch: cloudWatch.endpoint });
    const bundleByKey = new Map(bundles.map((b) => [b.key, b]));
    lambda = createLocalLambda({
      clock,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      functions: allFunctions.map((f) => {
        const override = options.bundleOverrides?.[f.key];
        return {
          name: f.name,
          bundlePath: override?.bundlePath ?? bundleByKey.get(f.key)!.bundlePath,
          handlerExport: override ? (override.handlerExport ?? 'handler') : bundleByKey.get(f.key)!.handlerExport,
          environment: { ...f.environment, ...functionsEnvironment, ...options.functionEnvironment?.[f.key] },
          timeoutSeconds: override?.timeoutSeconds ?? f.timeoutSeconds,
          memorySizeMB: f.memorySizeMB,
        };
      }),
      faults: options.lambdaFaults,
      onLog: options.onLog ? (fn, line) => options.onLog!(fn, line) : undefined,
    });
    closers.push(() => lambda!.close());

    // Lambda's asynchronous invocations: each function's retries and on-failure destination.
    const functionByName = new Map(allFunctions.map((f) => [f.name, f]));
    const queueByArn = new Map(stageResources.flatMap((r) => Object.values(r.queues)).map((q) => [q.arn, q]));
    const invoker = new AsyncInvoker({
      lambda,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      waitScale,
      configOf: (name) => functionByName.get(name)?.asyncConfig,
      sendToQueue: async (queueArn, body) => {
        const [, , service, queueRegion, account, name] = queueArn.split(':');
        if (service !== 'sqs' || queueRegion !== region || account !== LOCAL_ACCOUNT_ID || !name) throw new Error(`${queueArn} is not a queue of the local SQS`);
        await sqs.sendMessage(queueByArn.get(queueArn)?.name ?? name, body);
      },
      onLog: options.onLog ? (line) => options.onLog!('lambda', line) : undefined,
    });
    asyncInvoker = invoker;
    // Closes before Lambda: pending retries are dropped, attempts in progress finish.
    closers.push(() => invoker.close());
    targetsReady();

    // EventBridge Scheduler, on the emulated clock: a Lambda target is invoked asynchronously (as
    // Scheduler does), so the function's own retries and destination apply; a tick that cannot be
    // delivered goes to the schedule's dead-letter queue.
    const scheduler = new LocalScheduler({
      clock: scaledClock(clock),
      region,
      accountId: LOCAL_ACCOUNT_ID,
      logger: schedulerLogger(options.onLog),
      deadLetter: async (record) => {
        if (!record.deadLetterArn) return;
        const name = record.deadLetterArn.split(':').pop()!;
        await sqs.sendMessage(queueByArn.get(record.deadLetterArn)?.name ?? name, JSON.stringify(record));
      },
    });
    for (const schedule of stageResources.flatMap((r) => r.schedules)) {
      const fn = functionByArn.get(schedule.target.arn);
      if (!fn) throw new Error(`schedule ${schedule.name}: its target ${schedule.target.arn} is not a function of the offline stack`);
      scheduler.add({
        name: schedule.name,
        groupName: schedule.groupName,
        expression: schedule.expression,
        timezone: schedule.timezone,
        state: schedule.state,
        ...(schedule.target.input !== undefined ? { input: schedule.target.input } : {}),
        ...(schedule.target.deadLetterArn ? { deadLetterArn: schedule.target.deadLetterArn } : {}),
        retryPolicy: { maximumRetryAttempts: schedule.target.maximumRetryAttempts, maximumEventAgeInSeconds: schedule.target.maximumEventAgeInSeconds },
        target: (invocation) => {
          invoker.invoke(fn.name, invocation.input === undefined ? {} : JSON.parse(invocation.input));
        },
      });
    }
    scheduler.start();
    // Stops before the asynchronous invoker: no tick is handed to a closing Lambda.
    closers.push(() => scheduler.stop());

    // Lambda's Invoke API, for tools in other processes (`pnpm mlops retrain`, `aws lambda invoke`).
    const resolveFunction = (requested: string) => {
      const bare = requested.replace(/:\$LATEST$/, '');
      return functionByArn.get(bare)?.name ?? (functionByName.has(bare) ? bare : undefined);
    };
    const lambdaApi = await startLambdaApi({ port: options.ports?.lambda, lambda, resolve: resolveFunction, invokeAsync: (name, event) => invoker.invoke(name, event).requestId });
    closers.push(() => lambdaApi.close());

    // The S3 trigger, as each stage's bucket NotificationConfiguration says: S3 invokes the function
    // asynchronously (retries and destination as the function's configuration says).
    const stageRoutes = configs.map((config, i) => ({ resources: stageResources[i]!, routes: s3TriggerRoutes(config) }));
    const outcomes = new Map<string, IngestOutcome>();
    const inFlight = new Set<Promise<void>>();
    localS3.onEvent((event) => {
      for (const raw of event.Records) {
        for (const { resources: stageRes, routes } of stageRoutes) {
          const bucketLogicalId = Object.entries(stageRes.buckets).find(([, name]) => name === raw.s3.bucket.name)?.[0];
          if (bucketLogicalId === undefined) continue;
          const functionKeys = stageRes.functions.map((f) => f.key);
          for (const route of routes.filter((r: S3TriggerRoute) => r.bucketLogicalId === bucketLogicalId && routeMatches(r, raw.eventName, raw.s3.object.key))) {
            const fn = stageRes.functions.find((f) => f.key === functionKeyOfLogicalId(route.functionLogicalId, functionKeys));
            if (!fn) continue;
            const record = toAwsRecord(raw, region);
            const key = raw.s3.object.key;
            const bucket = raw.s3.bucket.name;
            const remember = (outcome: IngestOutcome) => {
              outcomes.set(key, outcome);
              outcomes.set(`${bucket}\0${key}`, outcome);
            };
            const task = Promise.resolve()
              .then(() => invoker.invoke(fn.name, { Records: [record] }).done)
              .then((outcome) => {
                if (outcome.error) throw outcome.error;
                const r = outcome.result as IngestOutcome['result'];
                remember({ key, result: r, rejected: r?.rejected?.map((x) => x.reason).join('; ') || undefined });
              })
              .catch((error: Error) => {
                remember({ key, error: `${error.name}: ${error.message}` });
              })
              .finally(() => {
                inFlight.delete(task);
              });
            inFlight.add(task);
          }
        }
      }
    });

    const sfn = new SFNClient({ endpoint: stepFunctions.endpoint, region, credentials });
    const sm = new SageMakerClient({ endpoint: sageMaker.endpoint, region, credentials });
    const runtime = new SageMakerRuntimeClient({ endpoint: sageMaker.endpoint, region, credentials });
    const sqsClient = new SQSClient({ endpoint: sqs.endpoint, region, credentials });
    closers.push(async () => {
      for (const client of [s3, sfn, sm, runtime, sqsClient]) client.destroy();
    });
    // Runs first on close: deliveries still in flight finish while Step Functions still listens.
    closers.push(() => eventBridge.close());
    const stages: Record<string, LocalStage> = {};
    for (const { resources: stageRes, routes } of stageRoutes) {
      stages[stageRes.stage] = {
        stage: stageRes.stage,
        resources: stageRes,
        bucket: Object.values(stageRes.buckets)[0]!,
        incomingPrefix: routes[0]?.prefix ?? '',
        stateMachineArns: Object.fromEntries(Object.entries(stageRes.stateMachines).map(([key, sm]) => [key, sm.arn])),
        outputs: stageRes.outputs,
      };
    }
    const first = stages[resources.stage]!;
    stackState?.track({
      sageMaker: () => sageMaker.exportState(),
      executions: () => stepFunctions.exportState(),
      sqs: () => sqs.exportState(),
      cloudWatch: () => cloudWatch.exportState(),
      emulatedNow: () => functionsClock.now(),
    });
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
      bucket: first.bucket,
      incomingPrefix: first.incomingPrefix,
      stageNames: [...stageNames],
      stages,
      eventBridge,
      endpoints: { s3: s3Endpoint, sagemaker: sageMaker.endpoint, stepfunctions: stepFunctions.endpoint, sqs: sqs.endpoint, lambda: lambdaApi.endpoint, cloudwatch: cloudWatch.endpoint },
      environment,
      clients: { s3, sfn, sageMaker: sm, runtime, sqs: sqsClient },
      sqs,
      asyncInvoker: invoker,
      scheduler,
      cloudWatch,
      sageMaker,
      stepFunctions,
      lambda,
      ...(s3Proxies ? { s3Faults: s3Proxies.controller } : {}),
      notificationsFile: notifications.file,
      notifications: () => notifications.read(),
      ingestOutcome: (key, bucket) => outcomes.get(bucket === undefined ? key : `${bucket}\0${key}`),
      settled: async () => {
        // Until nothing moves: an invocation may start an execution whose events invoke a function...
        for (;;) {
          while (inFlight.size) await Promise.allSettled([...inFlight]);
          await eventBridge.idle();
          await invoker.settled();
          if (inFlight.size === 0 && eventBridge.bus.stats().deliveries.inFlight === 0) return;
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}


/** The local EventBridge's log lines, through the stack's onLog. */
function eventLogger(onLog: (source: string, line: string) => void) {
  const line = (level: string) => (message: string, details?: Record<string, unknown>) => onLog('eventbridge', `${level} ${message}${details ? ` ${JSON.stringify(details)}` : ''}`);
  return { info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
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

/** The scheduler's lines through the stack's log (silent without one). */
function schedulerLogger(onLog: LocalStackOptions['onLog']) {
  const line = (level: string) => (message: string, details?: Record<string, unknown>) => onLog?.('scheduler', `${level} ${message}${details ? ` ${JSON.stringify(details)}` : ''}`);
  return { info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}
