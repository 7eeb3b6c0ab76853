/**
 * The model lifecycle's contracts: the champion a run is compared with, the registered model
 * package, the deploy state machine's input, the approval policy and the run record
 * (`<runPrefix>run.json`) that the CLI and the report read. One zod schema each, for writer and
 * readers alike.
 */
import * as z from 'zod/mini';
import { ApprovalStatusSchema, AwaitOutputSchema, DeployReasonSchema, ExecutionErrorSchema, type DeployOutput, DeployOutputSchema, type PipelineState, FamilyNameSchema, GateRuleSchema, MetricNameSchema, ModelPackageArnSchema, ModelVersionSchema, PipelineStateSchema, ProblemTypeSchema, S3UriSchema } from './contracts';
import { ExecutionStatusSchema } from './reports';
import './zod-locale';

/**
 * Approval policy per stage: `auto` registers a passing challenger as Approved and the pipeline
 * deploys it; `manual` registers it as PendingManualApproval and the run ends there, successfully;
 * approving it later deploys it (the EventBridge rule in resources/lifecycle.yml).
 */
export const ApprovalPolicySchema = z.enum(['auto', 'manual']);
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

/**
 * How an update shifts traffic to the new version (a per-stage parameter, README: Guarded rollouts):
 * `all-at-once` moves every request once the new fleet is healthy; `canary` moves a share first and
 * bakes. Either way the stage's alarms roll the update back if they fire before the old fleet goes.
 */
export const DeploymentPolicySchema = z.enum(['all-at-once', 'canary']);
export type DeploymentPolicy = z.infer<typeof DeploymentPolicySchema>;


/**
 * Customer metadata every registered version carries (SageMaker allows 50 entries, values of at
 * most 256 characters). Plain keys: EventBridge input paths and the CLI read them.
 */
export const PACKAGE_METADATA = {
  family: 'family',
  runId: 'runId',
  stage: 'stage',
  datasetUri: 'datasetUri',
  datasetETag: 'datasetETag',
  /** `abalone v3`, or `none` for the first model of a family. */
  comparedWith: 'comparedWith',
  /** Promotion: where the version came from. */
  sourceStage: 'sourceStage',
  sourceVersion: 'sourceVersion',
  sourceRun: 'sourceRun',
} as const;
/** Metric values: `metric:<name>` for the challenger, `champion:<name>` for the champion it was compared with. */
export const metricMetadataKey = (owner: 'metric' | 'champion', name: string) => `${owner}:${name}`;



/** The deploy state machine's input (statemachines/deploy.asl.yml): one approved version of a family. */
export const DeployRequestSchema = z.object({
  modelPackageArn: ModelPackageArnSchema,
  reason: DeployReasonSchema,
});
export type DeployRequest = z.infer<typeof DeployRequestSchema>;

const MetricsSchema = z.record(z.string(), z.number());

