import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { configLoader, DeployConfigSchema, DeployInputSchema } from '@mlops/common';
import { pipelineHandler, sageMakerClient } from '@mlops/common/lambda';
import { deployModel } from './deploy';

const config = configLoader(DeployConfigSchema);
// Only this function talks to CloudWatch, so its client lives here rather than in @mlops/common.
let cloudWatch: CloudWatchClient | undefined;
const cloudWatchClient = () => (cloudWatch ??= new CloudWatchClient({ maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS ?? 5) }));

export const handler = pipelineHandler({
  name: 'mlops_deploy',
  input: DeployInputSchema,
  core: (input) => deployModel(input, { sageMaker: sageMakerClient(), cloudWatch: cloudWatchClient(), config: config() }),
});
