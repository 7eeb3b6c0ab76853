// The offline stack's entry point: start it, and the pieces tests and tools drive it with.
export { startLocalStack, type LocalStack, type LocalStackOptions, type LocalStage, type IngestOutcome } from './stack';
export { resolveLocalResources, asyncConfigOf, ASYNC_DEFAULTS, type LocalResources, type LocalFunction, type LocalStateMachine, type LocalQueue, type LocalTopic, type AsyncInvokeConfig } from './resources';
export { NotificationSink, readNotifications, NOTIFICATIONS_FILE, type LocalNotification } from './notifications';
export { AsyncInvoker, type AsyncInvokerOptions, type AsyncOutcome, type InvocationRecord } from './async-invoke';
export { startStackEventBridge, sageMakerEventEntry, executionEventEntry, type StackEventBridge } from './events';
export { localStagesFile, stagesFrom, writeLocalStagesFile } from './stages-file';
export { restoreSummary, type StackRestoreReport } from './stack-state';
export type { StateSnapshot } from '@mlops/local-sagemaker';
export { encodeS3EventKey, toAwsRecord, type S3EventRecord } from './s3-trigger';
export { sharedEsbuildOptions, buildFunctionBundles, type FunctionBundle } from './bundles';
export { startFaultProxy, type FaultProxy, type FaultProxyOptions, type FaultResponse, type ProxiedRequest, type ProxyDecision } from './fault-proxy';
export { startLocalS3, type LocalS3 } from './local-s3';
export { startS3FaultProxies, type S3FaultConfig, type S3FaultProxies, type S3FaultStats } from './s3-faults';
export { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOCAL_CREDENTIALS, stateMachineArn } from './account';
