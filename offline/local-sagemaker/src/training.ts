import fs from 'node:fs';
import path from 'node:path';
import { type ChannelSpec, type TrainingLayout, type TrainingSpec, baseEnvironment, trainingEnvironment, trainingLayout, writeTrainingConfig } from './contract';
import { type Context, errorMessage, sleep } from './context';
import { resourceInUse, validationException } from './errors';
import { type ListRequest, listPage } from './listing';
import { type ExitInfo, type ManagedProcess, exitStatus } from './processes';
import { isEmptyDir, joinS3, packDirectory, parseS3Uri } from './s3';
import type { TagStore } from './tags';
import { clone } from './wire';

type TrainingStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export interface SecondaryStatusTransition {
  Status: string;
  StartTime: Date;
  EndTime?: Date;
  StatusMessage?: string;
}

interface CreateTrainingJobRequest {
  TrainingJobName: string;
  RoleArn: string;
  HyperParameters?: Record<string, string>;
  AlgorithmSpecification?: {
    TrainingImage?: string;
    AlgorithmName?: string;
    TrainingInputMode: string;
    MetricDefinitions?: { Name: string; Regex: string }[];
    ContainerEntrypoint?: string[];
    ContainerArguments?: string[];
    [k: string]: unknown;
  };
  InputDataConfig?: ChannelSpec[];
  OutputDataConfig: { S3OutputPath: string; KmsKeyId?: string; CompressionType?: string };
  ResourceConfig?: { InstanceType?: string; InstanceCount?: number; VolumeSizeInGB?: number; [k: string]: unknown };
  StoppingCondition?: { MaxRuntimeInSeconds?: number; MaxWaitTimeInSeconds?: number; MaxPendingTimeInSeconds?: number };
  Environment?: Record<string, string>;
  [k: string]: unknown;
}

export interface TrainingJob {
  name: string;
  arn: string;
  request: CreateTrainingJobRequest;
  status: TrainingStatus;
  secondaryStatus: string;
  failureReason?: string;
  transitions: SecondaryStatusTransition[];
  creationTime: Date;
  lastModifiedTime: Date;
  trainingStartTime?: Date;
  trainingEndTime?: Date;
  modelArtifacts?: string;
  finalMetrics?: { MetricName: string; Value: number; Timestamp: Date }[];
  layout: TrainingLayout;
  proc?: ManagedProcess;
  stopReason?: 'user' | 'maxRuntime' | 'shutdown';
  abort: AbortController;
  done?: Promise<void>;
  maxRuntimeTimer?: NodeJS.Timeout;
}

const TERMINAL: TrainingStatus[] = ['Completed', 'Failed', 'Stopped'];
const DEFAULT_MAX_RUNTIME = 86400;

class JobFailed extends Error {}
class JobStopped extends Error {}

/** Training jobs: CreateTrainingJob, DescribeTrainingJob, StopTrainingJob, ListTrainingJobs. */
export class TrainingService {
  private readonly jobs = new Map<string, TrainingJob>();

  constructor(
    private readonly ctx: Context,
    private readonly tags: TagStore,
  ) {}

  private notFound() {
    return validationException('Requested resource not found.');
  }

  get(name: string): TrainingJob | undefined {
    return this.jobs.get(name.toLowerCase());
  }

  all(): TrainingJob[] {
    return [...this.jobs.values()];
  }

  create(input: Record<string, unknown>): { TrainingJobArn: string } {
    const req = clone(input) as CreateTrainingJobRequest;
    const name = req.TrainingJobName;
    const arn = this.ctx.arns.of('training-job', name);
    if (this.jobs.has(name.toLowerCase())) {
      throw resourceInUse(`Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn})`);
    }
    if (!req.AlgorithmSpecification) {
      throw validationException("1 validation error detected: Value null at 'algorithmSpecification' failed to satisfy constraint: Member must not be null");
    }
    if (!req.AlgorithmSpecification.TrainingImage) {
      throw validationException(
        req.AlgorithmSpecification.AlgorithmName
          ? 'AlgorithmName is not supported by local-sagemaker: specify AlgorithmSpecification.TrainingImage (an image registered with the emulator).'
          : 'Either AlgorithmSpecification.TrainingImage or AlgorithmSpecification.AlgorithmName must be specified.',
      );
    }
    const names = new Set<string>();
    for (const c of req.InputDataConfig ?? []) {
      if (names.has(c.ChannelName)) throw validationException(`Channel names must be unique: ${c.ChannelName} is specified more than once.`);
      names.add(c.ChannelName);
      if (!c.DataSource?.S3DataSource) throw validationException(`Channel ${c.ChannelName}: only S3DataSource is supported by local-sagemaker.`);
    }
    this.tags.add(arn, req.Tags as never);
    const now = new Date();
    const job: TrainingJob = {
      name,
      arn,
      request: req,
      status: 'InProgress',
      secondaryStatus: 'Starting',
      transitions: [{ Status: 'Starting', StartTime: now, StatusMessage: 'Starting the training job' }],
      creationTime: now,
      lastModifiedTime: now,
      layout: trainingLayout(path.join(this.ctx.workDir, 'training', name.toLowerCase())),
      abort: new AbortController(),
    };
    this.jobs.set(name.toLowerCase(), job);
    this.ctx.logs.system(name, `training job ${arn} created`);
    job.done = this.run(job);
    return { TrainingJobArn: arn };
  }

