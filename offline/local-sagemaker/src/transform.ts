import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MiniBatcher, PayloadTooLargeError, encodeBatch, splitResponse } from './batching';
import { type Context, errorMessage } from './context';
import { DataProcessingError, type DataProcessingSpec, RecordProcessor, formatOf } from './dataprocessing';
import { resourceInUse, validationException } from './errors';
import { TimeoutError, httpRequest } from './http-client';
import { type ListRequest, listPage } from './listing';
import type { ModelRecord, ModelStore } from './models';
import { type S3ObjectRef, joinS3, parseS3Uri, relativeToPrefix } from './s3';
import { type ServingInstance, ServingError, startServing } from './serving';
import type { TagStore } from './tags';
import { clone } from './wire';

type TransformStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

interface CreateTransformJobRequest {
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

export interface TransformJob {
  name: string;
  arn: string;
  request: CreateTransformJobRequest;
  model: ModelRecord;
  status: TransformStatus;
  failureReason?: string;
  creationTime: Date;
  lastModifiedTime: Date;
  startTime?: Date;
  endTime?: Date;
  effective: { maxConcurrent?: number; maxPayloadInMB?: number; batchStrategy?: 'MultiRecord' | 'SingleRecord' };
  instances: ServingInstance[];
  stopReason?: 'user' | 'shutdown';
  abort: AbortController;
  done?: Promise<void>;
}

class JobFailed extends Error {}
class JobStopped extends Error {}

const TERMINAL: TransformStatus[] = ['Completed', 'Failed', 'Stopped'];
const SEE_LOGS = 'ClientError: See job logs for more information';

interface PendingRecord {
  input: string;
  sent: string;
}

/** Batch transform: CreateTransformJob, DescribeTransformJob, StopTransformJob, ListTransformJobs. */
export class TransformService {
  private readonly jobs = new Map<string, TransformJob>();

  constructor(
    private readonly ctx: Context,
    private readonly models: ModelStore,
    private readonly tags: TagStore,
  ) {}

  get(name: string): TransformJob | undefined {
    return this.jobs.get(name.toLowerCase());
  }

  all(): TransformJob[] {
    return [...this.jobs.values()];
  }

  create(input: Record<string, unknown>): { TransformJobArn: string } {
    const req = clone(input) as CreateTransformJobRequest;
    const name = req.TransformJobName;
    const arn = this.ctx.arns.of('transform-job', name);
    if (this.jobs.has(name.toLowerCase())) {
      throw resourceInUse(`Job name must be unique within an AWS account and region, and a job with this name already exists (${arn})`);
    }
    const model = this.models.get(req.ModelName);
    if (!model) throw this.models.notFound(req.ModelName);
    try {
      new RecordProcessor(req.DataProcessing, req.TransformInput.ContentType, req.TransformOutput.Accept);
    } catch (e) {
      throw validationException(`Invalid DataProcessing: ${errorMessage(e)}`);
    }
    this.tags.add(arn, req.Tags as never);
    const now = new Date();
    const job: TransformJob = {
      name,
      arn,
      request: req,
      model,
      status: 'InProgress',
      creationTime: now,
      lastModifiedTime: now,
      effective: { maxConcurrent: req.MaxConcurrentTransforms || undefined, maxPayloadInMB: req.MaxPayloadInMB, batchStrategy: req.BatchStrategy },
      instances: [],
      abort: new AbortController(),
    };
    this.jobs.set(name.toLowerCase(), job);
    this.ctx.logs.system(name, `transform job ${arn} created`);
    job.done = this.run(job);
    return { TransformJobArn: arn };
  }

