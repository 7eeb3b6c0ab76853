import { configLoader, RegisterConfigSchema, RegisterInputSchema } from '@mlops/common';
import { pipelineHandler, sageMakerClient } from '@mlops/common/lambda';
import { registerModel } from './register';

const config = configLoader(RegisterConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_register',
  input: RegisterInputSchema,
  core: (input) => registerModel(input, { sageMaker: sageMakerClient(), config: config() }),
});
