import { configLoader, DeployConfigSchema, DeployInputSchema, pipelineHandler, sageMakerClient } from '@mlops/common';
import { deployModel } from './deploy';

const config = configLoader(DeployConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_deploy',
  input: DeployInputSchema,
  core: (input) => deployModel(input, { sageMaker: sageMakerClient(), config: config() }),
});
