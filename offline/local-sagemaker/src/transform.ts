import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MiniBatcher, PayloadTooLargeError, encodeBatch, splitResponse } from './batching';
import { type Context, errorMessage } from './context';
import { DataProcessingError, type DataProcessingSpec, RecordProcessor, formatOf } from './dataprocessing';
import { validationException } from './errors';
import { TimeoutError, httpRequest } from './http-client';
import { InstanceCancelled, type Job, type JobControl, JobFailed, type JobRunner, JobStopped, runOnInstances } from './jobs';
import type { ModelRecord, ModelStore } from './models';
import { ManifestError, type S3ObjectRef, checkS3Uri, joinS3, resolveInside, shardByS3Key } from './s3';
import { type ServingInstance, ServingError, startServing } from './serving';
import { clone } from './wire';

export interface CreateTransformJobRequest {
  TransformJobName: string;
  ModelName: string;
  MaxConcurrentTransforms?: number;
  ModelClientConfig?: { InvocationsTimeoutInSeconds?: number; InvocationsMaxRetries?: number };
  MaxPayloadInMB?: number;
  BatchStrategy?: 'MultiRecord' | 'SingleRecord';
  Environment?: Record<string, string>;
  TransformInput: {
    DataSource: { S3DataSource: { S3DataType: string; S3Uri: string } };
    ContentType?: string;
    CompressionType?: string;
    SplitType?: string;
  };
  TransformOutput: { S3OutputPath: string; Accept?: string; AssembleWith?: string; KmsKeyId?: string };
  TransformResources: { InstanceType: string; InstanceCount: number; [k: string]: unknown };
  DataProcessing?: DataProcessingSpec;
  [k: string]: unknown;
}

export interface TransformState {
  model: ModelRecord;
  /** What the job runs with: the request's values, else the container's execution parameters, else the defaults. */
  effective: { maxConcurrent?: number; maxPayloadInMB?: number; batchStrategy?: 'MultiRecord' | 'SingleRecord' };
  instances: ServingInstance[];
}

export type TransformJob = Job<CreateTransformJobRequest, TransformState>;

const SEE_LOGS = 'ClientError: See job logs for more information';

interface PendingRecord {
  input: string;
  sent: string;
}

/** Batch transform (CreateTransformJob & co.): the model's serving containers, every input object streamed through them. */
export class TransformRunner implements JobRunner<CreateTransformJobRequest, TransformState> {
  readonly member = 'TransformJob';
  readonly arnType = 'transform-job';
  readonly noun = 'transform job';
  readonly acceptsRepeatedStop = true;

  constructor(
    private readonly ctx: Context,
    private readonly models: ModelStore,
  ) {}

  conflictMessage(arn: string): string {
    return `Job name must be unique within an AWS account and region, and a job with this name already exists (${arn})`;
  }

  injectedFailure(jobName: string): string | undefined {
    return this.ctx.faults.transformFailure(jobName);
  }

  prepare(req: CreateTransformJobRequest): TransformState {
    const model = this.models.get(req.ModelName);
    if (!model) throw this.models.notFound(req.ModelName);
    try {
      new RecordProcessor(req.DataProcessing, req.TransformInput.ContentType, req.TransformOutput.Accept);
    } catch (e) {
      throw validationException(`Invalid DataProcessing: ${errorMessage(e)}`);
    }
    checkS3Uri(req.TransformInput.DataSource.S3DataSource.S3Uri, 'transformInput.dataSource.s3DataSource.s3Uri');
    checkS3Uri(req.TransformOutput.S3OutputPath, 'transformOutput.s3OutputPath');
    return {
      model,
      effective: { maxConcurrent: req.MaxConcurrentTransforms || undefined, maxPayloadInMB: req.MaxPayloadInMB, batchStrategy: req.BatchStrategy },
      instances: [],
    };
  }

  persistedState(state: TransformState): TransformState {
    return { ...state, instances: [] };
  }

  describe(job: TransformJob): Record<string, unknown> {
    const r = job.request;
    const e = job.state.effective;
    return {
      TransformJobName: job.name,
      TransformJobArn: job.arn,
      TransformJobStatus: job.status,
      FailureReason: job.failureReason,
      ModelName: r.ModelName,
      MaxConcurrentTransforms: e.maxConcurrent,
      ModelClientConfig: clone(r.ModelClientConfig),
      MaxPayloadInMB: e.maxPayloadInMB,
      BatchStrategy: e.batchStrategy,
      Environment: clone(r.Environment ?? {}),
      TransformInput: { CompressionType: 'None', SplitType: 'None', ...clone(r.TransformInput) },
      TransformOutput: { AssembleWith: 'None', ...clone(r.TransformOutput) },
      DataCaptureConfig: clone(r.DataCaptureConfig),
      TransformResources: clone(r.TransformResources),
      CreationTime: job.creationTime,
      TransformStartTime: job.startTime,
      TransformEndTime: job.endTime,
      DataProcessing: { InputFilter: '$', OutputFilter: '$', JoinSource: 'None', ...clone(r.DataProcessing) },
      ExperimentConfig: clone(r.ExperimentConfig),
    };
  }

