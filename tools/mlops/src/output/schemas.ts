/**
 * What `--json` prints: one document per command, each described by a zod schema here (tests parse
 * the output with them; scripts can rely on them).
 */
import * as z from 'zod/mini';
import { ApprovalStatusSchema, DeployReasonSchema, ExecutionStatusSchema } from '@mlops/common';

const GateValueSchema = z.object({
  metric: z.string(),
  /** The challenger's (this version's) value. */
  value: z.number(),
  /** The champion's value on the same rows, when there was a champion. */
  champion: z.optional(z.number()),
  championLabel: z.optional(z.string()),
  passed: z.optional(z.boolean()),
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