  describe(input: { TrainingJobName: string }): Record<string, unknown> {
    const job = this.get(input.TrainingJobName);
    if (!job) throw this.notFound();
    const r = job.request;
    const seconds = job.trainingStartTime && job.trainingEndTime ? Math.max(1, Math.ceil((job.trainingEndTime.getTime() - job.trainingStartTime.getTime()) / 1000)) : undefined;
    return {
      TrainingJobName: job.name,
      TrainingJobArn: job.arn,
      ModelArtifacts: job.modelArtifacts ? { S3ModelArtifacts: job.modelArtifacts } : undefined,
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondaryStatus,
      FailureReason: job.failureReason,
      HyperParameters: clone(r.HyperParameters ?? {}),
      AlgorithmSpecification: { EnableSageMakerMetricsTimeSeries: false, ...clone(r.AlgorithmSpecification) },
      RoleArn: r.RoleArn,
      InputDataConfig: r.InputDataConfig?.map((c) => ({
        CompressionType: 'None',
        RecordWrapperType: 'None',
        ...clone(c),
        DataSource: c.DataSource?.S3DataSource ? { S3DataSource: { S3DataDistributionType: 'FullyReplicated', ...clone(c.DataSource.S3DataSource) } } : clone(c.DataSource),
      })),
      OutputDataConfig: { KmsKeyId: '', CompressionType: 'GZIP', ...clone(r.OutputDataConfig) },
      ResourceConfig: clone(r.ResourceConfig),
      VpcConfig: clone(r.VpcConfig),
      StoppingCondition: { MaxRuntimeInSeconds: DEFAULT_MAX_RUNTIME, ...clone(r.StoppingCondition) },
      CreationTime: job.creationTime,
      TrainingStartTime: job.trainingStartTime,
      TrainingEndTime: job.trainingEndTime,
      LastModifiedTime: job.lastModifiedTime,
      SecondaryStatusTransitions: job.transitions.map((t) => ({ ...t })),
      FinalMetricDataList: job.finalMetrics?.map((m) => ({ ...m })),
      EnableNetworkIsolation: r.EnableNetworkIsolation ?? false,
      EnableInterContainerTrafficEncryption: r.EnableInterContainerTrafficEncryption ?? false,
      EnableManagedSpotTraining: r.EnableManagedSpotTraining ?? false,
      CheckpointConfig: clone(r.CheckpointConfig),
      TrainingTimeInSeconds: seconds,
      BillableTimeInSeconds: seconds,
      ExperimentConfig: clone(r.ExperimentConfig),
      Environment: clone(r.Environment),
      RetryStrategy: clone(r.RetryStrategy),
    };
  }

  stop(input: { TrainingJobName: string }): Record<string, never> {
    const job = this.get(input.TrainingJobName);
    if (!job) throw this.notFound();
    if (job.status !== 'InProgress') {
      throw validationException(`The request was rejected because the training job is in status ${job.status}.`);
    }
    this.requestStop(job, 'user');
    return {};
  }

  list(input: ListRequest): Record<string, unknown> {
    const page = listPage(
      this.all().map((j) => ({ job: j, name: j.name, creationTime: j.creationTime, lastModifiedTime: j.lastModifiedTime, status: j.status })),
      input,
    );
    return {
      TrainingJobSummaries: page.items.map(({ job }) => ({
        TrainingJobName: job.name,
        TrainingJobArn: job.arn,
        CreationTime: job.creationTime,
        TrainingEndTime: job.trainingEndTime,
        LastModifiedTime: job.lastModifiedTime,
        TrainingJobStatus: job.status,
        SecondaryStatus: job.secondaryStatus,
      })),
      NextToken: page.nextToken,
    };
  }

