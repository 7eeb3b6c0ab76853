import { formatValidationMessage, sageMakerModel, validateRequest } from '@mlops/aws-models';
import type { Arns } from './arn';
import type { Context } from './context';
import { EndpointConfigStore } from './endpoint-configs';
import { type EndpointRestore, type UpdateEndpointRequest, EndpointService, type PersistedEndpoint } from './endpoints';
import { unknownOperation, validationException } from './errors';
import type { EndpointConfigRecord } from './endpoint-configs';
import { JobStore, type PersistedJob } from './jobs';
import { type ModelPackageGroupRecord, ModelPackageGroupStore, type ModelPackageRecord, ModelPackageStore } from './model-packages';
import { type ModelRecord, ModelStore } from './models';
import { type CreateProcessingJobRequest, ProcessingRunner, type ProcessingState } from './processing';
import type { ProcessInfo } from './processes';
import { type Tag, TagStore } from './tags';
import { type CreateTrainingJobRequest, TrainingRunner, type TrainingState } from './training';
import { type CreateTransformJobRequest, TransformRunner, type TransformState } from './transform';

type Handler = (input: Record<string, unknown>) => unknown;

/** The operations of the control plane this emulator serves (a subset of the API model). */
export const OPERATIONS = [
  'CreateTrainingJob',
  'DescribeTrainingJob',
  'StopTrainingJob',
  'ListTrainingJobs',
  'CreateModel',
  'DescribeModel',
  'DeleteModel',
  'ListModels',
  'CreateTransformJob',
  'DescribeTransformJob',
  'StopTransformJob',
  'ListTransformJobs',
  'CreateProcessingJob',
  'DescribeProcessingJob',
  'StopProcessingJob',
  'ListProcessingJobs',
  'CreateEndpointConfig',
  'DescribeEndpointConfig',
  'DeleteEndpointConfig',
  'ListEndpointConfigs',
  'CreateEndpoint',
  'DescribeEndpoint',
  'UpdateEndpoint',
  'DeleteEndpoint',
  'ListEndpoints',
  'CreateModelPackageGroup',
  'DescribeModelPackageGroup',
  'ListModelPackageGroups',
  'DeleteModelPackageGroup',
  'CreateModelPackage',
  'DescribeModelPackage',
  'ListModelPackages',
  'UpdateModelPackage',
  'DeleteModelPackage',
  'AddTags',
  'ListTags',
] as const;

export type OperationName = (typeof OPERATIONS)[number];

/** All resources and the operation table; transport-agnostic (server.ts speaks HTTP). */
export class SageMakerService {
  readonly tags = new TagStore();
  readonly models: ModelStore;
  readonly training: JobStore<CreateTrainingJobRequest, TrainingState>;
  readonly transform: JobStore<CreateTransformJobRequest, TransformState>;
  readonly processing: JobStore<CreateProcessingJobRequest, ProcessingState>;
  readonly endpointConfigs: EndpointConfigStore;
  readonly endpoints: EndpointService;
  readonly modelPackageGroups: ModelPackageGroupStore;
  readonly modelPackages: ModelPackageStore;
  private readonly handlers: Record<OperationName, Handler>;

