export {
  compilePattern,
  matchesPattern,
  validatePattern,
  InvalidEventPatternException,
  MAX_OR_COMBINATIONS,
  NUMERIC_LIMIT,
  type CompiledPattern,
} from './pattern';
export { rulesFromTemplate, isIntrinsic, type Resolve, type TemplateResource } from './template';
export { createLocalEventBridge, eventTime, ruleArn } from './bus';
export { targetInput, validateTarget, ValidationException, PREDEFINED_VARIABLES, type InputContext, type TargetInput } from './transform';
export type * from './types';