/** One deploy of a run's model (a run's model can be deployed again, by rollback). */
export const DeploymentRecordSchema = z.object({
  executionArn: z.string(),
  reason: DeployReasonSchema,
  modelVersion: ModelVersionSchema,
  /** Absent when the deploy failed before it reached the endpoint. */
  endpointName: z.optional(z.string()),
  endpointConfigName: z.optional(z.string()),
  /** superseded: a newer approved version of the family was deployed before or during this rollout. */
  /** rolled-back: SageMaker rolled the update back; the previous version kept serving. */
  status: z.enum(['deployed', 'failed', 'superseded', 'rolled-back']),
  error: z.optional(ExecutionErrorSchema),
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type DeploymentRecord = z.infer<typeof DeploymentRecordSchema>;

/**
 * A run's record, `<runPrefix>run.json`: what ran on which data, how it scored against whom, what
 * the gate decided, what was registered and deployed. Written when the pipeline's execution ends
 * (success or failure) and appended to by each deploy of its model.
 */
export const RunRecordSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  family: FamilyNameSchema,
  stage: z.string(),
  executionArn: z.string(),
  status: ExecutionStatusSchema,
  /** The run's outcome in one word; `superseded`: a newer approved version of the family went live instead. */
  outcome: z.enum(['deployed', 'superseded', 'pending-approval', 'rejected-by-gate', 'rolled-back', 'failed']),
  error: z.optional(ExecutionErrorSchema),
  dataset: z.object({ uri: z.string(), etag: z.string(), versionId: z.optional(z.string()), schema: S3UriSchema, rows: z.object({ train: z.number(), validation: z.number(), test: z.number() }) }),
  problemType: ProblemTypeSchema,
  hyperparameters: z.optional(z.record(z.string(), z.string())),
  jobs: z.object({
    training: z.optional(z.object({ name: z.string(), seconds: z.optional(z.number()), modelArtifacts: z.optional(z.string()) })),
    transform: z.optional(z.object({ name: z.string(), seconds: z.optional(z.number()) })),
    championTransform: z.optional(z.object({ name: z.string(), seconds: z.optional(z.number()) })),
  }),
  evaluation: z.optional(
    z.object({
      reportUri: z.string(),
      metric: MetricNameSchema,
      challenger: MetricsSchema,
      champion: z.optional(z.object({ label: z.string(), modelVersion: z.optional(ModelVersionSchema), metrics: MetricsSchema })),
      /** threshold, direction and rule: as in GateResult; absent from records written before the baseline rule existed. */
      gate: z.object({ passed: z.boolean(), summary: z.string(), threshold: z.optional(z.number()), direction: z.optional(z.enum(['lte', 'gte'])), rule: z.optional(GateRuleSchema) }),
    }),
  ),
  modelPackage: z.optional(z.extend(ModelVersionSchema, { approvalStatus: ApprovalStatusSchema })),
  deployments: z.array(DeploymentRecordSchema),
  /** Jobs of the run that were still running when it failed, and were stopped then. */
  stopped: z.optional(z.array(z.string())),
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** The deploy state machine's state document as it grows. */
export const DeployStateSchema = z.extend(DeployRequestSchema, {
  deploy: z.optional(DeployOutputSchema),
  endpointPoll: z.optional(AwaitOutputSchema),
  error: z.optional(ExecutionErrorSchema),
});
export type DeployState = z.infer<typeof DeployStateSchema>;

/** mlops_record's input: the state document of the execution that is ending, and that execution. */
export const RecordInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), state: PipelineStateSchema, executionArn: z.string(), startedAt: z.string() }),
  z.object({ kind: z.literal('deployment'), state: DeployStateSchema, executionArn: z.string(), startedAt: z.string() }),
  /**
   * A pipeline execution that was aborted or timed out (no Catch ran): the detail of its "Step
   * Functions Execution Status Change" event, as resources/failures.yml's rule passes it. `input` is
   * the execution's input, as the JSON text Step Functions puts in the event.
   */
  z.object({
    kind: z.literal('ended'),
    execution: z.object({
      executionArn: z.string(),
      status: z.enum(['ABORTED', 'TIMED_OUT']),
      input: z.string(),
      startDate: z.number(),
    }),
  }),
]);
export type RecordInput = z.infer<typeof RecordInputSchema>;
export const RecordOutputSchema = z.object({
  uri: z.optional(S3UriSchema),
  /** The failure the execution ends with (a failed child execution's own Error and Cause), absent on success. */
  error: z.optional(ExecutionErrorSchema),
});
export type RecordOutput = z.infer<typeof RecordOutputSchema>;

/**
 * What the operator CLI needs to know about a deployed stage: the CloudFormation stack's Outputs
 * (resources/lifecycle.yml), read with DescribeStacks on AWS; the offline stack writes the same
 * values per stage it hosts to `.local/stages.json` (LocalStagesFileSchema).
 */
export const StageOutputsSchema = z.object({
  DataBucketName: z.string().check(z.minLength(3)),
  PipelineStateMachineArn: z.string().check(z.startsWith('arn:')),
  DeployStateMachineArn: z.string().check(z.startsWith('arn:')),
  NamePrefix: z.string().check(z.minLength(1)),
  RunsPrefix: z.string(),
  ApprovalPolicy: ApprovalPolicySchema,
  /** The stage's notification topic (resources/notifications.yml); absent on stacks deployed before it. */
  NotificationTopicArn: z.optional(z.string().check(z.startsWith('arn:'))),
  /** mlops_ingest, which `pnpm mlops retrain` invokes; absent on stacks deployed before it. */
  IngestFunctionName: z.optional(z.string().check(z.minLength(1))),
});
export type StageOutputs = z.infer<typeof StageOutputsSchema>;

/** `.local/stages.json`, written by `pnpm local:up`: its endpoints and each hosted stage's outputs. */
export const LocalStagesFileSchema = z.object({
  version: z.literal(1),
  region: z.string(),
  endpoints: z.object({ s3: z.string(), sagemaker: z.string(), stepfunctions: z.string(), sqs: z.optional(z.string()), lambda: z.optional(z.string()), cloudwatch: z.optional(z.string()) }),
  stages: z.record(z.string(), StageOutputsSchema),
});
export type LocalStagesFile = z.infer<typeof LocalStagesFileSchema>;

/**
 * Stages whose name starts with `local` (`local`, `localprod`) live in the offline stack; every other
 * stage is on AWS. (Not `local-prod`: IAM and the approval rule match `<namePrefix>-*`, so no stage's
 * name may be another's followed by a hyphen.)
 */
export function isOfflineStage(stage: string): boolean {
  return stage.startsWith('local');
}

/** The deploy a pipeline execution ran (the deploy state machine's output), if it got that far. */
export function deployOutputOf(state: PipelineState | undefined): DeployOutput | undefined {
  return state?.deployment?.Output?.deploy;
}