  summary(job: TransformJob): Record<string, unknown> {
    return {
      TransformJobName: job.name,
      TransformJobArn: job.arn,
      CreationTime: job.creationTime,
      TransformEndTime: job.endTime,
      LastModifiedTime: job.lastModifiedTime,
      TransformJobStatus: job.status,
      FailureReason: job.failureReason,
    };
  }

  async run(job: TransformJob, control: JobControl): Promise<void> {
    control.started();
    await this.startContainers(job, control);
    await control.injectFaults();
    await this.resolveExecutionParameters(job, control);
    const objects = await this.listInputs(job, control);
    const { instances } = job.state;
    // Each instance transforms its own objects (whole), all instances at once.
    await runOnInstances(instances.length, job.signal, async ({ index, signal }) => {
      const inst = instances[index]!;
      const mine = shardByS3Key(objects, instances.length, index);
      if (instances.length > 1) control.log(`${inst.id}: ${mine.length} of the ${objects.length} input object(s)`);
      for (const obj of mine) {
        control.checkStopped();
        if (signal.aborted) throw new InstanceCancelled();
        await this.processObject(job, control, obj, inst, signal);
      }
    });
    control.checkStopped();
  }

  private async startContainers(job: TransformJob, control: JobControl): Promise<void> {
    const count = Math.max(1, job.request.TransformResources.InstanceCount ?? 1);
    const r = job.request;
    const { model } = job.state;
    const extraEnv: Record<string, string> = {
      ...(r.Environment ?? {}),
      SAGEMAKER_BATCH: 'true',
      ...(r.MaxPayloadInMB !== undefined ? { SAGEMAKER_MAX_PAYLOAD_IN_MB: String(r.MaxPayloadInMB) } : {}),
      ...(r.BatchStrategy ? { SAGEMAKER_BATCH_STRATEGY: r.BatchStrategy === 'MultiRecord' ? 'MULTI_RECORD' : 'SINGLE_RECORD' } : {}),
      ...(r.MaxConcurrentTransforms ? { SAGEMAKER_MAX_CONCURRENT_TRANSFORMS: String(r.MaxConcurrentTransforms) } : {}),
    };
    const started: ServingInstance[] = [];
    await runOnInstances(count, job.signal, async ({ index, signal }) => {
      try {
        const inst = await startServing(this.ctx, {
          kind: 'transform',
          owner: job.name,
          instanceId: `instance-${index + 1}`,
          model,
          extraEnv,
          healthTimeoutMs: this.ctx.timings.healthCheckTimeoutMs,
          signal,
        });
        started[index] = inst;
        control.adopt(inst.proc);
      } catch (e) {
        control.checkStopped();
        if (!(e instanceof ServingError)) throw e;
        const image = model.containers[0]?.Image;
        switch (e.kind) {
          case 'image':
            throw new JobFailed(`ClientError: API error (404): manifest for ${image} not found: manifest unknown: Requested image not found`);
          case 'health':
            throw new JobFailed(`ClientError: The model container for model ${model.name} did not pass the ping health check (${e.message}). Please check CloudWatch logs for this transform job.`);
          case 'aborted':
            throw new JobStopped();
          default:
            throw new JobFailed(`ClientError: ${e.message}`);
        }
      }
    });
    job.state.instances.push(...started);
  }

  /** GET /execution-parameters (optional in the contract) fills whatever the request left unset. */
  private async resolveExecutionParameters(job: TransformJob, control: JobControl): Promise<void> {
    const e = job.state.effective;
    if (e.maxConcurrent === undefined || e.maxPayloadInMB === undefined || e.batchStrategy === undefined) {
      try {
        const res = await httpRequest(`${job.state.instances[0]!.url}/execution-parameters`, { timeoutMs: 2000, signal: job.signal });
        if (res.status === 200) {
          const p = JSON.parse(res.body.toString('utf8')) as { MaxConcurrentTransforms?: number; BatchStrategy?: string; MaxPayloadInMB?: number };
          control.log(`execution parameters from the container: ${res.body.toString('utf8')}`);
          if (e.maxConcurrent === undefined && Number.isInteger(p.MaxConcurrentTransforms) && p.MaxConcurrentTransforms! > 0) e.maxConcurrent = p.MaxConcurrentTransforms;
          if (e.maxPayloadInMB === undefined && Number.isInteger(p.MaxPayloadInMB) && p.MaxPayloadInMB! >= 0) e.maxPayloadInMB = p.MaxPayloadInMB;
          if (e.batchStrategy === undefined && (p.BatchStrategy === 'MultiRecord' || p.BatchStrategy === 'SingleRecord')) e.batchStrategy = p.BatchStrategy;
        }
      } catch {
        /* optional endpoint */
      }
    }
    e.maxConcurrent ??= 1;
    e.maxPayloadInMB ??= 6;
    e.batchStrategy ??= 'MultiRecord';
    control.touch();
  }

