/**
 * What `--json` prints: one document per command, each described by a zod schema here (tests parse
 * the output with them; scripts can rely on them).
 */
import * as z from 'zod/mini';
import { ApprovalStatusSchema, DeployReasonSchema, ExecutionStatusSchema, GateRuleSchema, IngestOutputSchema, ProblemTypeSchema } from '@mlops/common';

const GateValueSchema = z.object({
  metric: z.string(),
  /** The challenger's (this version's) value. */
  value: z.number(),
  /** The champion's value on the same rows, when there was a champion. */
  champion: z.optional(z.number()),
  championLabel: z.optional(z.string()),
  passed: z.optional(z.boolean()),
  /** The bound the value had to meet and which rule set it (the run record's; absent from records written before the baseline rule). */
  threshold: z.optional(z.number()),
  direction: z.optional(z.enum(['lte', 'gte'])),
  rule: z.optional(GateRuleSchema),
});

export const RunsOutputSchema = z.object({
  stage: z.string(),
  runs: z.array(
    z.object({
      runId: z.string(),
      family: z.string(),
      status: ExecutionStatusSchema,
      outcome: z.string(),
      startedAt: z.string(),
      finishedAt: z.string(),
      gate: z.optional(GateValueSchema),
      version: z.optional(z.object({ version: z.number(), arn: z.string(), approvalStatus: ApprovalStatusSchema })),
      /** The run's model's latest deploy. */
      deploy: z.optional(z.object({ status: z.string(), reason: DeployReasonSchema, version: z.optional(z.number()), endpointConfigName: z.optional(z.string()), finishedAt: z.string() })),
      error: z.optional(z.string()),
    }),
  ),
  /** Record keys that could not be read as run records. */
  unreadable: z.array(z.string()),
});
export type RunsOutput = z.infer<typeof RunsOutputSchema>;

export const ModelsOutputSchema = z.object({
  stage: z.string(),
  family: z.string(),
  group: z.string(),
  endpoint: z.object({ name: z.string(), status: z.optional(z.string()), configName: z.optional(z.string()), liveVersion: z.optional(z.number()) }),
  versions: z.array(
    z.object({
      version: z.number(),
      arn: z.string(),
      approvalStatus: ApprovalStatusSchema,
      createdAt: z.optional(z.string()),
      live: z.boolean(),
      gate: z.optional(GateValueSchema),
      metrics: z.record(z.string(), z.number()),
      runId: z.optional(z.string()),
      source: z.optional(z.object({ stage: z.string(), version: z.number(), run: z.optional(z.string()) })),
      approvalDescription: z.optional(z.string()),
    }),
  ),
});
export type ModelsOutput = z.infer<typeof ModelsOutputSchema>;
export type VersionRow = ModelsOutput['versions'][number];

export const ApprovalOutputSchema = z.object({
  stage: z.string(),
  family: z.string(),
  version: z.number(),
  arn: z.string(),
  action: z.enum(['approved', 'rejected', 'unchanged']),
  previousStatus: ApprovalStatusSchema,
  approvalStatus: ApprovalStatusSchema,
  reason: z.optional(z.string()),
  /** Approving deploys through the stage's EventBridge rule: the deploy state machine to watch. */
  deploy: z.optional(z.object({ via: z.literal('eventbridge'), stateMachineArn: z.string() })),
  message: z.string(),
});
export type ApprovalOutput = z.infer<typeof ApprovalOutputSchema>;

export const PromoteOutputSchema = z.object({
  family: z.string(),
  from: z.object({ stage: z.string(), version: z.number(), arn: z.string() }),
  to: z.object({ stage: z.string(), group: z.string(), version: z.number(), arn: z.string(), approvalStatus: ApprovalStatusSchema, approvalPolicy: z.enum(['auto', 'manual']) }),
  artifact: z.object({ source: z.string(), target: z.string(), method: z.enum(['copy', 'stream']) }),
  /** `auto` policy: the deploy the CLI started. */
  deploy: z.optional(z.object({ executionArn: z.string(), stateMachineArn: z.string() })),
  /** `manual` policy: the command that approves (and so deploys) it. */
  approveCommand: z.optional(z.string()),
});
export type PromoteOutput = z.infer<typeof PromoteOutputSchema>;

