// The package's processing-path entry (`@mlops/mlops_ingest/processing`): what the preprocess
// container runs on each instance, the same passes as the Lambda path (containers/preprocess).
// Nothing here imports an AWS client.
export { DatasetError } from '@mlops/common';
export { FileChannelWriter, type ChannelSink } from './channel-sink';
// An instance's split cannot know from pass 1 whether its shard is plain CSV: it tries, and falls back on this.
export { NotPlainCsvError } from './csv';
export { profileParts, splitParts, type DatasetPart, type Profiled } from './dataset';
export { PreprocessRequestSchema, partName, type PreprocessRequest } from './preprocess-request';
export { Profiler, ProfileStateSchema, type ProfileState } from './profile';
export { CHANNELS, SchemaDocumentSchema, type Channel, type RowCounts, type SchemaDocument } from './schema';
