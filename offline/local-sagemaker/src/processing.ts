import fs from 'node:fs';
import path from 'node:path';
import { PROCESSING_PREFIX, type ProcessingLayout, hostName, hostPath, mapContainerPaths, processingLayout, resourceConfig, writeProcessingConfig } from './contract';
import { type Context, errorMessage } from './context';
import { containerEnvironment } from './environment';
import { validationException } from './errors';
import { InstanceCancelled, type Job, type JobControl, type JobInstance, JobFailed, type JobRunner, runOnInstances } from './jobs';
import { type ExitInfo, exitStatus } from './processes';
import { ManifestError, type S3ObjectRef, checkS3Uri, hasDotSegment, joinS3, listFiles, parseS3Uri, resolveInside, shardByS3Key } from './s3';
import { clone } from './wire';

export interface ProcessingS3Input {
  S3Uri: string;
  LocalPath?: string;
  S3DataType: 'S3Prefix' | 'ManifestFile';
  S3InputMode?: 'File' | 'Pipe';
  S3DataDistributionType?: 'FullyReplicated' | 'ShardedByS3Key';
  S3CompressionType?: 'None' | 'Gzip';
}

export interface ProcessingInput {
  InputName: string;
  AppManaged?: boolean;
  S3Input?: ProcessingS3Input;
  DatasetDefinition?: Record<string, unknown>;
}

export interface ProcessingOutput {
  OutputName: string;
  AppManaged?: boolean;
  S3Output?: { S3Uri: string; LocalPath?: string; S3UploadMode: 'EndOfJob' | 'Continuous' };
  FeatureStoreOutput?: { FeatureGroupName: string };
}

export interface CreateProcessingJobRequest {
  ProcessingJobName: string;
  ProcessingInputs?: ProcessingInput[];
  ProcessingOutputConfig?: { Outputs: ProcessingOutput[]; KmsKeyId?: string };
  ProcessingResources: { ClusterConfig: { InstanceCount: number; InstanceType: string; VolumeSizeInGB: number; VolumeKmsKeyId?: string } };
  StoppingCondition?: { MaxRuntimeInSeconds: number };
  AppSpecification: { ImageUri: string; ContainerEntrypoint?: string[]; ContainerArguments?: string[] };
  Environment?: Record<string, string>;
  RoleArn: string;
  [k: string]: unknown;
}

export interface ProcessingState {
  /** `<workDir>/processing/<job>`: one folder per instance (`algo-1/`, ...), each standing in for its /opt/ml. */
  root: string;
  /** Each instance's `/opt/ml/output/message`, by instance (null: none written). */
  messages: (string | null)[];
}

export type ProcessingJob = Job<CreateProcessingJobRequest, ProcessingState>;

const DEFAULT_MAX_RUNTIME = 86400;
/** ExitMessage and FailureReason hold at most 1 KB. */
const MAX_MESSAGE = 1024;
/** How often a Continuous output is synced to S3 while its container runs (real time). */
const CONTINUOUS_SYNC_MS = 1000;
/** What SageMaker reports when a processing container exits non-zero (its own message goes to ExitMessage). */
const ALGORITHM_ERROR = 'AlgorithmError: See job logs for more information';

/** An S3 input as the job downloads it: listed once, then each instance takes all of it or its shard. */
interface ListedInput {
  name: string;
  localPath: string;
  uri: string;
  sharded: boolean;
  objects: S3ObjectRef[];
}

/** What one job's instances share while it runs. */
interface Run {
  hosts: string[];
  entrypoint: string[];
  env: Record<string, string>;
  cwd: string;
  inputs: ListedInput[];
  /** S3 URI → the host that uploaded it: instances share each output's S3Uri, and a second upload of a key replaces the first. */
  uploaded: Map<string, string>;
}

/**
 * Processing jobs (CreateProcessingJob & co.): one container per instance, in parallel, under the
 * processing container contract (/opt/ml/processing/..., /opt/ml/config/*.json, /opt/ml/output/message).
 */
export class ProcessingRunner implements JobRunner<CreateProcessingJobRequest, ProcessingState> {
  readonly member = 'ProcessingJob';
  readonly arnType = 'processing-job';
  readonly noun = 'processing job';
  readonly acceptsRepeatedStop = false;

  constructor(private readonly ctx: Context) {}

  /** The wording SageMaker uses for every job kind but training (transform jobs' is verified; see the README). */
  conflictMessage(arn: string): string {
    return `Job name must be unique within an AWS account and region, and a job with this name already exists (${arn})`;
  }

