/**
 * CloudWatch errors as the service sends them. CloudWatch answers three protocols with the
 * `awsQueryCompatible` trait: a CBOR or JSON error carries the shape ID in `__type` and the legacy
 * query code in the `x-amzn-query-error` header (`<code>;Sender`), which SDKs expose as the error's
 * code; the query protocol carries the legacy code in `<Error><Code>`.
 *
 * The shape IDs and codes are the ones CloudWatch answered when LocalStack recorded it against AWS
 * (tests/aws/services/cloudwatch snapshots, 2025): validation failures come from the front end
 * (`com.amazon.coral.validate#ValidationException`, query code `ValidationError`), modeled errors
 * from the service's namespace `com.amazonaws.cloudwatch.v2010_08_01`; the codes and statuses of
 * the modeled ones are the model's `error` traits.
 */

export interface CloudWatchErrorKind {
  /** The CBOR and JSON protocols' `__type`. */
  type: string;
  /** The query protocol's `<Code>` and the `x-amzn-query-error` code. */
  queryCode: string;
  /** The model's status (the query protocol's, and RPC's in query mode). */
  status: number;
  /** The error shape's message member: most are `message`, InternalServiceFault's is `Message`. */
  messageMember?: 'message' | 'Message';
}

const CW_NS = 'com.amazonaws.cloudwatch.v2010_08_01#';
const CORAL_NS = 'com.amazon.coral.service#';

export const ERROR_KINDS = {
  ValidationError: { type: 'com.amazon.coral.validate#ValidationException', queryCode: 'ValidationError', status: 400 },
  ResourceNotFound: { type: `${CW_NS}ResourceNotFound`, queryCode: 'ResourceNotFound', status: 404 },
  ResourceNotFoundException: { type: `${CW_NS}ResourceNotFoundException`, queryCode: 'ResourceNotFoundException', status: 404, messageMember: 'Message' },
  InvalidParameterValue: { type: `${CW_NS}InvalidParameterValueException`, queryCode: 'InvalidParameterValue', status: 400 },
  InvalidParameterCombination: { type: `${CW_NS}InvalidParameterCombinationException`, queryCode: 'InvalidParameterCombination', status: 400 },
  MissingParameter: { type: `${CW_NS}MissingRequiredParameterException`, queryCode: 'MissingParameter', status: 400 },
  InvalidNextToken: { type: `${CW_NS}InvalidNextToken`, queryCode: 'InvalidNextToken', status: 400 },
  InvalidFormat: { type: `${CW_NS}InvalidFormatFault`, queryCode: 'InvalidFormat', status: 400 },
  LimitExceeded: { type: `${CW_NS}LimitExceededFault`, queryCode: 'LimitExceeded', status: 400 },
  InvalidAction: { type: `${CORAL_NS}UnknownOperationException`, queryCode: 'InvalidAction', status: 400 },
  SerializationException: { type: `${CORAL_NS}SerializationException`, queryCode: 'MalformedQueryString', status: 400 },
  InternalServiceError: { type: `${CW_NS}InternalServiceFault`, queryCode: 'InternalServiceError', status: 500, messageMember: 'Message' },
} satisfies Record<string, CloudWatchErrorKind>;

export type CloudWatchErrorCode = keyof typeof ERROR_KINDS;

export class CloudWatchError extends Error {
  readonly kind: CloudWatchErrorKind;
  /**
   * @param wireMessage what goes on the wire; undefined sends none, as CloudWatch's ResourceNotFound
   *   does (the in-process error still says what was not found, through `detail`).
   * @param fields the error shape's other members (ResourceNotFoundException's ResourceType, ResourceId).
   */
  constructor(
    readonly code: CloudWatchErrorCode,
    readonly wireMessage: string | undefined,
    detail?: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(wireMessage ?? detail ?? code);
    this.name = code;
    this.kind = ERROR_KINDS[code];
  }

  /** Sender for client errors, Receiver for the service's own. */
  get fault(): 'Sender' | 'Receiver' {
    return this.kind.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const validationError = (message: string) => new CloudWatchError('ValidationError', message);
export const invalidParameterValue = (message: string) => new CloudWatchError('InvalidParameterValue', message);
/** CloudWatch's wording for two parameters that cannot go together (as its PutMetricData answers). */
export const mutuallyExclusive = (a: string, b: string) => new CloudWatchError('InvalidParameterCombination', `The parameters ${a} and ${b} are mutually exclusive and you have specified both.`);
