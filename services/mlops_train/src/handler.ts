import { configLoader, TrainConfigSchema, TrainInputSchema } from '@mlops/common';
import { pipelineHandler, sageMakerClient } from '@mlops/common/lambda';
import { startTraining } from './train';

const config = configLoader(TrainConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_train',
  input: TrainInputSchema,
  core: (input) => startTraining(input, { sageMaker: sageMakerClient(), config: config() }),
});