  notFoundMessage(name: string): string {
    return `Could not find requested job with name ${name}`;
  }

  injectedFailure(jobName: string): string | undefined {
    return this.ctx.faults.processingFailure(jobName);
  }

  /** What the API model cannot check: the container contract's paths, one source per input, unique names. */
  prepare(req: CreateProcessingJobRequest, name: string): ProcessingState {
    const inputNames = new Set<string>();
    const localPaths = new Set<string>();
    for (const [i, input] of (req.ProcessingInputs ?? []).entries()) {
      const at = `processingInputs.${i + 1}.member`;
      if (inputNames.has(input.InputName)) throw validationException(`Input names must be unique: ${input.InputName} is specified more than once.`);
      inputNames.add(input.InputName);
      if (!!input.S3Input === !!input.DatasetDefinition) {
        throw validationException(`The processing input ${input.InputName} must specify exactly one of either S3Input or DatasetDefinition types.`);
      }
      if (input.DatasetDefinition) throw validationException(`Input ${input.InputName}: DatasetDefinition (Athena, Redshift) is not supported by local-sagemaker; use S3Input. (${at}.datasetDefinition)`);
      const s3 = input.S3Input!;
      checkS3Uri(s3.S3Uri, `${at}.s3Input.s3Uri`);
      // The API reference: "Gzip can only be used when Pipe mode is specified as the S3InputMode".
      if (s3.S3CompressionType === 'Gzip' && s3.S3InputMode !== 'Pipe') {
        throw validationException(`Input ${input.InputName}: S3CompressionType Gzip can only be used when Pipe mode is specified as the S3InputMode. (${at}.s3Input.s3CompressionType)`);
      }
      if (input.AppManaged && s3.LocalPath === undefined) continue;
      const local = checkLocalPath(s3.LocalPath, `${at}.s3Input.localPath`);
      if (localPaths.has(local)) throw validationException(`Input ${input.InputName}: LocalPath ${local} is the destination of another input; each input needs its own LocalPath.`);
      localPaths.add(local);
    }
    const outputNames = new Set<string>();
    for (const [i, output] of (req.ProcessingOutputConfig?.Outputs ?? []).entries()) {
      const at = `processingOutputConfig.outputs.${i + 1}.member`;
      if (outputNames.has(output.OutputName)) throw validationException(`Output names must be unique: ${output.OutputName} is specified more than once.`);
      outputNames.add(output.OutputName);
      if (output.FeatureStoreOutput) throw validationException(`Output ${output.OutputName}: FeatureStoreOutput is not supported by local-sagemaker; use S3Output. (${at}.featureStoreOutput)`);
      if (!output.S3Output) {
        if (output.AppManaged) continue;
        throw validationException(`1 validation error detected: Value null at '${at}.s3Output' failed to satisfy constraint: Member must not be null`);
      }
      checkS3Uri(output.S3Output.S3Uri, `${at}.s3Output.s3Uri`);
      if (!output.AppManaged) checkLocalPath(output.S3Output.LocalPath, `${at}.s3Output.localPath`);
    }
    return { root: path.join(this.ctx.workDir, 'processing', name.toLowerCase()), messages: [] };
  }

  describe(job: ProcessingJob): Record<string, unknown> {
    const r = job.request;
    return {
      ProcessingInputs: describeInputs(r),
      ProcessingOutputConfig: describeOutputs(r),
      ProcessingJobName: job.name,
      ProcessingResources: clone(r.ProcessingResources),
      StoppingCondition: clone(r.StoppingCondition),
      AppSpecification: clone(r.AppSpecification),
      Environment: clone(r.Environment),
      NetworkConfig: clone(r.NetworkConfig),
      RoleArn: r.RoleArn,
      ExperimentConfig: clone(r.ExperimentConfig),
      ProcessingJobArn: job.arn,
      ProcessingJobStatus: job.status,
      ExitMessage: exitMessage(job),
      FailureReason: job.failureReason,
      ProcessingEndTime: job.endTime,
      ProcessingStartTime: job.startTime,
      LastModifiedTime: job.lastModifiedTime,
      CreationTime: job.creationTime,
    };
  }

  summary(job: ProcessingJob): Record<string, unknown> {
    return {
      ProcessingJobName: job.name,
      ProcessingJobArn: job.arn,
      CreationTime: job.creationTime,
      ProcessingEndTime: job.endTime,
      LastModifiedTime: job.lastModifiedTime,
      ProcessingJobStatus: job.status,
      FailureReason: job.failureReason,
      ExitMessage: exitMessage(job),
    };
  }

