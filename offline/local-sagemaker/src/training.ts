import fs from 'node:fs';
import path from 'node:path';
import { CURRENT_HOST, type ChannelSpec, type TrainingLayout, type TrainingSpec, trainingEnvironment, trainingLayout, writeTrainingConfig } from './contract';
import { type Context, errorMessage } from './context';
import { containerEnvironment } from './environment';
import { validationException } from './errors';
import { type Job, type JobControl, JobFailed, type JobOutcome, type JobRunner, type StatusStep } from './jobs';
import { type ExitInfo, exitStatus } from './processes';
import { checkS3Uri, isEmptyDir, joinS3, packDirectory, parseS3Uri } from './s3';
import { clone } from './wire';

export interface CreateTrainingJobRequest {
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

export interface TrainingState {
  layout: TrainingLayout;
  modelArtifacts?: string;
  finalMetrics?: { MetricName: string; Value: number; Timestamp: Date }[];
}

export type TrainingJob = Job<CreateTrainingJobRequest, TrainingState>;

const DEFAULT_MAX_RUNTIME = 86400;

/** Training jobs (CreateTrainingJob & co.): Starting → Downloading → Training → Uploading, under the container contract. */
export class TrainingRunner implements JobRunner<CreateTrainingJobRequest, TrainingState> {
  readonly member = 'TrainingJob';
  readonly arnType = 'training-job';
  readonly noun = 'training job';
  readonly acceptsRepeatedStop = false;
  readonly secondaryStatus = {
    initial: { status: 'Starting', message: 'Starting the training job' },
    final: (job: TrainingJob, outcome: JobOutcome): StatusStep => {
      if (outcome === 'Completed') return { status: 'Completed', message: 'Training job completed' };
      if (outcome === 'Failed') return { status: 'Failed', message: 'Training job failed' };
      if (job.stopReason === 'maxRuntime') return { status: 'MaxRuntimeExceeded', message: `Job stopped because it exceeded MaxRuntimeInSeconds (${maxRuntime(job)} s)` };
      return { status: 'Stopped', message: 'Training job stopped' };
    },
  };

  constructor(private readonly ctx: Context) {}

  conflictMessage(arn: string): string {
    return `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn})`;
  }

  injectedFailure(jobName: string): string | undefined {
    return this.ctx.faults.trainingFailure(jobName);
  }

  prepare(req: CreateTrainingJobRequest, name: string): TrainingState {
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
    for (const [i, c] of (req.InputDataConfig ?? []).entries()) {
      if (names.has(c.ChannelName)) throw validationException(`Channel names must be unique: ${c.ChannelName} is specified more than once.`);
      names.add(c.ChannelName);
      if (!c.DataSource?.S3DataSource) throw validationException(`Channel ${c.ChannelName}: only S3DataSource is supported by local-sagemaker.`);
      checkS3Uri(c.DataSource.S3DataSource.S3Uri, `inputDataConfig.${i + 1}.member.dataSource.s3DataSource.s3Uri`);
    }
    checkS3Uri(req.OutputDataConfig.S3OutputPath, 'outputDataConfig.s3OutputPath');
    return { layout: trainingLayout(path.join(this.ctx.workDir, 'training', name.toLowerCase())) };
  }

