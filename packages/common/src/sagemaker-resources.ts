/**
 * Idempotent creation of SageMaker resources and the tags every run's resources carry.
 * Resource names derive from the run, so a retried step meets what its earlier attempt created:
 * it adopts the resource when it is provably this run's and fails loudly when the name is taken
 * by something else (never overwrites or deletes it).
 */
import { DescribeEndpointConfigCommand, DescribeModelCommand, type SageMakerClient, type Tag } from '@aws-sdk/client-sagemaker';
import { modelVersionOfArn, type ModelVersion } from './contracts';
import { ResourceConflictError } from './errors';
import { isAlreadyExists, isNotFound, withTransientAsRetryable } from './sagemaker-errors';

/**
 * A taken name: jobs answer ResourceInUse, models/configs/endpoints a ValidationException
 * "Cannot create already existing ...".
 */
export function isNameTaken(error: unknown): boolean {
  return (error instanceof Error && error.name === 'ResourceInUse') || isAlreadyExists(error);
}

export interface CreateOrAdoptSpec<C, D> {
  /** For messages, e.g. "training job mlops-dev-abalone-0123456789-train". */
  resource: string;
  create: () => Promise<C>;
  describe: () => Promise<D>;
  /** Why the existing resource is not this run's, or undefined when it is. */
  foreignBecause: (existing: D) => string | undefined;
}

export type CreateOrAdoptResult<C, D> = { adopted: false; created: C } | { adopted: true; existing: D };

export async function createOrAdopt<C, D>(spec: CreateOrAdoptSpec<C, D>): Promise<CreateOrAdoptResult<C, D>> {
  try {
    return { adopted: false, created: await withTransientAsRetryable(`creating ${spec.resource}`, spec.create) };
  } catch (error) {
    if (!isNameTaken(error)) throw error;
  }
  const existing = await withTransientAsRetryable(`describing ${spec.resource}`, spec.describe);
  const reason = spec.foreignBecause(existing);
  if (reason !== undefined) throw new ResourceConflictError(`${spec.resource} already exists and does not belong to this run: ${reason}`);
  return { adopted: true, existing };
}

const TAG_VALUE_MAX = 256;

/** Fits a value to the API model's TagValue: letters, digits, spaces and `_.:/=+-@`, at most 256 characters. */
export function tagValue(value: string): string {
  return Array.from(value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_'))
    .slice(0, TAG_VALUE_MAX)
    .join('');
}

export interface RunTagsInput {
  stage: string;
  runId: string;
  executionArn: string;
}

/** Tags on every resource a run creates, so cost and lineage trace back to the stage, run and execution. */
export function runTags({ stage, runId, executionArn }: RunTagsInput): Tag[] {
  return [
    { Key: 'mlops:stage', Value: tagValue(stage) },
    { Key: 'mlops:run', Value: tagValue(runId) },
    { Key: 'mlops:execution', Value: tagValue(executionArn) },
  ];
}

/**
 * The model version an endpoint config serves: the pipeline creates a version's model from its
 * model package, so DescribeModel names the package. Undefined for a config or model that is gone,
 * or a model made without a package.
 */
export async function modelVersionOfEndpointConfig(sageMaker: SageMakerClient, configName: string): Promise<ModelVersion | undefined> {
  try {
    const config = await withTransientAsRetryable(`describing endpoint config ${configName}`, () => sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName })));
    const modelName = config.ProductionVariants?.[0]?.ModelName;
    if (!modelName) return undefined;
    const model = await withTransientAsRetryable(`describing model ${modelName}`, () => sageMaker.send(new DescribeModelCommand({ ModelName: modelName })));
    const arn = model.PrimaryContainer?.ModelPackageName;
    return arn ? modelVersionOfArn(arn) : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