  async run(job: ProcessingJob, control: JobControl): Promise<void> {
    const r = job.request;
    control.started();
    control.limitRuntime(r.StoppingCondition?.MaxRuntimeInSeconds ?? DEFAULT_MAX_RUNTIME);
    fs.rmSync(job.state.root, { recursive: true, force: true });
    const count = r.ProcessingResources.ClusterConfig.InstanceCount;
    const hosts = Array.from({ length: count }, (_, i) => hostName(i));
    job.state.messages = hosts.map(() => null);
    const uri = r.AppSpecification.ImageUri;
    const image = this.ctx.images.image(uri);
    if (!image) {
      control.log(`image ${uri} is not in the image registry`);
      throw new JobFailed(`ClientError: API error (404): manifest for ${uri} not found: manifest unknown: Requested image not found`);
    }
    // ContainerEntrypoint replaces the image's ENTRYPOINT, as `docker run --entrypoint` does.
    const entrypoint = r.AppSpecification.ContainerEntrypoint ?? image.commands.process;
    if (!entrypoint) {
      control.log(`image ${uri} registers no "process" command (its ENTRYPOINT) and the request gives no ContainerEntrypoint`);
      throw new JobFailed(`ClientError: The image ${uri} has no entrypoint: register a "process" command for it or set AppSpecification.ContainerEntrypoint.`);
    }
    control.checkStopped();
    await control.injectFaults();
    const inputs = await this.listInputs(job, control);
    control.checkStopped();
    const run: Run = { hosts, entrypoint, env: image.env, cwd: image.cwd, inputs, uploaded: new Map() };
    control.log(`running ${count} instance(s): ${hosts.join(', ')}`);
    await runOnInstances(count, job.signal, (instance) => this.runInstance(job, control, run, instance));
    control.checkStopped();
  }

  /** Lists each S3 input once (the instances then take all of it or their shard). */
  private async listInputs(job: ProcessingJob, control: JobControl): Promise<ListedInput[]> {
    const out: ListedInput[] = [];
    for (const input of job.request.ProcessingInputs ?? []) {
      const s3 = input.S3Input!;
      // AppManaged: the application reads the data itself; SageMaker downloads nothing.
      if (input.AppManaged) continue;
      if (s3.S3InputMode === 'Pipe') throw new JobFailed(`ClientError: Input ${input.InputName}: Pipe input mode is not supported by local-sagemaker; use File.`);
      let objects: S3ObjectRef[];
      try {
        objects = s3.S3DataType === 'ManifestFile' ? await this.ctx.s3.listManifest(s3.S3Uri, job.signal) : await this.ctx.s3.listPrefix(s3.S3Uri, job.signal);
      } catch (e) {
        control.checkStopped();
        if (e instanceof ManifestError) throw new JobFailed(`ClientError: ${e.message}`);
        throw new JobFailed(`ClientError: Data download failed:Failed to download data. ${errorMessage(e)} (${s3.S3Uri})`);
      }
      if (objects.length === 0) {
        const { bucket } = parseS3Uri(s3.S3Uri);
        throw new JobFailed(
          `ClientError: No S3 objects found under S3 URL "${s3.S3Uri}" given in input data source. Please ensure that the bucket exists in the selected region (${this.ctx.region}), that objects exist under that S3 prefix, and that the role "${job.request.RoleArn}" has "s3:ListBucket" permissions on bucket "${bucket}".`,
        );
      }
      const sharded = s3.S3DataDistributionType === 'ShardedByS3Key';
      control.log(`input ${input.InputName}: ${objects.length} object(s) under ${s3.S3Uri}${sharded ? ', sharded by S3 key' : ''}`);
      out.push({ name: input.InputName, localPath: s3.LocalPath!, uri: s3.S3Uri, sharded, objects });
    }
    return out;
  }