  constructor(readonly ctx: Context) {
    this.models = new ModelStore(ctx, this.tags);
    this.training = new JobStore(ctx, this.tags, new TrainingRunner(ctx));
    this.transform = new JobStore(ctx, this.tags, new TransformRunner(ctx, this.models));
    this.processing = new JobStore(ctx, this.tags, new ProcessingRunner(ctx));
    this.endpointConfigs = new EndpointConfigStore(ctx, this.models, this.tags);
    this.endpoints = new EndpointService(ctx, this.endpointConfigs, this.models, this.tags);
    this.modelPackageGroups = new ModelPackageGroupStore(ctx, this.tags);
    this.modelPackages = new ModelPackageStore(ctx, this.modelPackageGroups, this.tags);
    this.models.packages = this.modelPackages;
    const any = (f: (i: never) => unknown): Handler => f as Handler;
    this.handlers = {
      CreateTrainingJob: (i) => this.training.create(i),
      DescribeTrainingJob: (i) => this.training.describe(i),
      StopTrainingJob: (i) => this.training.stop(i),
      ListTrainingJobs: (i) => this.training.list(i),
      CreateModel: (i) => this.models.create(i),
      DescribeModel: any((i: { ModelName: string }) => this.models.describe(i)),
      DeleteModel: any((i: { ModelName: string }) => this.models.delete(i)),
      ListModels: (i) => this.models.list(i),
      CreateTransformJob: (i) => this.transform.create(i),
      DescribeTransformJob: (i) => this.transform.describe(i),
      StopTransformJob: (i) => this.transform.stop(i),
      ListTransformJobs: (i) => this.transform.list(i),
      CreateProcessingJob: (i) => this.processing.create(i),
      DescribeProcessingJob: (i) => this.processing.describe(i),
      StopProcessingJob: (i) => this.processing.stop(i),
      ListProcessingJobs: (i) => this.processing.list(i),
      CreateEndpointConfig: (i) => this.endpointConfigs.create(i),
      DescribeEndpointConfig: any((i: { EndpointConfigName: string }) => this.endpointConfigs.describe(i)),
      DeleteEndpointConfig: any((i: { EndpointConfigName: string }) => this.endpointConfigs.delete(i)),
      ListEndpointConfigs: (i) => this.endpointConfigs.list(i),
      CreateEndpoint: any((i: { EndpointName: string; EndpointConfigName: string }) => this.endpoints.create(i)),
      DescribeEndpoint: any((i: { EndpointName: string }) => this.endpoints.describe(i)),
      UpdateEndpoint: any((i: UpdateEndpointRequest) => this.endpoints.update(i)),
      DeleteEndpoint: any((i: { EndpointName: string }) => this.endpoints.delete(i)),
      ListEndpoints: (i) => this.endpoints.list(i),
      CreateModelPackageGroup: any((i: { ModelPackageGroupName: string }) => this.modelPackageGroups.create(i)),
      DescribeModelPackageGroup: any((i: { ModelPackageGroupName: string }) => this.modelPackageGroups.describe(i)),
      ListModelPackageGroups: (i) => this.modelPackageGroups.list(i),
      DeleteModelPackageGroup: any((i: { ModelPackageGroupName: string }) => this.modelPackageGroups.delete(i)),
      CreateModelPackage: (i) => this.modelPackages.create(i),
      DescribeModelPackage: any((i: { ModelPackageName: string }) => this.modelPackages.describe(i)),
      ListModelPackages: (i) => this.modelPackages.list(i),
      UpdateModelPackage: any((i: { ModelPackageArn: string }) => this.modelPackages.update(i)),
      DeleteModelPackage: any((i: { ModelPackageName: string }) => this.modelPackages.delete(i)),
      AddTags: any((i: { ResourceArn: string; Tags: { Key: string; Value: string }[] }) => this.addTags(i)),
      ListTags: any((i: { ResourceArn: string; MaxResults?: number; NextToken?: string }) => this.listTags(i)),
    };
  }

  get arns(): Arns {
    return this.ctx.arns;
  }

  /** Validates against the official model, then runs the operation. Throws AwsError. */
  call(operation: string, input: unknown): unknown {
    const handler = (this.handlers as Record<string, Handler | undefined>)[operation];
    if (!handler) throw unknownOperation(`SageMaker.${operation}`);
    const body = (input ?? {}) as Record<string, unknown>;
    const issues = validateRequest(sageMakerModel, operation, body);
    if (issues.length > 0) throw validationException(formatValidationMessage(issues));
    return handler(body);
  }

