/**
 * Creates the run's model from the training artifacts and a batch transform over the test channel
 * whose output joins every prediction to its label, for evaluation. Both names derive from the
 * run, so a retried Batch state adopts what its earlier attempt created.
 */
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
  createOrAdopt,
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

export function batchPlan(input: BatchInput, config: BatchConfig): BatchPlan {
  const { run } = input;
  const modelName = sageMakerName(config.NAME_PREFIX, run.runId);
  const transformJobName = sageMakerName(config.NAME_PREFIX, run.runId, 'batch');
  const prefix = parseS3Uri(run.runPrefix);
  const transformOutput = s3Uri(prefix.bucket, joinKey(prefix.key, 'predictions/'));
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
    transformJob: {
      TransformJobName: transformJobName,
      ModelName: modelName,
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: config.TRANSFORM_MAX_PAYLOAD_MB,
      MaxConcurrentTransforms: config.TRANSFORM_MAX_CONCURRENT,
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: run.dataset.test } },
        ContentType: 'text/csv',
        SplitType: 'Line',
      },
      TransformOutput: { S3OutputPath: transformOutput, Accept: 'text/csv', AssembleWith: 'Line' },
      TransformResources: {
        // The config only checks the `ml.` prefix; SageMaker validates the type itself.
        InstanceType: config.TRANSFORM_INSTANCE_TYPE as TransformInstanceType,
        InstanceCount: config.TRANSFORM_INSTANCE_COUNT,
      },
      DataProcessing: JOIN_LABEL_AND_PREDICTION,
      Tags: tags,
    },
  };
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
  const job = await createOrAdopt({
    resource: `transform job ${transformJobName}`,
    create: () => sageMaker.send(new CreateTransformJobCommand(plan.transformJob)),
    describe: () => sageMaker.send(new DescribeTransformJobCommand({ TransformJobName: transformJobName })),
    foreignBecause: (existing) => {
      if (existing.ModelName !== modelName) return `it runs model ${existing.ModelName ?? '(none)'}, not ${modelName}`;
      const path = existing.TransformOutput?.S3OutputPath;
      return path === transformOutput ? undefined : `it writes to ${path ?? '(no output path)'}, not ${transformOutput}`;
    },
  });
  // True when this attempt found any of the run's resources already there (a retry).
  return { modelName, transformJobName, transformOutput, adopted: model.adopted || job.adopted };
}