  /** One instance: its /opt/ml (config, inputs, output folders), its container, then its outputs. */
  private async runInstance(job: ProcessingJob, control: JobControl, run: Run, instance: JobInstance): Promise<void> {
    const { index, signal } = instance;
    const host = run.hosts[index]!;
    const r = job.request;
    const layout = processingLayout(path.join(job.state.root, host));
    writeProcessingConfig(layout, this.jobConfig(job), resourceConfig(r.ProcessingResources.ClusterConfig.InstanceType, host, run.hosts));
    for (const input of run.inputs) {
      const dir = hostPath(layout.root, input.localPath)!;
      fs.mkdirSync(dir, { recursive: true });
      const objects = input.sharded ? shardByS3Key(input.objects, run.hosts.length, index) : input.objects;
      try {
        for (const o of objects) await this.ctx.s3.download(o.bucket, o.key, resolveInside(dir, o.relative), signal);
      } catch (e) {
        control.checkStopped();
        if (signal.aborted) throw new InstanceCancelled();
        throw new JobFailed(`ClientError: Data download failed:Failed to download data. ${errorMessage(e)} (${input.uri})`);
      }
      control.log(`${host}: input ${input.name}: ${objects.length} object(s) in ${input.localPath}${input.sharded ? ` (its shard: ${objects.map((o) => o.key).join(', ') || 'none'})` : ''}`);
    }
    // The platform creates each output's LocalPath before the entrypoint runs.
    for (const out of this.s3Outputs(job)) fs.mkdirSync(hostPath(layout.root, out.S3Output.LocalPath!)!, { recursive: true });
    control.checkStopped();
    if (signal.aborted) throw new InstanceCancelled();

    const argv = mapContainerPaths(layout.root, [...run.entrypoint, ...(r.AppSpecification.ContainerArguments ?? [])]) as [string, ...string[]];
    const env = { ...containerEnvironment(this.ctx), ...run.env, SAGEMAKER_BASE_DIR: layout.root, ...(r.Environment ?? {}) };
    const proc = this.ctx.procs.spawn({ kind: 'processing', owner: job.name, argv, env, cwd: run.cwd, root: layout.root });
    control.adopt(proc);
    control.log(`${host}: started ${argv.join(' ')} (pid ${proc.pid})`);
    // Another instance failed: this one is stopped, as SageMaker ends the whole cluster (a stop of
    // the job itself reaches the process through the job's own stop).
    const cancel = () => {
      if (!job.signal.aborted) void proc.stop(this.ctx.timings.stopGracePeriodMs);
    };
    signal.addEventListener('abort', cancel, { once: true });
    const outputs = this.s3Outputs(job);
    const sync = new OutputSync(this.ctx, control, outputs, layout, host, run.uploaded);
    const timer = outputs.some((o) => o.S3Output.S3UploadMode === 'Continuous') ? setInterval(() => void sync.continuous(), CONTINUOUS_SYNC_MS) : undefined;
    let exit: ExitInfo;
    try {
      exit = await proc.exited;
    } finally {
      signal.removeEventListener('abort', cancel);
      if (timer) clearInterval(timer);
      await sync.idle();
    }
    const message = readMessage(layout);
    job.state.messages[index] = message.text ?? null;
    control.touch();
    control.checkStopped();
    if (signal.aborted) throw new InstanceCancelled();
    if (message.invalid) throw new JobFailed(`ClientError: ${host}: the file /opt/ml/output/message is not UTF-8 encoded.`);
    const status = exitStatus(exit);
    if (status !== 0) {
      control.log(`${host}: the processing container exited with code ${status}`);
      throw new JobFailed(ALGORITHM_ERROR);
    }
    await sync.final();
  }

  private s3Outputs(job: ProcessingJob): (ProcessingOutput & { S3Output: NonNullable<ProcessingOutput['S3Output']> })[] {
    return (job.request.ProcessingOutputConfig?.Outputs ?? []).filter((o): o is ProcessingOutput & { S3Output: NonNullable<ProcessingOutput['S3Output']> } => !!o.S3Output && !o.AppManaged);
  }

  /** `processingjobconfig.json`: the request as DescribeProcessingJob reports it, as in SageMaker's documented example. */
  private jobConfig(job: ProcessingJob): Record<string, unknown> {
    const r = job.request;
    return {
      ProcessingJobArn: job.arn,
      ProcessingJobName: job.name,
      AppSpecification: { ContainerEntrypoint: null, ContainerArguments: null, ...clone(r.AppSpecification) },
      Environment: clone(r.Environment ?? {}),
      ProcessingInputs: describeInputs(r) ?? [],
      ProcessingOutputConfig: { KmsKeyId: null, ...(describeOutputs(r) ?? { Outputs: [] }) },
      ProcessingResources: clone(r.ProcessingResources),
      RoleArn: r.RoleArn,
      StoppingCondition: { MaxRuntimeInSeconds: DEFAULT_MAX_RUNTIME, ...clone(r.StoppingCondition) },
    };
  }
}

/**
 * Uploads one instance's S3 outputs: every file under each LocalPath to `<S3Uri>/<path relative
 * to LocalPath>`. Continuous outputs are synced while the container runs (files new or changed
 * since their last upload), EndOfJob outputs once it has exited successfully.
 */
