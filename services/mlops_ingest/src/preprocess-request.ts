/**
 * request.json of the processing path (runs/<runId>/preprocess/request.json): what every processing
 * instance needs to read its shard as the Lambda path reads the whole dataset (the dialect detected
 * from the first part's first bytes, the upload's options, the stage's split), written by mlops_ingest
 * before the preprocess execution starts and read by the container and by the merge.
 */
import * as z from 'zod/mini';
import { CsvDelimiterSchema, DatasetPartRefSchema, ProblemTypeSchema, RunOverridesSchema } from '@mlops/common';

export const PreprocessRequestSchema = z.object({
  version: z.literal(1),
  /** The parts, in key order (the manifest lists the same), pinned by ETag. */
  parts: z.array(DatasetPartRefSchema),
  profile: z.object({
    source: z.object({ bucket: z.string(), key: z.string(), etag: z.string() }),
    dialect: z.object({
      delimiter: CsvDelimiterSchema,
      delimiterSource: z.enum(['upload', 'detected']),
      header: z.boolean(),
      headerSource: z.enum(['upload', 'stage', 'detected']),
    }),
    naValues: z.array(z.string()),
    drop: z.array(z.string()),
    target: z.string(),
    problemType: ProblemTypeSchema,
    columnNames: z.optional(z.array(z.string())),
    maxClasses: z.number(),
    ratios: z.array(z.number()),
    seed: z.number(),
  }),
  /** The upload's run overrides (gate, hyperparameters), for the pipeline input the finish step starts. */
  overrides: RunOverridesSchema,
});
export type PreprocessRequest = z.infer<typeof PreprocessRequestSchema>;

/** The name a part goes by in messages: its key below the dataset's folder. */
export function partName(key: string, folder: string): string {
  return key.startsWith(folder) ? key.slice(folder.length) : key;
}