export const RollbackOutputSchema = z.object({
  stage: z.string(),
  family: z.string(),
  from: z.optional(z.object({ version: z.number(), arn: z.string() })),
  to: z.object({ version: z.number(), arn: z.string() }),
  executionArn: z.string(),
  stateMachineArn: z.string(),
  /** With --wait: how the deploy ended. */
  result: z.optional(z.object({ status: z.string(), error: z.optional(z.string()), cause: z.optional(z.string()) })),
});
export type RollbackOutput = z.infer<typeof RollbackOutputSchema>;

export const ReportOutputSchema = z.object({ stage: z.string(), runId: z.string(), htmlPath: z.string(), jsonPath: z.string() });
export type ReportOutput = z.infer<typeof ReportOutputSchema>;

/** Any failure under --json (also written to stderr as text). */
export const ErrorOutputSchema = z.object({ error: z.object({ kind: z.enum(['usage', 'failed']), code: z.string(), message: z.string() }) });
export type ErrorOutput = z.infer<typeof ErrorOutputSchema>;

/** `pnpm mlops teardown`: what the stage had outside CloudFormation, what happened to each, and the stack. */
export const TeardownResourceKindSchema = z.enum(['endpoint', 'endpoint-config', 'model', 'training-job', 'transform-job', 'alarm', 'model-package', 'model-package-group']);
export type TeardownResourceKind = z.infer<typeof TeardownResourceKindSchema>;
export const TeardownOutputSchema = z.object({
  stage: z.string(),
  /** Resources named `<namePrefix>-*` are the stage's. */
  namePrefix: z.string(),
  offline: z.boolean(),
  /** --registry: the stage's model packages and groups are deleted too. */
  registry: z.boolean(),
  /**
   * `planned`: listed, nothing done (never printed on its own); `refused`: no terminal to confirm on and no --yes (exit 2);
   * `cancelled`: the typed name did not match (exit 1); `done`: everything removed (exit 0); `failed`: some resource
   * or `sls remove` failed (exit 1).
   */
  status: z.enum(['planned', 'refused', 'cancelled', 'done', 'failed']),
  resources: z.array(
    z.object({
      kind: TeardownResourceKindSchema,
      name: z.string(),
      /** Model packages: the version's ARN (their name here is `<group>/<version>`). */
      arn: z.optional(z.string()),
      /** Jobs are stopped (SageMaker keeps their records); everything else is deleted. */
      action: z.enum(['delete', 'stop']),
      /** Status, endpoint config, group: what the listing shows next to the name. */
      detail: z.optional(z.string()),
      /** After the teardown ran: `gone` means it disappeared meanwhile; `kept` means it was not attempted because what it depends on failed. */
      result: z.optional(z.enum(['deleted', 'stopped', 'gone', 'failed', 'kept'])),
      error: z.optional(z.string()),
    }),
  ),
  /** The stage's model package groups left alone (no --registry), with their version counts. */
  keptGroups: z.array(z.object({ name: z.string(), versions: z.number() })),
  /** The CloudFormation stack: `sls remove` on AWS stages; nothing offline. */
  stack: z.object({
    action: z.enum(['sls-remove', 'none']),
    name: z.optional(z.string()),
    command: z.optional(z.string()),
    /** `sls remove`'s exit code, once run. */
    exitCode: z.optional(z.number()),
    /** Why it was (or will be) not run, or what the offline stack keeps. */
    note: z.optional(z.string()),
  }),
  /** The data bucket is retained by design (DeletionPolicy Retain): how to empty and delete it. */
  bucket: z.object({ name: z.string(), retained: z.boolean(), commands: z.array(z.string()), note: z.string() }),
  notes: z.array(z.string()),
  /** What failed, one line each (also under each resource's `error`). */
  failures: z.array(z.string()),
});
export type TeardownOutput = z.infer<typeof TeardownOutputSchema>;
export type TeardownResource = TeardownOutput['resources'][number];

