/**
 * The pipeline's own code producing what the predict tests read, never a hand-written schema: the
 * deployed mlops_ingest and mlops_train handlers (their `local` stage environment, clients mocked)
 * through @mlops/testing's ingestDataset and trainingHyperparameters.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PipelineInput } from '@mlops/common';
import { ingestDataset, loadHandler, trainingHyperparameters, type DatasetUpload, type IngestedDataset } from '@mlops/testing';
import type { RunSchema } from '../../src';

export const BUCKET = 'mlops-local-data';
/** The UCI Abalone sample the repository ships (headerless; serverless.yml names its columns). */
export const ABALONE = readFileSync(path.join(__dirname, '..', '..', '..', '..', 'data', 'abalone.csv'), 'utf8');
export const abaloneRows = (text = ABALONE) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));

export type Ingested = IngestedDataset & { runSchema: RunSchema };

/** Call at a test file's top level (the handler harness registers an afterEach). */
export function ingester(): (upload: DatasetUpload) => Promise<Ingested> {
  const start = loadHandler({ name: 'mlops_ingest', clients: ['s3', 'sfn'], module: () => require('@mlops/mlops_ingest') });
  return async (upload) => (await ingestDataset(start(), upload)) as Ingested;
}

/** The hyperparameters the pipeline trains a run with. Call at a test file's top level. */
export function trainer(): (run: PipelineInput) => Promise<Record<string, string>> {
  const start = loadHandler({ name: 'mlops_train', clients: ['sageMaker'], module: () => require('@mlops/mlops_train') });
  return (run) => trainingHyperparameters(start(), run);
}