  describe(job: TrainingJob): Record<string, unknown> {
    const r = job.request;
    const seconds = job.startTime && job.endTime ? Math.max(1, Math.ceil((job.endTime.getTime() - job.startTime.getTime()) / 1000)) : undefined;
    return {
      TrainingJobName: job.name,
      TrainingJobArn: job.arn,
      ModelArtifacts: job.state.modelArtifacts ? { S3ModelArtifacts: job.state.modelArtifacts } : undefined,
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
      TrainingStartTime: job.startTime,
      TrainingEndTime: job.endTime,
      LastModifiedTime: job.lastModifiedTime,
      SecondaryStatusTransitions: job.transitions.map((t) => ({ ...t })),
      FinalMetricDataList: job.state.finalMetrics?.map((m) => ({ ...m })),
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

  summary(job: TrainingJob): Record<string, unknown> {
    return {
      TrainingJobName: job.name,
      TrainingJobArn: job.arn,
      CreationTime: job.creationTime,
      TrainingEndTime: job.endTime,
      LastModifiedTime: job.lastModifiedTime,
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondaryStatus,
    };
  }

  async run(job: TrainingJob, control: JobControl): Promise<void> {
    this.starting(job, control);
    await this.downloading(job, control);
    const exit = await this.training(job, control);
    control.checkStopped();
    this.checkOutcome(job, exit);
    await this.uploading(job, control);
  }

  /** After a stop (user, MaxRuntimeInSeconds, shutdown) the process has ended; what it saved is still uploaded. */
  async afterStop(job: TrainingJob): Promise<void> {
    if (job.processes.length > 0 && job.stopReason !== 'shutdown' && !isEmptyDir(job.state.layout.modelDir)) {
      try {
        await this.uploadArtifacts(job);
      } catch (e) {
        this.ctx.logs.system(job.name, `could not upload the artifacts of the stopped job: ${errorMessage(e)}`);
      }
    }
    this.collectMetrics(job);
  }

  private starting(job: TrainingJob, control: JobControl): void {
    control.message('Launching requested ML instances');
    const r = job.request;
    fs.rmSync(job.state.layout.root, { recursive: true, force: true });
    writeTrainingConfig(job.state.layout, this.spec(job));
    if ((r.ResourceConfig?.InstanceCount ?? 1) > 1) {
      control.log(`InstanceCount ${r.ResourceConfig?.InstanceCount}: local-sagemaker runs a single host (${CURRENT_HOST})`);
    }
    control.message('Preparing the instances for training');
    control.checkStopped();
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

  private async downloading(job: TrainingJob, control: JobControl): Promise<void> {
    control.started();
    control.limitRuntime(maxRuntime(job));
    control.transition('Downloading', 'Downloading input data');
    const mode = job.request.AlgorithmSpecification!.TrainingInputMode;
    for (const channel of job.request.InputDataConfig ?? []) {
      const channelMode = channel.InputMode ?? mode;
      if (channelMode === 'Pipe') throw new JobFailed(`ClientError: Channel ${channel.ChannelName}: Pipe input mode is not supported by local-sagemaker; use File or FastFile.`);
      const src = channel.DataSource!.S3DataSource!;
      const dir = path.join(job.state.layout.dataDir, channel.ChannelName);
      let count: number;
      try {
        if (src.S3DataType === 'ManifestFile' || src.S3DataType === 'AugmentedManifestFile' || src.S3DataType === 'Converse') {
          throw new JobFailed(`ClientError: Channel ${channel.ChannelName}: S3DataType ${src.S3DataType} is not supported by local-sagemaker.`);
        }
        count = (await this.ctx.s3.downloadPrefix(src.S3Uri!, dir, job.signal)).length;
      } catch (e) {
        control.checkStopped();
        if (e instanceof JobFailed) throw e;
        throw new JobFailed(`ClientError: Data download failed:Failed to download data. ${errorMessage(e)} (${src.S3Uri})`);
      }
      if (count === 0) {
        const { bucket } = parseS3Uri(src.S3Uri!);
        throw new JobFailed(
          `ClientError: No S3 objects found under S3 URL "${src.S3Uri}" given in input data source. Please ensure that the bucket exists in the selected region (${this.ctx.region}), that objects exist under that S3 prefix, and that the role "${job.request.RoleArn}" has "s3:ListBucket" permissions on bucket "${bucket}".`,
        );
      }
      control.log(`channel ${channel.ChannelName}: downloaded ${count} object(s) from ${src.S3Uri}`);
      control.checkStopped();
    }
  }

  private async training(job: TrainingJob, control: JobControl): Promise<ExitInfo> {
    control.transition('Training', 'Downloading the training image');
    const image = job.request.AlgorithmSpecification!.TrainingImage!;
    const cmd = this.ctx.images.resolve(image, 'train');
    if (!cmd) {
      control.log(`image ${image} is not in the image registry (or has no "train" command)`);
      throw new JobFailed('ClientError: Cannot pull algorithm container. Either the image does not exist or its permissions are incorrect.');
    }
    control.message('Training image download completed. Training in progress.');
    control.checkStopped();
    await control.injectFaults();
    control.checkStopped();
    const args = job.request.AlgorithmSpecification!.ContainerArguments ?? [];
    if (job.request.AlgorithmSpecification!.ContainerEntrypoint) {
      control.log('ContainerEntrypoint is ignored: local images run their registered "train" command');
    }
    const env = { ...containerEnvironment(this.ctx), ...cmd.env, ...trainingEnvironment(job.state.layout, this.spec(job)), ...(job.request.Environment ?? {}) };
    const proc = this.ctx.procs.spawn({ kind: 'training', owner: job.name, argv: [...cmd.argv, ...args], env, cwd: cmd.cwd, root: job.state.layout.root });
    control.adopt(proc);
    control.log(`started ${[...cmd.argv, ...args].join(' ')} (pid ${proc.pid})`);
    return proc.exited;
  }

  private checkOutcome(job: TrainingJob, exit: ExitInfo): void {
    const status = exitStatus(exit);
    let failure: string | undefined;
    if (fs.existsSync(job.state.layout.failureFile)) failure = fs.readFileSync(job.state.layout.failureFile, 'utf8').trim();
    if (failure !== undefined) {
      throw new JobFailed(truncate(`AlgorithmError: ${failure}${status !== 0 ? `, exit code: ${status}` : ''}`));
    }
    if (status !== 0) throw new JobFailed(`AlgorithmError: , exit code: ${status}`);
  }

  private async uploadArtifacts(job: TrainingJob): Promise<void> {
    const { layout } = job.state;
    const base = joinS3(job.request.OutputDataConfig.S3OutputPath, job.name, 'output');
    const staging = path.join(layout.root, '.upload');
    const modelTar = path.join(staging, 'model.tar.gz');
    await packDirectory(layout.modelDir, modelTar);
    await this.ctx.s3.uploadFile(modelTar, `${base}/model.tar.gz`, 'application/x-tar');
    job.state.modelArtifacts = `${base}/model.tar.gz`;
    if (!isEmptyDir(layout.outputDataDir)) {
      const outTar = path.join(staging, 'output.tar.gz');
      await packDirectory(layout.outputDataDir, outTar);
      await this.ctx.s3.uploadFile(outTar, `${base}/output.tar.gz`, 'application/x-tar');
    }
    fs.rmSync(staging, { recursive: true, force: true });
  }

  private async uploading(job: TrainingJob, control: JobControl): Promise<void> {
    // MaxRuntimeInSeconds covers the work, not the upload of its results.
    control.clearRuntimeLimit();
    control.transition('Uploading', 'Uploading generated training model');
    try {
      await this.uploadArtifacts(job);
    } catch (e) {
      throw new JobFailed(`ClientError: Failed to upload model artifacts to ${job.request.OutputDataConfig.S3OutputPath}: ${errorMessage(e)}`);
    }
    this.collectMetrics(job);
  }

  /**
   * FinalMetricDataList: the last match of each metric regex in the job's log, from the request's
   * MetricDefinitions or, for a built-in algorithm's image, the algorithm's own.
   */
  private collectMetrics(job: TrainingJob): void {
    const spec = job.request.AlgorithmSpecification;
    const defs = spec?.MetricDefinitions?.length ? spec.MetricDefinitions : spec?.TrainingImage ? this.ctx.images.lookup(spec.TrainingImage)?.metricDefinitions : undefined;
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
      if (last !== undefined) out.push({ MetricName: d.Name, Value: last, Timestamp: this.ctx.clock.now() });
    }
    job.state.finalMetrics = out;
  }
}

function maxRuntime(job: TrainingJob): number {
  return job.request.StoppingCondition?.MaxRuntimeInSeconds ?? DEFAULT_MAX_RUNTIME;
}

function truncate(text: string, max = 1024): string {
  return text.length <= max ? text : text.slice(0, max - 3) + '...';
}
