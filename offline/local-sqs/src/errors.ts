/**
 * SQS errors as the service sends them. SQS moved from the query protocol to AWS JSON 1.0 with the
 * `awsQueryCompatible` trait: a JSON error carries the JSON shape name in `__type` and the legacy
 * query code in the `x-amzn-query-error` header (`<code>;Sender`), which SDKs expose as the error's
 * code; the query protocol carries the legacy code in `<Error><Code>`. The legacy codes are not in
 * the trimmed model (offline/aws-models), so they are listed here (AWS's SQS API reference, "Common
 * errors" and each action's errors; LocalStack's AWS-validated SQS serializer maps the same names).
 */

export interface SqsErrorKind {
  /** The JSON protocol's `__type`. */
  type: string;
  /** The query protocol's `<Code>` and the `x-amzn-query-error` code. */
  queryCode: string;
  status: number;
}

const SQS_NS = 'com.amazonaws.sqs#';
const CORAL_NS = 'com.amazon.coral.service#';

export const ERROR_KINDS = {
  QueueDoesNotExist: { type: `${SQS_NS}QueueDoesNotExist`, queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { type: `${SQS_NS}QueueNameExists`, queryCode: 'QueueAlreadyExists', status: 400 },
  InvalidAttributeName: { type: `${SQS_NS}InvalidAttributeName`, queryCode: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { type: `${SQS_NS}InvalidAttributeValue`, queryCode: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { type: `${SQS_NS}InvalidMessageContents`, queryCode: 'InvalidMessageContents', status: 400 },
  ReceiptHandleIsInvalid: { type: `${SQS_NS}ReceiptHandleIsInvalid`, queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  PurgeQueueInProgress: { type: `${SQS_NS}PurgeQueueInProgress`, queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  InvalidAddress: { type: `${SQS_NS}InvalidAddress`, queryCode: 'InvalidAddress', status: 404 },
  UnsupportedOperation: { type: `${SQS_NS}UnsupportedOperation`, queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  InvalidParameterValue: { type: `${CORAL_NS}InvalidParameterValueException`, queryCode: 'InvalidParameterValue', status: 400 },
  MissingParameter: { type: `${CORAL_NS}MissingRequiredParameterException`, queryCode: 'MissingParameter', status: 400 },
  InvalidAction: { type: `${CORAL_NS}UnknownOperationException`, queryCode: 'InvalidAction', status: 400 },
  SerializationException: { type: `${CORAL_NS}SerializationException`, queryCode: 'MalformedQueryString', status: 400 },
  InternalError: { type: `${CORAL_NS}InternalFailure`, queryCode: 'InternalError', status: 500 },
} satisfies Record<string, SqsErrorKind>;

export type SqsErrorCode = keyof typeof ERROR_KINDS;

export class SqsError extends Error {
  readonly kind: SqsErrorKind;
  constructor(
    readonly code: SqsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
    this.kind = ERROR_KINDS[code];
  }

  /** Sender for client errors, Receiver for the service's own. */
  get fault(): 'Sender' | 'Receiver' {
    return this.kind.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const queueDoesNotExist = () => new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
export const invalidParameter = (message: string) => new SqsError('InvalidParameterValue', message);
export const missingParameter = (name: string) => new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