/**
 * One notification of the offline sink (`.local/notifications.jsonl`, one JSON line each): what an
 * EventBridge rule of resources/notifications.yml published to a stage's SNS topic.
 */
export const NotificationSchema = z.object({
  /** When the sink received it (ISO 8601, wall clock). */
  time: z.string(),
  stage: z.string(),
  topic: z.object({ name: z.string(), arn: z.string() }),
  subject: z.optional(z.string()),
  message: z.string(),
  /** The publishing rule's name (`mlops-<stage>-NotifyRunFailedRule`). */
  rule: z.string(),
});
export type Notification = z.infer<typeof NotificationSchema>;

/**
 * `pnpm mlops notifications`: offline, the stage's latest notifications from the sink (newest last);
 * on AWS, where they go: the stage's SNS topic and its subscriptions (SNS keeps no messages).
 */
export const NotificationsOutputSchema = z.object({
  stage: z.string(),
  offline: z.boolean(),
  /** Offline: the sink file read. */
  file: z.optional(z.string()),
  /** Offline: the stage's notifications, at most --limit, oldest first (newest last). */
  notifications: z.array(NotificationSchema),
  /** Offline: how many the sink holds for the stage. */
  total: z.number(),
  /** Offline: lines of the file that are not notifications (cut by a crash, edited). */
  unreadableLines: z.number(),
  /** AWS: the stage's topic (the stack's NotificationTopicArn). */
  topic: z.optional(z.object({ arn: z.string(), name: z.string() })),
  /** AWS: its subscriptions; an email subscription stays `pending` until its address confirms it. */
  subscriptions: z.optional(
    z.array(z.object({ protocol: z.string(), endpoint: z.string(), status: z.enum(['confirmed', 'pending']), subscriptionArn: z.optional(z.string()) })),
  ),
  /** What the document means, in a sentence or two (also the human text's ending). */
  note: z.string(),
});
export type NotificationsOutput = z.infer<typeof NotificationsOutputSchema>;

/** `retrain`: the retraining request's outcome, as mlops_ingest answered it. */
export const RetrainOutputSchema = z.extend(IngestOutputSchema, {
  stage: z.string(),
  family: z.string(),
  /** The tick the runs are named after. */
  scheduledTime: z.string(),
  functionName: z.string(),
  /** Runs this request started (a repeated tick starts none). */
  started: z.number(),
  message: z.string(),
});
export type RetrainOutput = z.infer<typeof RetrainOutputSchema>;

/** `predict`: the family endpoint's answer for each row, in the dataset's terms (docs/ENDPOINT.md). */
export const PredictOutputSchema = z.object({
  stage: z.string(),
  family: z.string(),
  endpoint: z.string(),
  /** The family schema the rows were encoded with (`s3://<bucket>/families/<family>/schema.json`). */
  schema: z.string(),
  /** The label's name: what the model predicts. */
  target: z.string(),
  problemType: ProblemTypeSchema,
  predictions: z.array(
    z.object({
      /** 1-based, in the order given (--row after --row; a file's data rows, its header not counted). */
      row: z.number(),
      /** Regression: the predicted number; classification: the predicted class, as the dataset writes it. */
      value: z.union([z.number(), z.string()]),
      /** Classification: the class's index in the family's classes (the model's numbering). */
      classIndex: z.optional(z.number()),
      /** Classification under binary:logistic or multi:softprob: each class's probability (the pipeline's multi:softmax gives none). */
      probabilities: z.optional(z.record(z.string(), z.number())),
      /** The line sent for the row: its features, encoded. */
      encoded: z.string(),
    }),
  ),
});
export type PredictOutput = z.infer<typeof PredictOutputSchema>;
