// `pnpm mlops` programmatically: tests and scripts drive the CLI and its core with injected clients.
export { runCli, type CliEnvironment, type CliIo } from './cli';
export { COMMANDS } from './commands';
export { EXIT_CODES, OperationError, UsageError, type OperationErrorCode } from './errors';
export * from './output/schemas';
export { createStageResolver, type ResolverOptions } from './stage/resolver';
export { stageOutputsFromStack, stackNameOf } from './stage/aws-outputs';
export type { Clients, StageResolver, StageTarget } from './stage/types';
export { defaultRollbackVersion } from './core/rollback';
export { liveModel, type LiveModel } from './core/live';
