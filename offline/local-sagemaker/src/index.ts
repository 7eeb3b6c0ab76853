import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Arns } from './arn';
import { type AlarmSource, type Context, type Logger, type SageMakerEvent, type Timings, silentLogger, virtualClock } from './context';
import { stackEnvironment } from './environment';
import { type FaultConfig, type FaultController, Faults } from './faults';
import { type ImageRegistry, ImageResolver } from './images';
import { LogStore } from './logs';
import { type ProcessInfo, ProcessManager } from './processes';
import { type S3Options, S3Transfer } from './s3';
import { createHttpServer } from './server';
import { type PersistedSageMaker, type SageMakerRestoreReport, SageMakerService, type StateSnapshot } from './service';

export type { ApiFault, FaultConfig, FaultController, FaultStats } from './faults';
export { mulberry32 } from './faults';
export type { ImageEntry, ImageRegistry } from './images';
export type { AlarmSource, AlarmState, Logger, SageMakerEvent } from './context';
export type { ProcessInfo } from './processes';
export type { S3Options } from './s3';
export type { PersistedSageMaker, SageMakerRestoreReport, StateSnapshot } from './service';
export type { EndpointRestore } from './endpoints';
export { OPERATIONS } from './service';

export interface LocalSageMakerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder for job roots, serving roots and log files (created if missing). */
  workDir: string;
  /** Where training, processing and transform data and model artifacts live. */
  s3: S3Options;
  /** The image registry, or the path of its JSON file (re-read when it changes). */
  imageRegistry: ImageRegistry | string;
  region?: string;
  accountId?: string;
  faults?: FaultConfig;
  logger?: Logger;
  /** Serving containers must answer GET /ping with 200 within this time (default 60000). */
  healthCheckTimeoutMs?: number;
  healthCheckIntervalMs?: number;
  /** SIGTERM → SIGKILL grace when stopping jobs and containers (default 10000; AWS uses 120 s). */
  stopGracePeriodMs?: number;
  /** InvokeEndpoint timeout (default 60000, as AWS). */
  invocationTimeoutMs?: number;
  /**
   * Give containers the server's whole environment instead of a minimal one (default false). Either
   * way no AWS_* variable of the server reaches them: they get the region, the S3 endpoint and the
   * `s3.credentials` (the execution role's stand-in).
   */
  inheritEnv?: boolean;
  /**
   * Emulated time runs this many times faster than real time, from `clockEpochMs` (default: start):
   * timestamps and MaxRuntimeInSeconds follow it. The offline stack sets it to 1 / its wait scale.
   */
  clockRate?: number;
  clockEpochMs?: number;
  /** What a previous server's exportState() returned: its resources come back (see SageMakerService.restore). */
  restore?: PersistedSageMaker;
  /** Called right after a container process starts or ends (the offline stack records their pids at once). */
  onProcessesChanged?: () => void;
  /**
   * Receives the EventBridge events SageMaker sends (source `aws.sagemaker`), synchronously, before
   * the API call that caused them answers: "SageMaker Model Package State Change" on
   * CreateModelPackage and on each UpdateModelPackage that changes ModelApprovalStatus. An error it
   * throws is logged; the API call still succeeds.
   */
  onEvent?: (event: SageMakerEvent) => void;
  /**
   * The alarms' states, for blue/green updates with AutoRollbackConfiguration: checked through every
   * bake, and any in ALARM rolls the update back (the offline stack passes its local CloudWatch).
   */
  alarms?: AlarmSource;
}

/** Read-only inspection of the running emulator. */
export interface LocalSageMakerState {
  /** Every live child process (training, processing, transform and serving containers). */
  processes(): ProcessInfo[];
  /** The kept stdout/stderr (and emulator lines) of a job or endpoint; '' if none. */
  logs(name: string): string;
  /** Jobs, models, configs, endpoints, model package groups and packages, and processes. */
  snapshot(): StateSnapshot;
}

export interface LocalSageMaker {
  /** `http://127.0.0.1:<port>`: both AWS_ENDPOINT_URL_SAGEMAKER and AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME. */
  endpoint: string;
  port: number;
  region: string;
  accountId: string;
  faults: FaultController;
  state: LocalSageMakerState;
  /** Every resource as data, for `restore` of a later server (Dates inside: the caller serializes). */
  exportState(): PersistedSageMaker;
  /** What `restore` did, if given. */
  restored?: SageMakerRestoreReport;
  /** Stops every process it started (SIGTERM, then SIGKILL), waits for them, closes the port. */
  close(): Promise<void>;
}

/** Starts the emulator: the SageMaker control plane and SageMaker Runtime on one local port. */
export async function startLocalSageMaker(options: LocalSageMakerOptions): Promise<LocalSageMaker> {
  const workDir = path.resolve(options.workDir);
  fs.mkdirSync(workDir, { recursive: true });
  const region = options.region ?? options.s3.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  if (!/^\d{12}$/.test(accountId)) throw new Error(`accountId must be 12 digits, got ${accountId}`);
  const logs = new LogStore(path.join(workDir, 'logs'));
  const timings: Timings = {
    healthCheckTimeoutMs: options.healthCheckTimeoutMs ?? 60_000,
    healthCheckIntervalMs: options.healthCheckIntervalMs ?? 100,
    stopGracePeriodMs: options.stopGracePeriodMs ?? 10_000,
    invocationTimeoutMs: options.invocationTimeoutMs ?? 60_000,
  };
  const faults = new Faults(options.faults);
  const procs = new ProcessManager(logs, () => options.onProcessesChanged?.());
  const s3 = new S3Transfer({ region, ...options.s3 });
  const ctx: Context = {
    region,
    accountId,
    arns: new Arns(region, accountId),
    s3,
    images: new ImageResolver(options.imageRegistry),
    procs,
    logs,
    faults,
    logger: options.logger ?? silentLogger,
    workDir,
    timings,
    inheritEnv: options.inheritEnv ?? false,
    stackEnvironment: stackEnvironment(region, options.s3),
    clock: virtualClock(options.clockRate ?? 1, options.clockEpochMs),
    closing: false,
    onEvent: options.onEvent,
    alarms: options.alarms,
  };
  const service = new SageMakerService(ctx);
  const restored = options.restore ? service.restore(options.restore) : undefined;
  const server = createHttpServer(ctx, service);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  ctx.logger.info(`local-sagemaker listening on ${endpoint} (work dir ${workDir})`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      ctx.closing = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      const shutdownGrace = Math.min(timings.stopGracePeriodMs, 5000);
      ctx.timings.stopGracePeriodMs = shutdownGrace;
      await service.shutdown();
      await procs.stopAll(shutdownGrace);
      procs.dispose();
      s3.destroy();
      await serverClosed;
    })());

  return {
    endpoint,
    port,
    region,
    accountId,
    faults,
    exportState: () => service.exportState(),
    restored,
    state: {
      processes: () => procs.list(),
      logs: (name) => logs.read(name),
      snapshot: () => service.snapshot(),
    },
    close,
  };
}