  /** Stops every running job's process and waits for the run loops to end (server shutdown). */
  async shutdown(): Promise<void> {
    for (const job of this.jobs.values()) if (!TERMINAL.includes(job.status)) this.requestStop(job, 'shutdown');
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  // ------------------------------------------------------------------ state machine

  private touch(job: TrainingJob): void {
    job.lastModifiedTime = new Date();
  }

  private transition(job: TrainingJob, status: string, message: string): void {
    const now = new Date();
    const last = job.transitions[job.transitions.length - 1];
    if (last && !last.EndTime) last.EndTime = now;
    job.transitions.push({ Status: status, StartTime: now, StatusMessage: message });
    job.secondaryStatus = status;
    this.touch(job);
    this.ctx.logs.system(job.name, `${status} - ${message}`);
  }

  private message(job: TrainingJob, message: string): void {
    const last = job.transitions[job.transitions.length - 1];
    if (last) last.StatusMessage = message;
    this.touch(job);
    this.ctx.logs.system(job.name, `${job.secondaryStatus} - ${message}`);
  }

  private finish(job: TrainingJob, status: TrainingStatus, secondary: string, message: string, failureReason?: string): void {
    if (job.maxRuntimeTimer) clearTimeout(job.maxRuntimeTimer);
    const now = new Date();
    const last = job.transitions[job.transitions.length - 1];
    if (last && !last.EndTime) last.EndTime = now;
    job.transitions.push({ Status: secondary, StartTime: now, EndTime: now, StatusMessage: message });
    job.status = status;
    job.secondaryStatus = secondary;
    job.failureReason = failureReason;
    job.trainingEndTime = job.trainingStartTime ? now : undefined;
    this.touch(job);
    this.ctx.logs.system(job.name, `${secondary} - ${message}${failureReason ? `: ${failureReason}` : ''}`);
  }

  private requestStop(job: TrainingJob, why: 'user' | 'maxRuntime' | 'shutdown'): void {
    if (TERMINAL.includes(job.status) || job.stopReason) return;
    job.stopReason = why;
    job.status = 'Stopping';
    if (why === 'user') this.transition(job, 'Stopping', 'Stopping the training job');
    else if (why === 'maxRuntime') this.ctx.logs.system(job.name, `MaxRuntimeInSeconds (${this.maxRuntime(job)} s) exceeded: stopping the training job`);
    else this.touch(job);
    job.abort.abort();
    const grace = why === 'shutdown' ? Math.min(this.ctx.timings.stopGracePeriodMs, 5000) : this.ctx.timings.stopGracePeriodMs;
    void job.proc?.stop(grace);
  }

  private maxRuntime(job: TrainingJob): number {
    return job.request.StoppingCondition?.MaxRuntimeInSeconds ?? DEFAULT_MAX_RUNTIME;
  }

  private checkStopped(job: TrainingJob): void {
    if (job.stopReason) throw new JobStopped();
  }

  private async run(job: TrainingJob): Promise<void> {
    try {
      await this.starting(job);
      await this.downloading(job);
      const exit = await this.training(job);
      this.checkStopped(job);
      this.checkOutcome(job, exit);
      await this.uploading(job);
      this.finish(job, 'Completed', 'Completed', 'Training job completed');
    } catch (e) {
      if (job.stopReason || e instanceof JobStopped) await this.stopped(job);
      else if (e instanceof JobFailed) this.finish(job, 'Failed', 'Failed', 'Training job failed', e.message);
      else this.finish(job, 'Failed', 'Failed', 'Training job failed', `InternalServerError: ${errorMessage(e)}`);
    }
  }

  private async starting(job: TrainingJob): Promise<void> {
    await sleep(0);
    this.message(job, 'Launching requested ML instances');
    const r = job.request;
    const spec = this.spec(job);
    fs.rmSync(job.layout.root, { recursive: true, force: true });
    writeTrainingConfig(job.layout, spec);
    if ((r.ResourceConfig?.InstanceCount ?? 1) > 1) {
      this.ctx.logs.system(job.name, `InstanceCount ${r.ResourceConfig?.InstanceCount}: local-sagemaker runs a single host (${'algo-1'})`);
    }
    this.message(job, 'Preparing the instances for training');
    this.checkStopped(job);
  }

  private spec(job: TrainingJob): TrainingSpec {
    const r = job.request;
    return {
      jobName: job.name,
      jobArn: job.arn,
      hyperParameters: r.HyperParameters ?? {},
      channels: r.InputDataConfig ?? [],
      trainingInputMode: r.AlgorithmSpecification!.TrainingInputMode,
      instanceType: r.ResourceConfig?.InstanceType ?? 'ml.m5.large',
      environment: r.Environment ?? {},
    };
  }

  private async downloading(job: TrainingJob): Promise<void> {
    job.trainingStartTime = new Date();
    const maxRuntimeMs = this.maxRuntime(job) * 1000;
    job.maxRuntimeTimer = setTimeout(() => this.requestStop(job, 'maxRuntime'), maxRuntimeMs);
    this.transition(job, 'Downloading', 'Downloading input data');
    const mode = job.request.AlgorithmSpecification!.TrainingInputMode;
    for (const channel of job.request.InputDataConfig ?? []) {
      const channelMode = channel.InputMode ?? mode;
      if (channelMode === 'Pipe') throw new JobFailed(`ClientError: Channel ${channel.ChannelName}: Pipe input mode is not supported by local-sagemaker; use File or FastFile.`);
      const src = channel.DataSource!.S3DataSource!;
      const dir = path.join(job.layout.dataDir, channel.ChannelName);
      let count: number;
      try {
        if (src.S3DataType === 'ManifestFile' || src.S3DataType === 'AugmentedManifestFile' || src.S3DataType === 'Converse') {
          throw new JobFailed(`ClientError: Channel ${channel.ChannelName}: S3DataType ${src.S3DataType} is not supported by local-sagemaker.`);
        }
        count = (await this.ctx.s3.downloadPrefix(src.S3Uri!, dir, job.abort.signal)).length;
      } catch (e) {
        this.checkStopped(job);
        if (e instanceof JobFailed) throw e;
        throw new JobFailed(`ClientError: Data download failed:Failed to download data. ${errorMessage(e)} (${src.S3Uri})`);
      }
      if (count === 0) {
        const { bucket } = parseS3Uri(src.S3Uri!);
        throw new JobFailed(
          `ClientError: No S3 objects found under S3 URL "${src.S3Uri}" given in input data source. Please ensure that the bucket exists in the selected region (${this.ctx.region}), that objects exist under that S3 prefix, and that the role "${job.request.RoleArn}" has "s3:ListBucket" permissions on bucket "${bucket}".`,
        );
      }
      this.ctx.logs.system(job.name, `channel ${channel.ChannelName}: downloaded ${count} object(s) from ${src.S3Uri}`);
      this.checkStopped(job);
    }
  }

  private async training(job: TrainingJob): Promise<ExitInfo> {
    this.transition(job, 'Training', 'Downloading the training image');
    const image = job.request.AlgorithmSpecification!.TrainingImage!;
    const cmd = this.ctx.images.resolve(image, 'train');
    if (!cmd) {
      this.ctx.logs.system(job.name, `image ${image} is not in the image registry (or has no "train" command)`);
      throw new JobFailed('ClientError: Cannot pull algorithm container. Either the image does not exist or its permissions are incorrect.');
    }
    this.message(job, 'Training image download completed. Training in progress.');
    this.checkStopped(job);
    const injected = this.ctx.faults.trainingFailure(job.name);
    if (injected !== undefined) throw new JobFailed(injected);
    if (this.ctx.faults.hangs(job.name)) {
      this.ctx.logs.system(job.name, 'fault injection: this job hangs until stopped');
      await new Promise<void>((resolve) => job.abort.signal.addEventListener('abort', () => resolve(), { once: true }));
      throw new JobStopped();
    }
    if (this.ctx.closing) throw new JobStopped();
    const spec = this.spec(job);
    const args = job.request.AlgorithmSpecification!.ContainerArguments ?? [];
    if (job.request.AlgorithmSpecification!.ContainerEntrypoint) {
      this.ctx.logs.system(job.name, 'ContainerEntrypoint is ignored: local images run their registered "train" command');
    }
    const env = { ...baseEnvironment(this.ctx), ...cmd.env, ...trainingEnvironment(job.layout, spec), ...(job.request.Environment ?? {}) };
    job.proc = this.ctx.procs.spawn({ kind: 'training', owner: job.name, argv: [...cmd.argv, ...args], env, cwd: cmd.cwd, root: job.layout.root });
    this.ctx.logs.system(job.name, `started ${[...cmd.argv, ...args].join(' ')} (pid ${job.proc.pid})`);
    if (job.stopReason) void job.proc.stop(this.ctx.timings.stopGracePeriodMs);
    return job.proc.exited;
  }

  private checkOutcome(job: TrainingJob, exit: ExitInfo): void {
    const status = exitStatus(exit);
    let failure: string | undefined;
    if (fs.existsSync(job.layout.failureFile)) failure = fs.readFileSync(job.layout.failureFile, 'utf8').trim();
    if (failure !== undefined) {
      throw new JobFailed(truncate(`AlgorithmError: ${failure}${status !== 0 ? `, exit code: ${status}` : ''}`));
    }
    if (status !== 0) throw new JobFailed(`AlgorithmError: , exit code: ${status}`);
  }

  private async uploadArtifacts(job: TrainingJob): Promise<void> {
    const base = joinS3(job.request.OutputDataConfig.S3OutputPath, job.name, 'output');
    const staging = path.join(job.layout.root, '.upload');
    const modelTar = path.join(staging, 'model.tar.gz');
    await packDirectory(job.layout.modelDir, modelTar);
    await this.ctx.s3.uploadFile(modelTar, `${base}/model.tar.gz`, 'application/x-tar');
    job.modelArtifacts = `${base}/model.tar.gz`;
    if (!isEmptyDir(job.layout.outputDataDir)) {
      const outTar = path.join(staging, 'output.tar.gz');
      await packDirectory(job.layout.outputDataDir, outTar);
      await this.ctx.s3.uploadFile(outTar, `${base}/output.tar.gz`, 'application/x-tar');
    }
    fs.rmSync(staging, { recursive: true, force: true });
  }

  private async uploading(job: TrainingJob): Promise<void> {
    if (job.maxRuntimeTimer) clearTimeout(job.maxRuntimeTimer);
    this.transition(job, 'Uploading', 'Uploading generated training model');
    try {
      await this.uploadArtifacts(job);
    } catch (e) {
      throw new JobFailed(`ClientError: Failed to upload model artifacts to ${job.request.OutputDataConfig.S3OutputPath}: ${errorMessage(e)}`);
    }
    this.collectMetrics(job);
  }

  /** After a stop (user, MaxRuntimeInSeconds, shutdown): the process is ended; artifacts it saved are still uploaded. */
  private async stopped(job: TrainingJob): Promise<void> {
    if (job.proc) await job.proc.stop(this.ctx.timings.stopGracePeriodMs);
    if (job.proc && job.stopReason !== 'shutdown' && !isEmptyDir(job.layout.modelDir)) {
      try {
        await this.uploadArtifacts(job);
      } catch (e) {
        this.ctx.logs.system(job.name, `could not upload the artifacts of the stopped job: ${errorMessage(e)}`);
      }
    }
    this.collectMetrics(job);
    if (job.stopReason === 'maxRuntime') this.finish(job, 'Stopped', 'MaxRuntimeExceeded', `Job stopped because it exceeded MaxRuntimeInSeconds (${this.maxRuntime(job)} s)`);
    else this.finish(job, 'Stopped', 'Stopped', 'Training job stopped');
  }

  /** FinalMetricDataList from MetricDefinitions: the last match of each regex in the job's log. */
  private collectMetrics(job: TrainingJob): void {
    const defs = job.request.AlgorithmSpecification?.MetricDefinitions;
    if (!defs?.length) return;
    const log = this.ctx.logs.read(job.name);
    const out: { MetricName: string; Value: number; Timestamp: Date }[] = [];
    for (const d of defs) {
      let re: RegExp;
      try {
        re = new RegExp(d.Regex, 'g');
      } catch {
        continue;
      }
      let last: number | undefined;
      for (const m of log.matchAll(re)) {
        const v = Number(m[1] ?? m[0]);
        if (Number.isFinite(v)) last = v;
      }
      if (last !== undefined) out.push({ MetricName: d.Name, Value: last, Timestamp: new Date() });
    }
    job.finalMetrics = out;
  }
}

function truncate(text: string, max = 1024): string {
  return text.length <= max ? text : text.slice(0, max - 3) + '...';
}
