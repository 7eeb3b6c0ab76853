import { configLoader, DeployConfigSchema, DeployInputSchema } from '@mlops/common';
import { pipelineHandler, sageMakerClient } from '@mlops/common/lambda';
import { deployModel } from './deploy';

const config = configLoader(DeployConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_deploy',
  input: DeployInputSchema,
  core: (input) => deployModel(input, { sageMaker: sageMakerClient(), config: config() }),
});
