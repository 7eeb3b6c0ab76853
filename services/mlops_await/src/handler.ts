import { AwaitConfigSchema, AwaitInputSchema, configLoader } from '@mlops/common';
import { pipelineHandler, sageMakerClient } from '@mlops/common/lambda';
import { pollResource } from './await';

const config = configLoader(AwaitConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_await',
  input: AwaitInputSchema,
  core: (input) => pollResource(input, { sageMaker: sageMakerClient(), config: config() }),
});
