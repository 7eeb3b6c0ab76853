/**
 * Starts the run's SageMaker training job. The job name derives from the run id, so a retried
 * Train state adopts the job its earlier attempt started instead of failing or starting another.
 */
import {
  type Channel,
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  DescribeTrainingJobCommand,
  type SageMakerClient,
  type TrainingInstanceType,
} from '@aws-sdk/client-sagemaker';
import {
  createOrAdopt,
  InputValidationError,
  joinKey,
  parseS3Uri,
  type PipelineInput,
  runTags,
  s3Uri,
  sageMakerName,
  type TrainConfig,
  type TrainInput,
  type TrainOutput,
} from '@mlops/common';

export interface TrainDeps {
  sageMaker: SageMakerClient;
  config: TrainConfig;
}

/**
 * Stage defaults, then what the task requires, then the run's own overrides (highest). The
 * objective names are XGBoost's, read by both our container and SageMaker's built-in XGBoost.
 */
export function hyperparametersFor(run: PipelineInput, config: TrainConfig): Record<string, string> {
  return { ...config.HYPERPARAMETERS, ...taskHyperparameters(run), ...run.overrides.hyperparameters };
}

function taskHyperparameters(run: PipelineInput): Record<string, string> {
  if (run.task.problemType === 'regression') return { objective: 'reg:squarederror' };
  const classes = run.task.classes;
  if (!classes) {
    throw new InputValidationError('mlops_train input', [{ path: 'run.task.classes', message: 'is required for classification (it sets num_class)' }]);
  }
  return { objective: 'multi:softmax', num_class: String(classes.length) };
}

/** SageMaker writes the artifact to `<this>/<job name>/output/model.tar.gz`. */
export function modelOutputPath(run: PipelineInput): string {
  const prefix = parseS3Uri(run.runPrefix);
  return s3Uri(prefix.bucket, joinKey(prefix.key, 'model/'));
}

function csvChannel(ChannelName: string, S3Uri: string, distribution: 'FullyReplicated' | 'ShardedByS3Key' = 'FullyReplicated'): Channel {
  return {
    ChannelName,
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri, S3DataDistributionType: distribution } },
    ContentType: 'text/csv',
  };
}

export function trainingJobName(run: PipelineInput, config: TrainConfig): string {
  return sageMakerName(config.NAME_PREFIX, run.runId, 'train');
}

export function trainingJobRequest(input: TrainInput, config: TrainConfig): CreateTrainingJobRequest {
  const { run } = input;
  // Several instances train the built-in XGBoost distributed: each reads its shard of the train
  // channel's objects (the processing path writes one part per instance), all of validation.
  const channels = [csvChannel('train', run.dataset.train, config.TRAINING_INSTANCE_COUNT > 1 ? 'ShardedByS3Key' : 'FullyReplicated')];
  // An empty validation prefix would fail the job ("no files in channel"); split ratios may omit it.
  if (run.dataset.rows.validation > 0) channels.push(csvChannel('validation', run.dataset.validation));
  return {
    TrainingJobName: trainingJobName(run, config),
    RoleArn: config.SAGEMAKER_ROLE_ARN,
    AlgorithmSpecification: { TrainingImage: config.TRAINING_IMAGE, TrainingInputMode: 'File' },
    HyperParameters: hyperparametersFor(run, config),
    InputDataConfig: channels,
    OutputDataConfig: { S3OutputPath: modelOutputPath(run) },
    ResourceConfig: {
      // The config only checks the `ml.` prefix; SageMaker validates the type itself.
      InstanceType: config.TRAINING_INSTANCE_TYPE as TrainingInstanceType,
      InstanceCount: config.TRAINING_INSTANCE_COUNT,
      VolumeSizeInGB: config.TRAINING_VOLUME_GB,
    },
    StoppingCondition: { MaxRuntimeInSeconds: config.TRAINING_MAX_RUNTIME_SECONDS },
    Tags: runTags({ stage: config.STAGE, runId: run.runId, executionArn: input.executionArn }),
  };
}

export async function startTraining(input: TrainInput, { sageMaker, config }: TrainDeps): Promise<TrainOutput> {
  const request = trainingJobRequest(input, config);
  const jobName = trainingJobName(input.run, config);
  const outputPath = modelOutputPath(input.run);
  const result = await createOrAdopt({
    resource: `training job ${jobName}`,
    create: () => sageMaker.send(new CreateTrainingJobCommand(request)),
    describe: () => sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName })),
    // Output path and image identify this run's job; a job of another stage or run differs in one.
    foreignBecause: (job) => {
      const path = job.OutputDataConfig?.S3OutputPath;
      if (path !== outputPath) return `it writes to ${path ?? '(no output path)'}, not ${outputPath}`;
      const image = job.AlgorithmSpecification?.TrainingImage;
      if (image !== config.TRAINING_IMAGE) return `it runs image ${image ?? '(none)'}, not ${config.TRAINING_IMAGE}`;
      return undefined;
    },
  });
  const jobArn = result.adopted ? result.existing.TrainingJobArn : result.created.TrainingJobArn;
  if (!jobArn) throw new Error(`SageMaker returned no TrainingJobArn for ${jobName}`);
  return { jobName, jobArn, adopted: result.adopted };
}