  private resourceExists(arn: string): boolean {
    const parsed = this.ctx.arns.parse(arn);
    if (!parsed) return false;
    switch (parsed.type) {
      case 'training-job':
        return this.training.get(parsed.name)?.arn === arn;
      case 'transform-job':
        return this.transform.get(parsed.name)?.arn === arn;
      case 'processing-job':
        return this.processing.get(parsed.name)?.arn === arn;
      case 'model':
        return this.models.get(parsed.name)?.arn === arn;
      case 'endpoint-config':
        return this.endpointConfigs.get(parsed.name)?.arn === arn;
      case 'endpoint':
        return this.endpoints.get(parsed.name)?.arn === arn;
      case 'model-package-group':
        return this.modelPackageGroups.get(parsed.name)?.arn === arn;
      case 'model-package':
        return this.modelPackages.byArn(arn)?.arn === arn;
      default:
        return false;
    }
  }

  private addTags(input: { ResourceArn: string; Tags: { Key: string; Value: string }[] }): unknown {
    if (!this.resourceExists(input.ResourceArn)) throw validationException(`Resource ${input.ResourceArn} does not exist.`);
    return { Tags: this.tags.add(input.ResourceArn, input.Tags) };
  }

  private listTags(input: { ResourceArn: string; MaxResults?: number; NextToken?: string }): unknown {
    if (!this.resourceExists(input.ResourceArn)) throw validationException(`Resource ${input.ResourceArn} does not exist.`);
    const all = this.tags.list(input.ResourceArn);
    const offset = input.NextToken ? Number.parseInt(input.NextToken, 10) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw validationException('Invalid NextToken.');
    const max = input.MaxResults ?? 50;
    return { Tags: all.slice(offset, offset + max), NextToken: offset + max < all.length ? String(offset + max) : undefined };
  }

  /** Every resource as data (Dates included), for a later server to restore; no I/O. */
  exportState(): PersistedSageMaker {
    return {
      version: 1,
      tags: this.tags.entries(),
      models: this.models.all(),
      endpointConfigs: this.endpointConfigs.all(),
      trainingJobs: this.training.persisted(),
      transformJobs: this.transform.persisted(),
      processingJobs: this.processing.persisted(),
      endpoints: this.endpoints.persisted(),
      modelPackageGroups: this.modelPackageGroups.all(),
      modelPackages: this.modelPackages.all(),
      processes: this.ctx.procs.list(),
    };
  }

