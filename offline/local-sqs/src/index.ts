export { startLocalSqs, queryInput, queryResponse, type LocalSqs, type LocalSqsOptions } from './server';
export { SqsService, OPERATIONS, type PersistedSqs, type StoredMessage, type StoredQueue, type SqsServiceOptions } from './service';
export { SqsError, ERROR_KINDS, type SqsErrorCode, type SqsErrorKind } from './errors';
export { md5OfMessageAttributes, type MessageAttributeValue } from './md5';
