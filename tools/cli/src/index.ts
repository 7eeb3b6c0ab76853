// The CLI's programmatic entry: what tests and the benchmark drive `pnpm pipeline` with.
export { parsePipelineArgs, type PipelineOptions } from './pipeline/args';
export { createProgressView } from './pipeline/progress';
export { runPipeline, type RunOutcome } from './pipeline/run';
export { keepArtifacts, runArtifacts, runFolder, runFolderName, utcStamp, type ArtifactSource, type KeptArtifact, type KeptArtifacts } from './pipeline/keep';
export { humanSummary, jsonSummary, keepRun, type KeptRun } from './pipeline/summary';
