import { AwaitConfigSchema, AwaitInputSchema, configLoader, pipelineHandler, sageMakerClient } from '@mlops/common';
import { pollResource } from './await';

const config = configLoader(AwaitConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_await',
  input: AwaitInputSchema,
  core: (input) => pollResource(input, { sageMaker: sageMakerClient(), config: config() }),
});