  describe(input: { TransformJobName: string }): Record<string, unknown> {
    const job = this.get(input.TransformJobName);
    if (!job) throw validationException('Requested resource not found.');
    const r = job.request;
    return {
      TransformJobName: job.name,
      TransformJobArn: job.arn,
      TransformJobStatus: job.status,
      FailureReason: job.failureReason,
      ModelName: r.ModelName,
      MaxConcurrentTransforms: job.effective.maxConcurrent,
      ModelClientConfig: clone(r.ModelClientConfig),
      MaxPayloadInMB: job.effective.maxPayloadInMB,
      BatchStrategy: job.effective.batchStrategy,
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

  stop(input: { TransformJobName: string }): Record<string, never> {
    const job = this.get(input.TransformJobName);
    if (!job) throw validationException('Requested resource not found.');
    if (job.status === 'Stopping') return {};
    if (job.status !== 'InProgress') throw validationException(`The request was rejected because the transform job is in status ${job.status}.`);
    this.requestStop(job, 'user');
    return {};
  }

  list(input: ListRequest): Record<string, unknown> {
    const page = listPage(
      this.all().map((j) => ({ job: j, name: j.name, creationTime: j.creationTime, lastModifiedTime: j.lastModifiedTime, status: j.status })),
      input,
    );
    return {
      TransformJobSummaries: page.items.map(({ job }) => ({
        TransformJobName: job.name,
        TransformJobArn: job.arn,
        CreationTime: job.creationTime,
        TransformEndTime: job.endTime,
        LastModifiedTime: job.lastModifiedTime,
        TransformJobStatus: job.status,
        FailureReason: job.failureReason,
      })),
      NextToken: page.nextToken,
    };
  }

  async shutdown(): Promise<void> {
    for (const job of this.jobs.values()) if (!TERMINAL.includes(job.status)) this.requestStop(job, 'shutdown');
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  // ------------------------------------------------------------------ run

  private requestStop(job: TransformJob, why: 'user' | 'shutdown'): void {
    if (TERMINAL.includes(job.status) || job.stopReason) return;
    job.stopReason = why;
    job.status = 'Stopping';
    job.lastModifiedTime = new Date();
    this.ctx.logs.system(job.name, why === 'user' ? 'StopTransformJob received: stopping' : 'server shutting down: stopping');
    job.abort.abort();
  }

  private finish(job: TransformJob, status: TransformStatus, reason?: string): void {
    job.status = status;
    job.failureReason = reason;
    job.endTime = new Date();
    job.lastModifiedTime = job.endTime;
    this.ctx.logs.system(job.name, `${status}${reason ? `: ${reason}` : ''}`);
  }

  private async run(job: TransformJob): Promise<void> {
    let outcome: { status: TransformStatus; reason?: string };
    try {
      await Promise.resolve();
      job.startTime = new Date();
      await this.startContainers(job);
      const injected = this.ctx.faults.transformFailure(job.name);
      if (injected !== undefined) throw new JobFailed(injected);
      if (this.ctx.faults.hangs(job.name)) {
        this.ctx.logs.system(job.name, 'fault injection: this job hangs until stopped');
        await new Promise<void>((resolve) => job.abort.signal.addEventListener('abort', () => resolve(), { once: true }));
        throw new JobStopped();
      }
      await this.resolveExecutionParameters(job);
      const objects = await this.listInputs(job);
      for (const obj of objects) {
        if (job.stopReason) throw new JobStopped();
        await this.processObject(job, obj);
      }
      if (job.stopReason) throw new JobStopped();
      outcome = { status: 'Completed' };
    } catch (e) {
      if (job.stopReason || e instanceof JobStopped) outcome = { status: 'Stopped' };
      else if (e instanceof JobFailed) outcome = { status: 'Failed', reason: e.message };
      else outcome = { status: 'Failed', reason: `InternalServerError: ${errorMessage(e)}` };
    }
    // The instances are torn down before the job reports its end, as on SageMaker.
    await Promise.all(job.instances.map((i) => i.proc.stop(this.ctx.timings.stopGracePeriodMs)));
    this.finish(job, outcome.status, outcome.reason);
  }

  private async startContainers(job: TransformJob): Promise<void> {
    const count = Math.max(1, job.request.TransformResources.InstanceCount ?? 1);
    const r = job.request;
    const extraEnv: Record<string, string> = {
      ...(r.Environment ?? {}),
      SAGEMAKER_BATCH: 'true',
      ...(r.MaxPayloadInMB !== undefined ? { SAGEMAKER_MAX_PAYLOAD_IN_MB: String(r.MaxPayloadInMB) } : {}),
      ...(r.BatchStrategy ? { SAGEMAKER_BATCH_STRATEGY: r.BatchStrategy === 'MultiRecord' ? 'MULTI_RECORD' : 'SINGLE_RECORD' } : {}),
      ...(r.MaxConcurrentTransforms ? { SAGEMAKER_MAX_CONCURRENT_TRANSFORMS: String(r.MaxConcurrentTransforms) } : {}),
    };
    for (let i = 1; i <= count; i++) {
      try {
        const inst = await startServing(this.ctx, {
          kind: 'transform',
          owner: job.name,
          instanceId: `instance-${i}`,
          model: job.model,
          extraEnv,
          healthTimeoutMs: this.ctx.timings.healthCheckTimeoutMs,
          signal: job.abort.signal,
        });
        job.instances.push(inst);
      } catch (e) {
        if (job.stopReason) throw new JobStopped();
        if (!(e instanceof ServingError)) throw e;
        const image = job.model.containers[0]?.Image;
        switch (e.kind) {
          case 'image':
            throw new JobFailed(`ClientError: API error (404): manifest for ${image} not found: manifest unknown: Requested image not found`);
          case 'health':
            throw new JobFailed(`ClientError: The model container for model ${job.model.name} did not pass the ping health check (${e.message}). Please check CloudWatch logs for this transform job.`);
          case 'aborted':
            throw new JobStopped();
          default:
            throw new JobFailed(`ClientError: ${e.message}`);
        }
      }
    }
  }

  /** GET /execution-parameters (optional in the contract) fills whatever the request left unset. */
  private async resolveExecutionParameters(job: TransformJob): Promise<void> {
    const e = job.effective;
    if (e.maxConcurrent === undefined || e.maxPayloadInMB === undefined || e.batchStrategy === undefined) {
      try {
        const res = await httpRequest(`${job.instances[0]!.url}/execution-parameters`, { timeoutMs: 2000, signal: job.abort.signal });
        if (res.status === 200) {
          const p = JSON.parse(res.body.toString('utf8')) as { MaxConcurrentTransforms?: number; BatchStrategy?: string; MaxPayloadInMB?: number };
          this.ctx.logs.system(job.name, `execution parameters from the container: ${res.body.toString('utf8')}`);
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
    job.lastModifiedTime = new Date();
  }

  private async listInputs(job: TransformJob): Promise<S3ObjectRef[]> {
    const src = job.request.TransformInput.DataSource.S3DataSource;
    try {
      if (src.S3DataType === 'ManifestFile') return await this.readManifest(job, src.S3Uri);
      if (src.S3DataType !== 'S3Prefix') throw new JobFailed(`ClientError: S3DataType ${src.S3DataType} is not supported by local-sagemaker batch transform.`);
      const objects = await this.ctx.s3.listPrefix(src.S3Uri, job.abort.signal);
      if (objects.length === 0) throw new JobFailed(`ClientError: No S3 objects found under S3 URL "${src.S3Uri}" given in input data source. Please ensure that the bucket exists in the selected region (${this.ctx.region}) and that objects exist under that S3 prefix.`);
      this.ctx.logs.system(job.name, `${objects.length} input object(s) under ${src.S3Uri}`);
      return objects;
    } catch (e) {
      if (job.stopReason) throw new JobStopped();
      if (e instanceof JobFailed) throw e;
      throw new JobFailed(`ClientError: Failed to list input data under ${src.S3Uri}: ${errorMessage(e)}`);
    }
  }

  /** A manifest: `[{"prefix": "s3://bucket/folder/"}, "relative/key1", ...]`. */
  private async readManifest(job: TransformJob, uri: string): Promise<S3ObjectRef[]> {
    const { bucket, key } = parseS3Uri(uri);
    const manifest = JSON.parse((await this.ctx.s3.getBuffer(bucket, key, job.abort.signal)).toString('utf8')) as unknown[];
    const head = manifest[0] as { prefix?: string } | undefined;
    if (!head?.prefix) throw new JobFailed(`ClientError: The manifest file ${uri} must start with {"prefix": "s3://..."}.`);
    const prefix = parseS3Uri(head.prefix);
    return manifest.slice(1).map((rel) => {
      const k = prefix.key + String(rel);
      return { bucket: prefix.bucket, key: k, size: 0, relative: relativeToPrefix(prefix.key, k) };
    });
  }

  private async processObject(job: TransformJob, obj: S3ObjectRef): Promise<void> {
    const r = job.request;
    const e = job.effective;
    const maxBytes = (e.maxPayloadInMB ?? 6) * 1024 * 1024;
    const processor = new RecordProcessor(r.DataProcessing, r.TransformInput.ContentType, r.TransformOutput.Accept);
    const assembleLines = r.TransformOutput.AssembleWith === 'Line';
    const outUri = joinS3(r.TransformOutput.S3OutputPath, `${obj.relative}.out`);
    this.ctx.logs.system(job.name, `transforming s3://${obj.bucket}/${obj.key} -> ${outUri}`);
    let body: Readable;
    try {
      body = await this.ctx.s3.getStream(obj.bucket, obj.key, job.abort.signal);
    } catch (err) {
      if (job.stopReason) throw new JobStopped();
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
        this.ctx.logs.system(job.name, `s3://${obj.bucket}/${obj.key} is ${payload.length} bytes, more than MaxPayloadInMB (${e.maxPayloadInMB} MB)`);
        throw new JobFailed('ClientError: Too much data for max payload size');
      }
      const out = await this.invoke(job, 0, payload);
      results.push(assembleLines && out.length > 0 && out[out.length - 1] !== 0x0a ? Buffer.concat([out, Buffer.from('\n')]) : out);
    } else {
      const batcher = new MiniBatcher<PendingRecord>(split === 'Line' ? (e.batchStrategy ?? 'MultiRecord') : 'MultiRecord', split === 'Line' ? maxBytes : 0);
      const pool = new OrderedPool(Math.max(1, (e.maxConcurrent ?? 1) * job.instances.length));
      let n = 0;
      const submit = (batch: PendingRecord[]) => {
        const index = n++;
        return pool.submit(index, async () => {
          const out = await this.invoke(job, index, encodeBatch(batch.map((b) => b.sent)));
          return this.assemble(job, processor, batch, out, assembleLines);
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
    if (job.stopReason) throw new JobStopped();
    const file = path.join(this.ctx.workDir, 'transform', job.name.toLowerCase(), 'output', `${obj.relative}.out`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat(results));
    try {
      await this.ctx.s3.uploadFile(file, outUri);
    } catch (err) {
      throw new JobFailed(`ClientError: Failed to upload output to ${outUri}: ${errorMessage(err)}`);
    }
  }

  private assemble(job: TransformJob, processor: RecordProcessor, batch: PendingRecord[], out: Buffer, lines: boolean): Buffer {
    if (!processor.perRecordOutput) {
      return lines && out.length > 0 && out[out.length - 1] !== 0x0a ? Buffer.concat([out, Buffer.from('\n')]) : out;
    }
    const outputs = splitResponse(out.toString('utf8'), batch.length);
    if (!outputs) {
      this.ctx.logs.system(job.name, `the model returned a response whose line count does not match the ${batch.length} records of the request: cannot join`);
      throw new JobFailed('ClientError: Fail to join data: mismatched line count between the input and the output');
    }
    const joined = outputs.map((o, k) => processor.output(batch[k]!.input, o));
    return Buffer.from(lines ? joined.map((j) => j + '\n').join('') : joined.join(''), 'utf8');
  }

  /** POST /invocations with retries of 5xx and timeouts (ModelClientConfig), round-robin over instances. */
  private async invoke(job: TransformJob, index: number, body: Buffer): Promise<Buffer> {
    const r = job.request;
    const maxRetries = r.ModelClientConfig?.InvocationsMaxRetries ?? 3;
    const timeoutMs = (r.ModelClientConfig?.InvocationsTimeoutInSeconds ?? 600) * 1000;
    const headers: Record<string, string> = {};
    if (r.TransformInput.ContentType) headers['Content-Type'] = r.TransformInput.ContentType;
    if (r.TransformOutput.Accept) headers.Accept = r.TransformOutput.Accept;
    for (let attempt = 0; ; attempt++) {
      if (job.stopReason) throw new JobStopped();
      const inst = job.instances[(index + attempt) % job.instances.length]!;
      let detail: string;
      let retryable: boolean;
      try {
        const res = await httpRequest(`${inst.url}/invocations`, { method: 'POST', headers, body, timeoutMs, signal: job.abort.signal });
        if (res.status >= 200 && res.status < 300) return res.body;
        detail = `Bad HTTP status received from algorithm: ${res.status}. Response: ${res.body.toString('utf8').slice(0, 1024)}`;
        retryable = res.status >= 500;
      } catch (err) {
        if (job.stopReason) throw new JobStopped();
        detail = err instanceof TimeoutError ? `Model server did not respond to /invocations request within ${timeoutMs / 1000} seconds` : `Error invoking the model container: ${errorMessage(err)}`;
        retryable = true;
      }
      this.ctx.logs.system(job.name, `${inst.id}: ${detail}`);
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
