import { BatchConfigSchema, BatchInputSchema, configLoader } from '@mlops/common';
import { pipelineHandler, sageMakerClient } from '@mlops/common/lambda';
import { startBatchTransform } from './batch';

const config = configLoader(BatchConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_batch',
  input: BatchInputSchema,
  core: (input) => startBatchTransform(input, { sageMaker: sageMakerClient(), config: config() }),
});
