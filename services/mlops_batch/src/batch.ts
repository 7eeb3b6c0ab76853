/**
 * Creates the run's model (the challenger) from the training artifacts and a batch transform over the
 * test channel whose output joins every prediction to its label, for evaluation; when the family has
 * a live model (the champion), a second transform runs the champion over the same rows, so both are
 * scored on the same data. Every name derives from the run, so a retried Batch state adopts what its
 * earlier attempt created.
 */
import { findChampion } from './champion';
import {
  CreateModelCommand,
  type CreateModelInput,
  CreateTransformJobCommand,
  type CreateTransformJobRequest,
  DescribeModelCommand,
  DescribeTransformJobCommand,
  type SageMakerClient,
  type TransformInstanceType,
} from '@aws-sdk/client-sagemaker';
import {
  type BatchConfig,
  type BatchInput,
  type BatchOutput,
  type Champion,
  createOrAdopt,
  familyResourceName,
  joinKey,
  parseS3Uri,
  runTags,
  s3Uri,
  sageMakerName,
} from '@mlops/common';

export interface BatchDeps {
  sageMaker: SageMakerClient;
  config: BatchConfig;
}

/**
 * The test channel is label-first CSV. SageMaker feeds the model the features only (`$[1:]`),
 * appends its output to the original input line (`JoinSource: Input`) and keeps the first and
 * last columns (`$[0,-1]`): each output line is `label,prediction`.
 */
export const JOIN_LABEL_AND_PREDICTION = { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' } as const;

export interface BatchPlan {
  modelName: string;
  transformJobName: string;
  transformOutput: string;
  model: CreateModelInput;
  transformJob: CreateTransformJobRequest;
}

/** The transform of one model over the run's test channel, into `<runPrefix><folder>`. */
function transformJobRequest(input: BatchInput, config: BatchConfig, job: { name: string; modelName: string; output: string; role: 'challenger' | 'champion' }): CreateTransformJobRequest {
  const tags = runTags({ stage: config.STAGE, runId: input.run.runId, executionArn: input.executionArn });
  return {
    TransformJobName: job.name,
    ModelName: job.modelName,
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: config.TRANSFORM_MAX_PAYLOAD_MB,
      MaxConcurrentTransforms: config.TRANSFORM_MAX_CONCURRENT,
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: input.run.dataset.test } },
      ContentType: 'text/csv',
      SplitType: 'Line',
    },
    TransformOutput: { S3OutputPath: job.output, Accept: 'text/csv', AssembleWith: 'Line' },
    TransformResources: {
      // The config only checks the `ml.` prefix; SageMaker validates the type itself.
      InstanceType: config.TRANSFORM_INSTANCE_TYPE as TransformInstanceType,
      InstanceCount: config.TRANSFORM_INSTANCE_COUNT,
    },
    DataProcessing: JOIN_LABEL_AND_PREDICTION,
    Tags: [...tags, { Key: 'mlops:role', Value: job.role }],
  };
}

function runFolder(input: BatchInput, folder: string): string {
  const prefix = parseS3Uri(input.run.runPrefix);
  return s3Uri(prefix.bucket, joinKey(prefix.key, folder));
}

export function batchPlan(input: BatchInput, config: BatchConfig): BatchPlan {
  const { run } = input;
  const modelName = sageMakerName(config.NAME_PREFIX, run.runId);
  const transformJobName = sageMakerName(config.NAME_PREFIX, run.runId, 'batch');
  const transformOutput = runFolder(input, 'predictions/');
  const tags = runTags({ stage: config.STAGE, runId: run.runId, executionArn: input.executionArn });
  return {
    modelName,
    transformJobName,
    transformOutput,
    model: {
      ModelName: modelName,
      PrimaryContainer: { Image: config.INFERENCE_IMAGE, ModelDataUrl: input.modelArtifacts },
      ExecutionRoleArn: config.SAGEMAKER_ROLE_ARN,
      // Lineage: which training job produced this model.
      Tags: [...tags, { Key: 'mlops:training-job', Value: input.trainingJobName }],
    },
    transformJob: transformJobRequest(input, config, { name: transformJobName, modelName, output: transformOutput, role: 'challenger' }),
  };
}

/** The champion's transform of the same test rows, into `<runPrefix>champion-predictions/`. */
export function championTransformRequest(input: BatchInput, config: BatchConfig, champion: Champion): CreateTransformJobRequest {
  return transformJobRequest(input, config, {
    name: sageMakerName(config.NAME_PREFIX, input.run.runId, 'champion'),
    modelName: champion.modelName,
    output: runFolder(input, 'champion-predictions/'),
    role: 'champion',
  });
}

async function createTransformOrAdopt(sageMaker: SageMakerClient, request: CreateTransformJobRequest) {
  const { TransformJobName: name, ModelName: modelName } = request;
  const output = request.TransformOutput!.S3OutputPath;
  return createOrAdopt({
    resource: `transform job ${name}`,
    create: () => sageMaker.send(new CreateTransformJobCommand(request)),
    describe: () => sageMaker.send(new DescribeTransformJobCommand({ TransformJobName: name })),
    foreignBecause: (existing) => {
      if (existing.ModelName !== modelName) return `it runs model ${existing.ModelName ?? '(none)'}, not ${modelName}`;
      const path = existing.TransformOutput?.S3OutputPath;
      return path === output ? undefined : `it writes to ${path ?? '(no output path)'}, not ${output}`;
    },
  });
}

export async function startBatchTransform(input: BatchInput, { sageMaker, config }: BatchDeps): Promise<BatchOutput> {
  const plan = batchPlan(input, config);
  const { modelName, transformJobName, transformOutput } = plan;
  const model = await createOrAdopt({
    resource: `model ${modelName}`,
    create: () => sageMaker.send(new CreateModelCommand(plan.model)),
    describe: () => sageMaker.send(new DescribeModelCommand({ ModelName: modelName })),
    // The artifact URI contains the training job's name: the same artifacts mean the same run.
    foreignBecause: (existing) => {
      const url = existing.PrimaryContainer?.ModelDataUrl;
      return url === input.modelArtifacts ? undefined : `it serves ${url ?? '(no model data)'}, not ${input.modelArtifacts}`;
    },
  });
  const job = await createTransformOrAdopt(sageMaker, plan.transformJob);

  const champion = await findChampion(sageMaker, familyResourceName(config.NAME_PREFIX, input.run.family));
  if (!champion) return { modelName, transformJobName, transformOutput, adopted: model.adopted || job.adopted };
  const championRequest = championTransformRequest(input, config, champion);
  const championJob = await createTransformOrAdopt(sageMaker, championRequest);
  return {
    modelName,
    transformJobName,
    transformOutput,
    // True when this attempt found any of the run's resources already there (a retry).
    adopted: model.adopted || job.adopted || championJob.adopted,
    champion: { ...champion, transformJobName: championRequest.TransformJobName!, transformOutput: championRequest.TransformOutput!.S3OutputPath! },
  };
}
