/**
 * `report <runId>`: the HTML report of any run, rebuilt from what the stage kept: its run record,
 * the execution's history (GetExecutionHistory), the state machine's definition and the evaluation
 * report mlops_eval wrote to S3.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, DescribeStateMachineCommand, GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { EvaluationReportSchema, modelLabel, parseS3Uri, type EvaluationReport, type RunRecord } from '@mlops/common';
import * as z from 'zod/mini';
import { ExecutionTracker, type AslDefinition, type JobSummary, type RunReport } from '@mlops/report';
import type { StageTarget } from '../stage/types';
import { readRunRecord } from './run-records';

async function fullHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: true }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The evaluation report mlops_eval wrote; a missing or foreign document leaves the report without it. */
async function readEvaluation(s3: S3Client, uri: string): Promise<EvaluationReport | undefined> {
  try {
    const { bucket, key } = parseS3Uri(uri);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return EvaluationReportSchema.parse(JSON.parse(await object.Body!.transformToString()));
  } catch {
    return undefined;
  }
}

/** What the report needs of the execution's input (the pipeline input mlops_ingest wrote). */
const ReportedInputSchema = z.object({
  dataset: z.object({ featureCount: z.number() }),
  task: z.object({ target: z.string(), classes: z.optional(z.array(z.string())) }),
});

function executionInput(history: HistoryEvent[]): z.infer<typeof ReportedInputSchema> | undefined {
  const input = history.find((e) => e.type === 'ExecutionStarted')?.executionStartedEventDetails?.input;
  const parsed = input ? ReportedInputSchema.safeParse(JSON.parse(input)) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

function jobsOf(record: RunRecord, tracker: ExecutionTracker): JobSummary[] {
  const polls = (kind: string) => tracker.polls.get(kind)?.polls ?? 0;
  const status = (kind: string) => tracker.polls.get(kind)?.status ?? (record.status === 'SUCCEEDED' ? 'Completed' : 'Unknown');
  const jobs: JobSummary[] = [];
  const { training, transform, championTransform } = record.jobs;
  if (training) jobs.push({ kind: 'training', name: training.name, status: status('training'), polls: polls('training'), seconds: training.seconds });
  if (transform) jobs.push({ kind: 'transform', role: 'challenger', name: transform.name, status: status('transform'), polls: polls('transform'), seconds: transform.seconds });
  if (championTransform) jobs.push({ kind: 'transform', role: 'champion', name: championTransform.name, status: status('transform:champion'), polls: polls('transform:champion'), seconds: championTransform.seconds });
  const deployed = record.deployments.at(-1);
  if (deployed?.endpointName) jobs.push({ kind: 'endpoint', name: deployed.endpointName, status: deployed.status === 'deployed' ? 'InService' : 'Failed', polls: polls('endpoint'), seconds: (Date.parse(deployed.finishedAt) - Date.parse(deployed.startedAt)) / 1000 });
  return jobs;
}

export async function buildRunReport(target: StageTarget, runId: string, now: Date): Promise<RunReport> {
  const { s3, sfn } = target.clients;
  const record = await readRunRecord(s3, target.outputs, runId, target.stage);
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: record.executionArn }));
  const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: execution.stateMachineArn ?? target.outputs.PipelineStateMachineArn }));
  const history = await fullHistory(sfn, record.executionArn);
  const tracker = new ExecutionTracker();
  tracker.update(history);
  const input = executionInput(history);
  const evaluation = record.evaluation ? await readEvaluation(s3, record.evaluation.reportUri) : undefined;
  const startedAt = execution.startDate ?? new Date(record.startedAt);
  const stoppedAt = execution.stopDate ?? new Date(record.finishedAt);
  const deployed = record.deployments.filter((d) => d.status === 'deployed' && d.endpointName).at(-1);
  return {
    title: `${record.runId} — ${record.status}`,
    generatedAt: now.toISOString(),
    execution: {
      name: execution.name ?? record.runId,
      arn: record.executionArn,
      status: record.status,
      error: execution.error ?? record.error?.Error,
      cause: execution.cause ?? record.error?.Cause,
      startedAt: startedAt.toISOString(),
      stoppedAt: stoppedAt.toISOString(),
      wallSeconds: (stoppedAt.getTime() - startedAt.getTime()) / 1000,
    },
    dataset: {
      source: record.dataset.uri,
      rows: record.dataset.rows,
      featureCount: input?.dataset.featureCount ?? 0,
      problemType: record.problemType,
      target: input?.task.target ?? '',
      classes: input?.task.classes,
    },
    definition: JSON.parse(machine.definition ?? '{"StartAt":"","States":{}}') as AslDefinition,
    path: tracker.path,
    steps: tracker.timings(),
    jobs: jobsOf(record, tracker),
    evaluation,
    model: record.modelPackage ? { label: modelLabel(record.family, record.modelPackage), arn: record.modelPackage.arn, group: record.modelPackage.group, version: record.modelPackage.version, approvalStatus: record.modelPackage.approvalStatus } : undefined,
    deployment: deployed?.endpointName
      ? { executionArn: deployed.executionArn, status: 'SUCCEEDED', model: modelLabel(record.family, deployed.modelVersion), endpointName: deployed.endpointName, endpointConfigName: deployed.endpointConfigName ?? '' }
      : undefined,
    endpoint: deployed?.endpointName ? { name: deployed.endpointName, configName: deployed.endpointConfigName, checks: [] } : undefined,
    artifacts: {
      ...(record.jobs.training?.modelArtifacts ? { model: record.jobs.training.modelArtifacts } : {}),
      ...(record.evaluation ? { evaluation: record.evaluation.reportUri } : {}),
      ...(record.modelPackage ? { modelPackage: record.modelPackage.arn } : {}),
    },
  };
}
