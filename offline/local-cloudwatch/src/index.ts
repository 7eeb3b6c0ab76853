export { startLocalCloudWatch, type LocalCloudWatch, type LocalCloudWatchOptions } from './server';
export {
  CloudWatchService,
  INITIAL_STATE_REASON,
  OPERATIONS,
  type AlarmStateChange,
  type AlarmStateSnapshot,
  type AlarmStateSummary,
  type CloudWatchServiceOptions,
  type MetricAlarm,
  type PersistedCloudWatch,
  type StateValue,
  type StoredAlarm,
  type Tag,
} from './service';
export { alarmStateChangeEvent, type AlarmEventMetric, type AlarmEventState, type AlarmStateChangeEvent, type AlarmStateChangeEventOptions } from './events';
export { CloudWatchError, ERROR_KINDS, type CloudWatchErrorCode, type CloudWatchErrorKind } from './errors';
export { queryInput, queryResponse } from './query';
export { model as cloudWatchApiModel } from './model';
