import { IngestConfigSchema, IngestEventSchema, configLoader } from '@mlops/common';
import { pipelineHandler, s3Client, sageMakerClient, sfnClient } from '@mlops/common/lambda';
import { handleIngestEvent } from './ingest';

const config = configLoader(IngestConfigSchema);

export const handler = pipelineHandler({
  name: 'mlops_ingest',
  input: IngestEventSchema,
  core: (event) => handleIngestEvent(event, { s3: s3Client(), sfn: sfnClient(), sageMaker: sageMakerClient(), config: config() }),
});
