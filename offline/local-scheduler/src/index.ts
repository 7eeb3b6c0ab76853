export { LocalScheduler, substituteContextAttributes, scheduleArn, scheduledTimeText } from './scheduler';
export { nextFireTimes, fireTimesFrom, type NextFireTimesOptions, type FireWindow } from './next';
export { parseScheduleExpression, checkTimezone, type Dialect, type ParsedExpression, type RateUnit } from './expression';
export { systemClock, scaledClock, ManualClock, type SchedulerClock } from './clock';
export { ValidationException, ConflictException, ResourceNotFoundException } from './errors';
export type * from './types';
