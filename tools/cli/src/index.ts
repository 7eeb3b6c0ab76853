// The CLI's programmatic entry: what tests and the benchmark drive `pnpm pipeline` with.
export { parsePipelineArgs, uploadName, type PipelineOptions } from './pipeline/args';
export { EXIT, EXIT_CODES, type ExitCode } from './pipeline/exit-codes';
export { createProgressView, type ProgressView } from './pipeline/progress';
export { InterruptedError, runPipeline, type RunOutcome } from './pipeline/run';
export { keepArtifacts, runArtifacts, runFolder, runFolderName, utcStamp, type ArtifactSource, type KeptArtifact, type KeptArtifacts } from './pipeline/keep';
export { humanSummary, jsonSummary, keepRun, type KeptRun } from './pipeline/summary';
