/** Starting the stage's deploy state machine, and following an execution to its end. */
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeployRequestSchema, EXECUTION_NAME_MAX, type DeployReason, type StageOutputs } from '@mlops/common';

/** A readable, unique execution name: `rollback-abalone-v3-<time>`. */
export function deployExecutionName(reason: DeployReason, family: string, version: number, now: Date): string {
  return `${reason}-${family}-v${version}-${now.getTime().toString(36)}`.slice(0, EXECUTION_NAME_MAX);
}

export async function startDeploy(sfn: SFNClient, outputs: StageOutputs, request: { modelPackageArn: string; reason: DeployReason; family: string; version: number; now: Date }): Promise<string> {
  const input = DeployRequestSchema.parse({ modelPackageArn: request.modelPackageArn, reason: request.reason });
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: outputs.DeployStateMachineArn,
      name: deployExecutionName(request.reason, request.family, request.version, request.now),
      input: JSON.stringify(input),
    }),
  );
  return started.executionArn!;
}

export interface WaitOptions {
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** Polls DescribeExecution until the execution is no longer RUNNING. */
export async function waitForExecution(sfn: SFNClient, executionArn: string, { intervalMs, sleep }: WaitOptions): Promise<DescribeExecutionCommandOutput> {
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') return described;
    await sleep(intervalMs);
  }
}