  private async listInputs(job: TransformJob, control: JobControl): Promise<S3ObjectRef[]> {
    const src = job.request.TransformInput.DataSource.S3DataSource;
    try {
      if (src.S3DataType === 'ManifestFile') return await this.ctx.s3.listManifest(src.S3Uri, job.signal);
      if (src.S3DataType !== 'S3Prefix') throw new JobFailed(`ClientError: S3DataType ${src.S3DataType} is not supported by local-sagemaker batch transform.`);
      const objects = await this.ctx.s3.listPrefix(src.S3Uri, job.signal);
      if (objects.length === 0) throw new JobFailed(`ClientError: No S3 objects found under S3 URL "${src.S3Uri}" given in input data source. Please ensure that the bucket exists in the selected region (${this.ctx.region}) and that objects exist under that S3 prefix.`);
      control.log(`${objects.length} input object(s) under ${src.S3Uri}`);
      return objects;
    } catch (e) {
      control.checkStopped();
      if (e instanceof JobFailed) throw e;
      if (e instanceof ManifestError) throw new JobFailed(`ClientError: ${e.message}`);
      throw new JobFailed(`ClientError: Failed to list input data under ${src.S3Uri}: ${errorMessage(e)}`);
    }
  }

  /** Streams one object through one instance (`signal`: the job's stop, or another instance's failure). */
  private async processObject(job: TransformJob, control: JobControl, obj: S3ObjectRef, inst: ServingInstance, signal: AbortSignal): Promise<void> {
    const r = job.request;
    const e = job.state.effective;
    const maxBytes = (e.maxPayloadInMB ?? 6) * 1024 * 1024;
    const processor = new RecordProcessor(r.DataProcessing, r.TransformInput.ContentType, r.TransformOutput.Accept);
    const assembleLines = r.TransformOutput.AssembleWith === 'Line';
    const outUri = joinS3(r.TransformOutput.S3OutputPath, `${obj.relative}.out`);
    control.log(`${inst.id}: transforming s3://${obj.bucket}/${obj.key} -> ${outUri}`);
    let body: Readable;
    try {
      body = await this.ctx.s3.getStream(obj.bucket, obj.key, signal);
    } catch (err) {
      control.checkStopped();
      if (signal.aborted) throw new InstanceCancelled();
      throw new JobFailed(`ClientError: Failed to download input data s3://${obj.bucket}/${obj.key}: ${errorMessage(err)}`);
    }
    const input: Readable = r.TransformInput.CompressionType === 'Gzip' ? body.pipe(createGunzip()) : body;
    const split = r.TransformInput.SplitType ?? 'None';
    if (split === 'RecordIO' || split === 'TFRecord') throw new JobFailed(`ClientError: SplitType ${split} is not supported by local-sagemaker.`);
    const textual = formatOf(r.TransformInput.ContentType) !== undefined || !r.TransformInput.ContentType;
    const perRecord = split === 'Line' || (processor.perRecordOutput || processor.filtersInput) && textual;
    const results: Buffer[] = [];

    if (!perRecord) {
      // SplitType None: the whole object is one request, bytes untouched.
      const chunks: Buffer[] = [];
      for await (const c of input) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
      const payload = Buffer.concat(chunks);
      if (maxBytes > 0 && payload.length > maxBytes) {
        control.log(`s3://${obj.bucket}/${obj.key} is ${payload.length} bytes, more than MaxPayloadInMB (${e.maxPayloadInMB} MB)`);
        throw new JobFailed('ClientError: Too much data for max payload size');
      }
      const out = await this.invoke(job, control, inst, signal, payload);
      results.push(assembleLines && out.length > 0 && out[out.length - 1] !== 0x0a ? Buffer.concat([out, Buffer.from('\n')]) : out);
    } else {
      const batcher = new MiniBatcher<PendingRecord>(split === 'Line' ? (e.batchStrategy ?? 'MultiRecord') : 'MultiRecord', split === 'Line' ? maxBytes : 0);
      // MaxConcurrentTransforms is per instance.
      const pool = new OrderedPool(Math.max(1, e.maxConcurrent ?? 1));
      let n = 0;
      const submit = (batch: PendingRecord[]) => {
        const index = n++;
        return pool.submit(index, async () => {
          const out = await this.invoke(job, control, inst, signal, encodeBatch(batch.map((b) => b.sent)));
          return this.assemble(control, processor, batch, out, assembleLines);
        });
      };
      try {
        const lines = readline.createInterface({ input, crlfDelay: Infinity });
        for await (const line of lines) {
          if (line.length === 0) continue;
          if (pool.failed) break;
          const sent = processor.input(line);
          for (const batch of batcher.push({ input: line, sent }, sent)) await submit(batch);
        }
        for (const batch of batcher.flush()) await submit(batch);
      } catch (err) {
        pool.fail(err);
      }
      const ordered = await pool.drain();
      results.push(...ordered);
    }
    control.checkStopped();
    if (signal.aborted) throw new InstanceCancelled();
    const file = resolveInside(path.join(this.ctx.workDir, 'transform', job.name.toLowerCase(), 'output'), `${obj.relative}.out`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat(results));
    try {
      await this.ctx.s3.uploadFile(file, outUri);
    } catch (err) {
      throw new JobFailed(`ClientError: Failed to upload output to ${outUri}: ${errorMessage(err)}`);
    }
  }

