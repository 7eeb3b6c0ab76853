/**
 * Registers a run's model, after it passed the quality gate, as the next version of its family's
 * model package group (`<namePrefix>-<family>`, created on first use): the inference specification,
 * the evaluation report as model metrics, and the run's lineage as customer metadata. The stage's
 * approval policy decides the status: `auto` registers it Approved (the pipeline deploys it),
 * `manual` PendingManualApproval (approving it deploys it, see resources/lifecycle.yml).
 * SageMaker assigns the version; a retried step gets the same version back (ClientToken).
 */
import {
  CreateModelPackageCommand,
  type CreateModelPackageInput,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  ApprovalStatusSchema,
  familyResourceName,
  isAlreadyExists,
  metricMetadataKey,
  modelLabel,
  modelVersionOfArn,
  PACKAGE_METADATA,
  runTags,
  shortHash,
  tagValue,
  withTransientAsRetryable,
  type RegisterConfig,
  type RegisterInput,
  type RegisterOutput,
} from '@mlops/common';

export interface RegisterDeps {
  sageMaker: SageMakerClient;
  config: RegisterConfig;
}

/** SageMaker's ClientToken: 1-36 of `[a-zA-Z0-9-]`; one per run and group, so a retry gets its version back. */
export function clientTokenFor(group: string, runId: string): string {
  return shortHash(`${group}\n${runId}`, 32);
}

/** Customer metadata: the run's lineage and both models' metrics (values fit SageMaker's pattern and 256 characters). */
export function packageMetadata(input: RegisterInput, config: RegisterConfig): Record<string, string> {
  const { run, evaluation, batch } = input;
  const metadata: Record<string, string> = {
    [PACKAGE_METADATA.family]: run.family,
    [PACKAGE_METADATA.runId]: run.runId,
    [PACKAGE_METADATA.stage]: config.STAGE,
    [PACKAGE_METADATA.datasetUri]: `s3://${run.source.bucket}/${run.source.key}`,
    [PACKAGE_METADATA.datasetETag]: run.source.etag,
    [PACKAGE_METADATA.comparedWith]: batch.champion ? modelLabel(run.family, batch.champion.modelVersion) : 'none',
  };
  for (const [name, value] of Object.entries(evaluation.metrics)) metadata[metricMetadataKey('metric', name)] = String(value);
  for (const [name, value] of Object.entries(evaluation.champion?.metrics ?? {})) metadata[metricMetadataKey('champion', name)] = String(value);
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [tagValue(k).slice(0, 128), tagValue(v)]));
}

export function modelPackageRequest(input: RegisterInput, config: RegisterConfig): CreateModelPackageInput {
  const { run, evaluation } = input;
  const group = familyResourceName(config.NAME_PREFIX, run.family);
  const approved = config.APPROVAL_POLICY === 'auto';
  return {
    ModelPackageGroupName: group,
    ModelPackageDescription: `${run.family} model of run ${run.runId}: ${evaluation.gate.summary}`.slice(0, 1024),
    InferenceSpecification: {
      Containers: [{ Image: config.INFERENCE_IMAGE, ModelDataUrl: input.modelArtifacts }],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
      // The config only checks the `ml.` prefix; SageMaker validates the types itself.
      SupportedRealtimeInferenceInstanceTypes: [config.ENDPOINT_INSTANCE_TYPE as never],
      SupportedTransformInstanceTypes: [config.TRANSFORM_INSTANCE_TYPE as never],
    },
    ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: evaluation.reportUri } } },
    ModelApprovalStatus: approved ? 'Approved' : 'PendingManualApproval',
    CustomerMetadataProperties: packageMetadata(input, config),
    ClientToken: clientTokenFor(group, run.runId),
    Tags: [...runTags({ stage: config.STAGE, runId: run.runId, executionArn: input.executionArn }), { Key: 'mlops:family', Value: tagValue(run.family) }],
  };
}

export async function registerModel(input: RegisterInput, { sageMaker, config }: RegisterDeps): Promise<RegisterOutput> {
  const request = modelPackageRequest(input, config);
  const group = request.ModelPackageGroupName!;
  try {
    await withTransientAsRetryable(`creating model package group ${group}`, () =>
      sageMaker.send(
        new CreateModelPackageGroupCommand({
          ModelPackageGroupName: group,
          ModelPackageGroupDescription: `Versions of the ${input.run.family} model family (${config.STAGE})`,
          Tags: [{ Key: 'mlops:stage', Value: tagValue(config.STAGE) }, { Key: 'mlops:family', Value: tagValue(input.run.family) }],
        }),
      ),
    );
  } catch (error) {
    // The family's group outlives runs: every run after the first finds it there.
    if (!isAlreadyExists(error)) throw error;
  }
  const created = await withTransientAsRetryable(`registering run ${input.run.runId} in ${group}`, () => sageMaker.send(new CreateModelPackageCommand(request)));
  const arn = created.ModelPackageArn!;
  // The same ClientToken answers with the version an earlier attempt registered: read its status back.
  const described = await withTransientAsRetryable(`describing ${arn}`, () => sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn })));
  return { ...modelVersionOfArn(arn), approvalStatus: ApprovalStatusSchema.parse(described.ModelApprovalStatus) };
}
