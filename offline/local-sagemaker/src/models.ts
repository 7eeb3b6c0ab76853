import type { Context } from './context';
import { validationException } from './errors';
import type { ModelPackageRecord } from './model-packages';
import { type ListRequest, listResponse } from './listing';
import { checkS3Uri } from './s3';
import type { TagStore } from './tags';
import { clone } from './wire';

export interface ContainerDefinition {
  ContainerHostname?: string;
  Image?: string;
  Mode?: string;
  ModelDataUrl?: string;
  ModelDataSource?: { S3DataSource?: { S3Uri: string; S3DataType: string; CompressionType: string } };
  Environment?: Record<string, string>;
  ModelPackageName?: string;
  [k: string]: unknown;
}

export interface ModelRecord {
  name: string;
  arn: string;
  creationTime: Date;
  request: Record<string, unknown> & { PrimaryContainer?: ContainerDefinition; Containers?: ContainerDefinition[] };
  /** The containers to run: PrimaryContainer, or Containers. */
  containers: ContainerDefinition[];
}

/** What CreateModel needs of the model registry: a versioned package by name or ARN. */
export interface PackageResolver {
  resolve(nameOrArn: string): ModelPackageRecord | undefined;
}

interface PackageContainer {
  Image?: string;
  ModelDataUrl?: string;
  ModelDataSource?: ContainerDefinition['ModelDataSource'];
  Environment?: Record<string, string>;
  [k: string]: unknown;
}

/** Models: CreateModel, DescribeModel, DeleteModel, ListModels. */
export class ModelStore {
  private readonly models = new Map<string, ModelRecord>();

  constructor(
    private readonly ctx: Context,
    private readonly tags: TagStore,
    /** The registry, for containers given by ModelPackageName (set by the service once the registry exists). */
    public packages?: PackageResolver,
  ) {}

  /**
   * The containers a ContainerDefinition with ModelPackageName runs (API reference, ContainerDefinition:
   * "ModelPackageName: The name or Amazon Resource Name (ARN) of the model package to use to create the
   * model"; InferenceSpecificationName picks one of the package's AdditionalInferenceSpecifications): the
   * package's inference containers, with their Image, ModelDataUrl / ModelDataSource and Environment, the
   * definition's own Environment over theirs. SageMaker's documentation asks no approval status of the
   * package for CreateModel (approval gates deployment by convention, in the caller's pipeline), so none is
   * checked here.
   */
  private fromPackage(c: ContainerDefinition, member: string): ContainerDefinition[] {
    const name = c.ModelPackageName!;
    const record = this.packages?.resolve(name);
    // AWS's wording for CreateModel with a missing package was not found in the API reference or in public
    // issues; this is DescribeModelPackage's ("ModelPackage <arn> does not exist.") with the member named.
    const arn = name.startsWith('arn:') ? name : this.ctx.arns.of('model-package', name);
    if (!record) throw validationException(`ModelPackage ${arn} does not exist. (${member}.modelPackageName)`);
    const specName = c.InferenceSpecificationName as string | undefined;
    const spec = (
      specName === undefined
        ? record.spec.InferenceSpecification
        : (record.spec.AdditionalInferenceSpecifications as { Name?: string }[] | undefined)?.find((a) => a.Name === specName)
    ) as { Containers?: PackageContainer[] } | undefined;
    if (!spec?.Containers?.length) {
      throw validationException(
        specName === undefined
          ? `ModelPackage ${record.arn} has no InferenceSpecification containers.`
          : `InferenceSpecificationName ${specName} is not an additional inference specification of ModelPackage ${record.arn}.`,
      );
    }
    return spec.Containers.map((pc) => {
      const container: ContainerDefinition = { Image: pc.Image, ModelPackageName: record.arn };
      if (pc.ModelDataUrl !== undefined) container.ModelDataUrl = pc.ModelDataUrl;
      if (pc.ModelDataSource !== undefined) container.ModelDataSource = clone(pc.ModelDataSource);
      const environment = { ...pc.Environment, ...c.Environment };
      if (Object.keys(environment).length > 0) container.Environment = environment;
      return container;
    });
  }

  notFound(name: string) {
    return validationException(`Could not find model "${this.ctx.arns.of('model', name)}".`);
  }

  create(input: Record<string, unknown>): { ModelArn: string } {
    const name = input.ModelName as string;
    const arn = this.ctx.arns.of('model', name);
    if (this.models.has(name.toLowerCase())) throw validationException(`Cannot create already existing model "${arn}".`);
    const req = clone(input) as ModelRecord['request'];
    const given = req.PrimaryContainer ? [req.PrimaryContainer] : (req.Containers ?? []);
    if (req.PrimaryContainer && req.Containers?.length) throw validationException('Only one of PrimaryContainer or Containers can be specified.');
    if (given.length === 0) throw validationException('Either PrimaryContainer or Containers must be specified.');
    const containers = given.flatMap((c, i) => {
      const member = req.PrimaryContainer ? 'primaryContainer' : `containers.${i + 1}.member`;
      if (c.ModelPackageName && !c.Image) return this.fromPackage(c, member);
      if (!c.Image) throw validationException(`1 validation error detected: Value null at '${member}.image' failed to satisfy constraint: Member must not be null`);
      checkS3Uri(c.ModelDataUrl, `${member}.modelDataUrl`);
      checkS3Uri(c.ModelDataSource?.S3DataSource?.S3Uri, `${member}.modelDataSource.s3DataSource.s3Uri`);
      return [c];
    });
    this.tags.add(arn, input.Tags as never);
    this.models.set(name.toLowerCase(), { name, arn, creationTime: this.ctx.clock.now(), request: req, containers });
    return { ModelArn: arn };
  }

  get(name: string): ModelRecord | undefined {
    return this.models.get(name.toLowerCase());
  }

  /** Puts back a record exportState() wrote (a restarted stack). */
  restore(record: ModelRecord): void {
    this.models.set(record.name.toLowerCase(), record);
  }

  byArn(arn: string): ModelRecord | undefined {
    return [...this.models.values()].find((m) => m.arn === arn);
  }

  describe(input: { ModelName: string }): Record<string, unknown> {
    const m = this.get(input.ModelName);
    if (!m) throw this.notFound(input.ModelName);
    const withDefaults = (c: ContainerDefinition): ContainerDefinition => ({ Mode: 'SingleModel', Environment: {}, ...clone(c) });
    const r = m.request;
    return {
      ModelName: m.name,
      PrimaryContainer: r.PrimaryContainer ? withDefaults(r.PrimaryContainer) : undefined,
      Containers: r.Containers ? r.Containers.map(withDefaults) : undefined,
      InferenceExecutionConfig: clone(r.InferenceExecutionConfig),
      ExecutionRoleArn: r.ExecutionRoleArn,
      VpcConfig: clone(r.VpcConfig),
      CreationTime: m.creationTime,
      ModelArn: m.arn,
      EnableNetworkIsolation: r.EnableNetworkIsolation ?? false,
    };
  }

  /** AWS allows deleting a model that endpoints or jobs still use; they keep running. */
  delete(input: { ModelName: string }): Record<string, never> {
    const m = this.get(input.ModelName);
    if (!m) throw this.notFound(input.ModelName);
    this.models.delete(m.name.toLowerCase());
    this.tags.remove(m.arn);
    return {};
  }

  list(input: ListRequest): Record<string, unknown> {
    return listResponse(this.models.values(), input, 'Models', (m) => ({ ModelName: m.name, ModelArn: m.arn, CreationTime: m.creationTime }));
  }

  all(): ModelRecord[] {
    return [...this.models.values()];
  }
}
