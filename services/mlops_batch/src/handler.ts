import { BatchConfigSchema, BatchInputSchema, configLoader, pipelineHandler, sageMakerClient } from '@mlops/common';
import { startBatchTransform } from './batch';

const config = configLoader(BatchConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_batch',
  input: BatchInputSchema,
  core: (input) => startBatchTransform(input, { sageMaker: sageMakerClient(), config: config() }),
});
