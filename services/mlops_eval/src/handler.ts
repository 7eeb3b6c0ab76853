import { EvalConfigSchema, EvalInputSchema, configLoader } from '@mlops/common';
import { metrics, pipelineHandler, s3Client } from '@mlops/common/lambda';
import { evaluate } from './evaluate';

const config = configLoader(EvalConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_eval',
  input: EvalInputSchema,
  core: (input) => evaluate(input, { s3: s3Client(), config: config(), metrics }),
});