  private assemble(control: JobControl, processor: RecordProcessor, batch: PendingRecord[], out: Buffer, lines: boolean): Buffer {
    if (!processor.perRecordOutput) {
      return lines && out.length > 0 && out[out.length - 1] !== 0x0a ? Buffer.concat([out, Buffer.from('\n')]) : out;
    }
    const outputs = splitResponse(out.toString('utf8'), batch.length);
    if (!outputs) {
      control.log(`the model returned a response whose line count does not match the ${batch.length} records of the request: cannot join`);
      throw new JobFailed('ClientError: Fail to join data: mismatched line count between the input and the output');
    }
    const joined = outputs.map((o, k) => processor.output(batch[k]!.input, o));
    return Buffer.from(lines ? joined.map((j) => j + '\n').join('') : joined.join(''), 'utf8');
  }

  /** POST /invocations to the object's instance, with retries of 5xx and timeouts (ModelClientConfig). */
  private async invoke(job: TransformJob, control: JobControl, inst: ServingInstance, signal: AbortSignal, body: Buffer): Promise<Buffer> {
    const r = job.request;
    const maxRetries = r.ModelClientConfig?.InvocationsMaxRetries ?? 3;
    const timeoutMs = (r.ModelClientConfig?.InvocationsTimeoutInSeconds ?? 600) * 1000;
    const headers: Record<string, string> = {};
    if (r.TransformInput.ContentType) headers['Content-Type'] = r.TransformInput.ContentType;
    if (r.TransformOutput.Accept) headers.Accept = r.TransformOutput.Accept;
    for (let attempt = 0; ; attempt++) {
      control.checkStopped();
      if (signal.aborted) throw new InstanceCancelled();
      let detail: string;
      let retryable: boolean;
      try {
        const res = await httpRequest(`${inst.url}/invocations`, { method: 'POST', headers, body, timeoutMs, signal });
        if (res.status >= 200 && res.status < 300) return res.body;
        detail = `Bad HTTP status received from algorithm: ${res.status}. Response: ${res.body.toString('utf8').slice(0, 1024)}`;
        retryable = res.status >= 500;
      } catch (err) {
        control.checkStopped();
        if (signal.aborted) throw new InstanceCancelled();
        detail = err instanceof TimeoutError ? `Model server did not respond to /invocations request within ${timeoutMs / 1000} seconds` : `Error invoking the model container: ${errorMessage(err)}`;
        retryable = true;
      }
      control.log(`${inst.id}: ${detail}`);
      if (!retryable || attempt >= maxRetries) throw new JobFailed(SEE_LOGS);
    }
  }
}

/** Runs tasks with bounded concurrency and returns their results in submission order. */
class OrderedPool {
  private readonly results: Buffer[] = [];
  private readonly running = new Set<Promise<void>>();
  private error: unknown;

  constructor(private readonly concurrency: number) {}

  get failed(): boolean {
    return this.error !== undefined;
  }

  fail(err: unknown): void {
    this.error ??= err;
  }

  async submit(index: number, task: () => Promise<Buffer>): Promise<void> {
    while (this.running.size >= this.concurrency) await Promise.race(this.running);
    if (this.failed) return;
    const p: Promise<void> = task()
      .then((buf) => {
        this.results[index] = buf;
      })
      .catch((err) => this.fail(err))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drain(): Promise<Buffer[]> {
    await Promise.all(this.running);
    if (this.error !== undefined) {
      const err = this.error;
      if (err instanceof PayloadTooLargeError) throw new JobFailed('ClientError: Too much data for max payload size');
      if (err instanceof DataProcessingError) throw new JobFailed(`ClientError: ${err.message}`);
      throw err;
    }
    return this.results;
  }
}
