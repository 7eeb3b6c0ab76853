export type ResourceType = 'training-job' | 'transform-job' | 'processing-job' | 'model' | 'endpoint-config' | 'endpoint' | 'model-package-group' | 'model-package';

/**
 * SageMaker ARNs: `arn:aws:sagemaker:<region>:<account>:<type>/<name, lower-cased>` (a versioned model
 * package's name is `<group>/<version>`).
 */
export class Arns {
  readonly partition: string;
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {
    this.partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  }

  of(type: ResourceType, name: string): string {
    return `arn:${this.partition}:sagemaker:${this.region}:${this.accountId}:${type}/${name.toLowerCase()}`;
  }

  parse(arn: string): { type: string; name: string } | undefined {
    const m = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]*):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
    if (!m || m[1] !== this.region || m[2] !== this.accountId) return undefined;
    return { type: m[3]!, name: m[4]! };
  }

  logGroup(group: string): string {
    return `arn:${this.partition}:logs:${this.region}:${this.accountId}:log-group:${group}`;
  }
}