  /**
   * Puts back what a previous server exported. Its processes are gone (the caller reaps any that
   * outlived it): jobs it was running end Failed and endpoints are deployed again.
   */
  restore(saved: PersistedSageMaker): SageMakerRestoreReport {
    const at = this.ctx.clock.now().toISOString();
    const reason = (noun: string) => `InternalServerError: the local SageMaker stopped while this ${noun} ran (restarted at ${at}); a job cannot resume: start a new one.`;
    this.tags.restore(saved.tags);
    for (const m of saved.models) this.models.restore(m);
    for (const c of saved.endpointConfigs) this.endpointConfigs.restore(c);
    for (const g of saved.modelPackageGroups) this.modelPackageGroups.restore(g);
    for (const p of saved.modelPackages) this.modelPackages.restore(p);
    const interruptedJobs: string[] = [];
    for (const j of saved.trainingJobs) if (this.training.restore(j, reason('training job'))) interruptedJobs.push(j.name);
    for (const j of saved.transformJobs) if (this.transform.restore(j, reason('transform job'))) interruptedJobs.push(j.name);
    // A state saved before processing jobs existed has none.
    for (const j of saved.processingJobs ?? []) if (this.processing.restore(j, reason('processing job'))) interruptedJobs.push(j.name);
    const endpoints = saved.endpoints.map((e) => this.endpoints.restore(e));
    return { interruptedJobs, endpoints };
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.training.shutdown(), this.transform.shutdown(), this.processing.shutdown(), this.endpoints.shutdown()]);
  }

  /** Read-only snapshot of every resource (no I/O). */
  snapshot(): StateSnapshot {
    return {
      trainingJobs: this.training.all().map((j) => ({
        name: j.name,
        arn: j.arn,
        status: j.status,
        // Training reports a SecondaryStatus from its creation on.
        secondaryStatus: j.secondaryStatus!,
        failureReason: j.failureReason,
        modelArtifacts: j.state.modelArtifacts,
        root: j.state.layout.root,
      })),
      transformJobs: this.transform.all().map((j) => ({ name: j.name, arn: j.arn, status: j.status, failureReason: j.failureReason, modelName: j.state.model.name })),
      processingJobs: this.processing.all().map((j) => ({
        name: j.name,
        arn: j.arn,
        status: j.status,
        failureReason: j.failureReason,
        instanceCount: j.request.ProcessingResources.ClusterConfig.InstanceCount,
        root: j.state.root,
      })),
      models: this.models.all().map((m) => ({ name: m.name, arn: m.arn, image: m.containers[0]?.Image, modelDataUrl: m.containers[0]?.ModelDataUrl })),
      endpointConfigs: this.endpointConfigs.all().map((c) => ({ name: c.name, arn: c.arn, variants: c.request.ProductionVariants.map((v) => ({ variantName: v.VariantName, modelName: v.ModelName })) })),
      endpoints: this.endpoints.all().map((e) => ({
        name: e.name,
        arn: e.arn,
        status: e.status,
        endpointConfigName: e.configName,
        pendingEndpointConfigName: e.pending?.configName,
        failureReason: e.failureReason,
        instances: (e.active?.variants ?? []).flatMap((v) => v.instances.map((i) => ({ variant: v.name, id: i.id, pid: i.proc.pid, port: i.port, running: i.proc.running }))),
      })),
      modelPackageGroups: this.modelPackageGroups.all().map((g) => ({ name: g.name, arn: g.arn, latestVersion: g.latestVersion })),
      modelPackages: this.modelPackages.all().map((p) => ({ group: p.groupName, version: p.version, arn: p.arn, approvalStatus: p.approvalStatus })),
      processes: this.ctx.procs.list(),
    };
  }
}

/** Everything the control plane knows, as exportState() writes it. */
export interface PersistedSageMaker {
  version: 1;
  tags: [string, Tag[]][];
  models: ModelRecord[];
  endpointConfigs: EndpointConfigRecord[];
  trainingJobs: PersistedJob<CreateTrainingJobRequest, TrainingState>[];
  transformJobs: PersistedJob<CreateTransformJobRequest, TransformState>[];
  /** Absent in a state saved before processing jobs were emulated. */
  processingJobs?: PersistedJob<CreateProcessingJobRequest, ProcessingState>[];
  endpoints: PersistedEndpoint[];
  /** Model package groups, each with the version its latest package got. */
  modelPackageGroups: ModelPackageGroupRecord[];
  /** Versioned model packages. */
  modelPackages: ModelPackageRecord[];
  /** The processes running when it was written: the ones a restart must not leave behind. */
  processes: ProcessInfo[];
}

export interface SageMakerRestoreReport {
  /** Jobs that were running: now Failed. */
  interruptedJobs: string[];
  endpoints: EndpointRestore[];
}

export interface StateSnapshot {
  trainingJobs: { name: string; arn: string; status: string; secondaryStatus: string; failureReason?: string; modelArtifacts?: string; root: string }[];
  transformJobs: { name: string; arn: string; status: string; failureReason?: string; modelName: string }[];
  processingJobs: { name: string; arn: string; status: string; failureReason?: string; instanceCount: number; root: string }[];
  models: { name: string; arn: string; image?: string; modelDataUrl?: string }[];
  endpointConfigs: { name: string; arn: string; variants: { variantName: string; modelName?: string }[] }[];
  endpoints: {
    name: string;
    arn: string;
    status: string;
    endpointConfigName: string;
    pendingEndpointConfigName?: string;
    failureReason?: string;
    instances: { variant: string; id: string; pid: number; port: number; running: boolean }[];
  }[];
  modelPackageGroups: { name: string; arn: string; latestVersion: number }[];
  modelPackages: { group: string; version: number; arn: string; approvalStatus: string }[];
  processes: ReturnType<Context['procs']['list']>;
}