class OutputSync {
  /** File → size and mtime at its last upload. */
  private readonly sent = new Map<string, string>();
  private running?: Promise<void>;

  constructor(
    private readonly ctx: Context,
    private readonly control: JobControl,
    private readonly outputs: { OutputName: string; S3Output: { S3Uri: string; LocalPath?: string; S3UploadMode: string } }[],
    private readonly layout: ProcessingLayout,
    private readonly host: string,
    private readonly uploaded: Map<string, string>,
  ) {}

  /** A Continuous sync; errors are logged and retried on the next tick. */
  continuous(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.sync(this.outputs.filter((o) => o.S3Output.S3UploadMode === 'Continuous'))
      .catch((e: unknown) => this.control.log(`${this.host}: continuous upload failed (retried): ${errorMessage(e)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async idle(): Promise<void> {
    await this.running;
  }

  /** Every output, after the container exited successfully; a failure fails the job. */
  async final(): Promise<void> {
    await this.idle();
    try {
      await this.sync(this.outputs);
    } catch (e) {
      throw new JobFailed(`ClientError: ${errorMessage(e)}`);
    }
  }

  private async sync(outputs: typeof this.outputs): Promise<void> {
    for (const out of outputs) {
      const dir = hostPath(this.layout.root, out.S3Output.LocalPath!)!;
      let count = 0;
      for (const rel of listFiles(dir)) {
        const file = path.join(dir, rel);
        let stat: fs.Stats;
        try {
          stat = fs.statSync(file);
        } catch {
          continue; // removed meanwhile
        }
        const signature = `${stat.size}:${stat.mtimeMs}`;
        if (this.sent.get(file) === signature) continue;
        const uri = joinS3(out.S3Output.S3Uri, rel);
        try {
          await this.ctx.s3.uploadFile(file, uri);
        } catch (e) {
          throw new Error(`Failed to upload output ${out.OutputName} to ${uri}: ${errorMessage(e)}`);
        }
        this.sent.set(file, signature);
        count++;
        const previous = this.uploaded.get(uri);
        if (previous && previous !== this.host) this.control.log(`${this.host}: ${uri} replaces the object ${previous} uploaded there (the instances share the S3Uri: the last upload wins)`);
        this.uploaded.set(uri, this.host);
      }
      if (count > 0) this.control.log(`${this.host}: output ${out.OutputName}: uploaded ${count} file(s) to ${out.S3Output.S3Uri}`);
    }
  }
}

/** LocalPath must name a folder under /opt/ml/processing/ (the contract), inside the instance's root. */
function checkLocalPath(localPath: string | undefined, member: string): string {
  if (localPath === undefined) throw validationException(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  // `..` would climb out of /opt/ml/processing (and out of the instance's folder here).
  if (!localPath.startsWith(PROCESSING_PREFIX) || hasDotSegment(localPath)) {
    throw validationException(`1 validation error detected: Value '${localPath}' at '${member}' failed to satisfy constraint: Member must be an absolute path that begins with ${PROCESSING_PREFIX}`);
  }
  return localPath.replace(/\/+$/, '');
}

function describeInputs(r: CreateProcessingJobRequest): unknown[] | undefined {
  return r.ProcessingInputs?.map((i) => ({
    ...clone(i),
    AppManaged: i.AppManaged ?? false,
    S3Input: i.S3Input ? { S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated', S3CompressionType: 'None', ...clone(i.S3Input) } : undefined,
  }));
}

function describeOutputs(r: CreateProcessingJobRequest): Record<string, unknown> | undefined {
  const c = r.ProcessingOutputConfig;
  if (!c) return undefined;
  return { ...clone(c), Outputs: c.Outputs.map((o) => ({ ...clone(o), AppManaged: o.AppManaged ?? false })) };
}

/**
 * ExitMessage, once the job has ended: each instance's /opt/ml/output/message, concatenated in host
 * order and cut to 1 KB, as SageMaker reports it.
 */
function exitMessage(job: ProcessingJob): string | undefined {
  if (job.status === 'InProgress' || job.status === 'Stopping') return undefined;
  const parts = job.state.messages.filter((m): m is string => m !== null);
  return parts.length > 0 ? parts.join('').slice(0, MAX_MESSAGE) : undefined;
}

function readMessage(layout: ProcessingLayout): { text?: string; invalid?: boolean } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(layout.messageFile);
  } catch {
    return {};
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { invalid: true };
  }
}
