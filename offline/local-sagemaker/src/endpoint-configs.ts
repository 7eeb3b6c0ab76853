import type { Context } from './context';
import { validationException } from './errors';
import { type ListRequest, listResponse } from './listing';
import type { ModelStore } from './models';
import type { TagStore } from './tags';
import { clone } from './wire';

export interface ProductionVariant {
  VariantName: string;
  ModelName?: string;
  InitialInstanceCount?: number;
  InstanceType?: string;
  InitialVariantWeight?: number;
  ContainerStartupHealthCheckTimeoutInSeconds?: number;
  ModelDataDownloadTimeoutInSeconds?: number;
  ServerlessConfig?: unknown;
  [k: string]: unknown;
}

export interface EndpointConfigRecord {
  name: string;
  arn: string;
  creationTime: Date;
  request: Record<string, unknown> & { ProductionVariants: ProductionVariant[] };
}

/** Endpoint configurations: CreateEndpointConfig, DescribeEndpointConfig, DeleteEndpointConfig, ListEndpointConfigs. */
export class EndpointConfigStore {
  private readonly configs = new Map<string, EndpointConfigRecord>();

  constructor(
    private readonly ctx: Context,
    private readonly models: ModelStore,
    private readonly tags: TagStore,
  ) {}

  notFound(name: string) {
    return validationException(`Could not find endpoint configuration "${this.ctx.arns.of('endpoint-config', name)}".`);
  }

  /** Puts back a record exportState() wrote (a restarted stack). */
  restore(record: EndpointConfigRecord): void {
    this.configs.set(record.name.toLowerCase(), record);
  }

  get(name: string): EndpointConfigRecord | undefined {
    return this.configs.get(name.toLowerCase());
  }

  all(): EndpointConfigRecord[] {
    return [...this.configs.values()];
  }

  create(input: Record<string, unknown>): { EndpointConfigArn: string } {
    const req = clone(input) as EndpointConfigRecord['request'];
    const name = req.EndpointConfigName as string;
    const arn = this.ctx.arns.of('endpoint-config', name);
    if (this.configs.has(name.toLowerCase())) throw validationException(`Cannot create already existing endpoint configuration "${arn}".`);
    const seen = new Set<string>();
    for (const v of req.ProductionVariants) {
      if (seen.has(v.VariantName.toLowerCase())) throw validationException(`Production variant names must be unique: ${v.VariantName} is specified more than once.`);
      seen.add(v.VariantName.toLowerCase());
      if (!v.ModelName) throw validationException(`ProductionVariant ${v.VariantName}: ModelName is required (inference components are not supported by local-sagemaker).`);
      if (!this.models.get(v.ModelName)) throw this.models.notFound(v.ModelName);
      if (!v.ServerlessConfig && (v.InstanceType === undefined || v.InitialInstanceCount === undefined)) {
        throw validationException(`ProductionVariant ${v.VariantName}: InstanceType and InitialInstanceCount are required unless ServerlessConfig is specified.`);
      }
    }
    this.tags.add(arn, req.Tags as never);
    this.configs.set(name.toLowerCase(), { name, arn, creationTime: this.ctx.clock.now(), request: req });
    return { EndpointConfigArn: arn };
  }

  describe(input: { EndpointConfigName: string }): Record<string, unknown> {
    const c = this.get(input.EndpointConfigName);
    if (!c) throw this.notFound(input.EndpointConfigName);
    const r = c.request;
    return {
      EndpointConfigName: c.name,
      EndpointConfigArn: c.arn,
      ProductionVariants: r.ProductionVariants.map((v) => ({ InitialVariantWeight: 1, ...clone(v) })),
      DataCaptureConfig: clone(r.DataCaptureConfig),
      KmsKeyId: r.KmsKeyId,
      CreationTime: c.creationTime,
      AsyncInferenceConfig: clone(r.AsyncInferenceConfig),
      ExplainerConfig: clone(r.ExplainerConfig),
      ShadowProductionVariants: clone(r.ShadowProductionVariants),
      ExecutionRoleArn: r.ExecutionRoleArn,
      VpcConfig: clone(r.VpcConfig),
      EnableNetworkIsolation: r.EnableNetworkIsolation,
    };
  }

  /** Allowed while endpoints use the configuration (as on AWS): they keep running. */
  delete(input: { EndpointConfigName: string }): Record<string, never> {
    const c = this.get(input.EndpointConfigName);
    if (!c) throw this.notFound(input.EndpointConfigName);
    this.configs.delete(c.name.toLowerCase());
    this.tags.remove(c.arn);
    return {};
  }

  /**
   * ListEndpointConfigs (API reference): NameContains, CreationTimeBefore/After, SortBy `Name` |
   * `CreationTime` (default CreationTime), SortOrder (default Descending), MaxResults, NextToken, filtered
   * and paged as every List* here; each summary is EndpointConfigName, EndpointConfigArn, CreationTime.
   */
  list(input: ListRequest): Record<string, unknown> {
    return listResponse(this.configs.values(), input, 'EndpointConfigs', (c) => ({ EndpointConfigName: c.name, EndpointConfigArn: c.arn, CreationTime: c.creationTime }));
  }
}
