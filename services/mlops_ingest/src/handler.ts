import { IngestConfigSchema, S3EventSchema, configLoader } from '@mlops/common';
import { pipelineHandler, s3Client, sfnClient } from '@mlops/common/lambda';
import { ingest } from './ingest';

const config = configLoader(IngestConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_ingest',
  input: S3EventSchema,
  core: (event) => ingest(event, { s3: s3Client(), sfn: sfnClient(), config: config() }),
});
