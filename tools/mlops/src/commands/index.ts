import { approveCommand, rejectCommand } from './approval';
import type { AnyCommand } from './command';
import { modelsCommand } from './models';
import { notificationsCommand } from './notifications';
import { predictCommand } from './predict';
import { promoteCommand } from './promote';
import { reportCommand } from './report';
import { retrainCommand } from './retrain';
import { rollbackCommand } from './rollback';
import { runsCommand } from './runs';
import { teardownCommand } from './teardown';

export const COMMANDS: readonly AnyCommand[] = [runsCommand, modelsCommand, approveCommand, rejectCommand, promoteCommand, rollbackCommand, retrainCommand, predictCommand, reportCommand, teardownCommand, notificationsCommand];
export type { Command, CommandContext, CommandResult } from './command';
