export { startLocalStepFunctions, type LocalStepFunctions } from './server';
export { StepFunctionsService, statusChangeEvent } from './service';
export { runStateMachine, type RunOptions, type RunResult } from './run';
export { compileDefinition, DefinitionError, type CompiledDefinition } from './definition';
export { SfnError, StatesError } from './errors';
export type * from './types';
export { INTERRUPTED_ERROR } from './store';
