import { configLoader, RecordConfigSchema, RecordInputSchema } from '@mlops/common';
import { pipelineHandler, s3Client, sageMakerClient } from '@mlops/common/lambda';
import { writeRecord } from './record';

const config = configLoader(RecordConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_record',
  input: RecordInputSchema,
  core: (input) => writeRecord(input, { s3: s3Client(), sageMaker: sageMakerClient(), config: config() }),
});
