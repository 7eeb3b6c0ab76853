/** A deployed stage's outputs on AWS: the Outputs of CloudFormation stack `mlops-<stage>`. */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StageOutputsSchema, type StageOutputs } from '@mlops/common';
import { OperationError } from '../errors';

export const stackNameOf = (stage: string) => `mlops-${stage}`;
const deployHint = (stage: string) => `deploy it with \`pnpm exec sls deploy --stage ${stage}\``;

export async function stageOutputsFromStack(cloudFormation: CloudFormationClient, stage: string): Promise<StageOutputs> {
  const stackName = stackNameOf(stage);
  let stack;
  try {
    stack = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    // CloudFormation answers a missing stack with ValidationError "Stack with id ... does not exist".
    if ((error as Error).name === 'ValidationError' && /does not exist/i.test((error as Error).message)) stack = undefined;
    else throw error;
  }
  const region = await cloudFormation.config.region().catch(() => 'the default region');
  if (!stack) throw new OperationError('stage-not-deployed', `stage '${stage}' is not deployed in ${region}: there is no CloudFormation stack ${stackName}; ${deployHint(stage)}`);
  const values = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const parsed = StageOutputsSchema.safeParse(values);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new OperationError('stage-not-deployed', `stage '${stage}': stack ${stackName} (${stack.StackStatus}) lacks the lifecycle outputs (${missing}); ${deployHint(stage)} to add them`);
  }
  return parsed.data;
}
