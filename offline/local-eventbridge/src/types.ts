/** A rule's state as AWS::Events::Rule and PutRule spell it. Only DISABLED stops matching. */
export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface InputTransformer {
  /** Variable name -> JSON path into the event (`$.detail.state`, `$.resources[0]`). */
  inputPathsMap?: Record<string, string>;
  /** Text with `<variable>` placeholders; JSON or a plain string. */
  inputTemplate: string;
}

/** A target's RetryPolicy (AWS defaults: 185 retries, 86 400 s). */
export interface RetryPolicy {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
}

/** One target of a rule; at most one of input, inputPath and inputTransformer. */
export interface LocalTarget {
  id: string;
  arn: string;
  roleArn?: string;
  /** Constant JSON text sent instead of the event. */
  input?: string;
  /** JSON path of the part of the event to send (`$.detail`). */
  inputPath?: string;
  inputTransformer?: InputTransformer;
  retryPolicy?: RetryPolicy;
  /** DeadLetterConfig.Arn: recorded with a failed delivery (nothing is sent there). */
  deadLetterArn?: string;
}

/** A plain EventBridge rule, as rulesFromTemplate reads it from AWS::Events::Rule. */
export interface LocalRule {
  name: string;
  /** The CloudFormation logical id it came from. */
  logicalId?: string;
  description?: string;
  /** 'default' for the default bus. */
  eventBusName: string;
  state: RuleState;
  /** The pattern as an object (a JSON string in the template is parsed). */
  eventPattern?: Record<string, unknown>;
  /** Schedule rules are read but never fire here. */
  scheduleExpression?: string;
  targets: LocalTarget[];
}

/** A rule as the bus holds it: with its ARN. */
export interface DeliveredRule extends LocalRule {
  arn: string;
}

/** The event EventBridge delivers (the envelope). */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 to the second, UTC: 2017-12-22T18:43:48Z. */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  [field: string]: unknown;
}

/** One entry of PutEvents as the API takes it. */
export interface PutEventsRequestEntry {
  Source?: string;
  DetailType?: string;
  /** A JSON object, as text. */
  Detail?: string;
  Resources?: string[];
  /** The event time; a Date, ISO text, or epoch seconds. Defaults to the time of the call. */
  Time?: Date | string | number;
  /** Name or ARN; the default bus when absent. */
  EventBusName?: string;
  TraceHeader?: string;
}

/** An event already built the way AWS services emit them (detail as an object). */
export interface EmittedEvent {
  source: string;
  'detail-type': string;
  detail?: Record<string, unknown>;
  resources?: string[];
  time?: string;
  id?: string;
  account?: string;
  region?: string;
  /** Not part of the event: the bus to put it on ('default' when absent). */
  eventBusName?: string;
}

export type PutEventsEntry = PutEventsRequestEntry | EmittedEvent;

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** Called once per matching rule target and event; a throw (or rejection) is a failed attempt. */
export type Deliver = (target: LocalTarget, inputJson: string, rule: DeliveredRule) => unknown;

export interface RetryOptions {
  /**
   * Retries after the first attempt (default 2). EventBridge retries up to 185 times over 24 h; a
   * target's RetryPolicy.MaximumRetryAttempts lowers this when smaller. An error with
   * `retryable === false` is not retried.
   */
  maxRetries?: number;
  /** Delay before the first retry (default 100 ms); it doubles each retry. */
  baseDelayMs?: number;
  /** Cap on one delay (default 2000 ms). */
  maxDelayMs?: number;
}

export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface LocalEventBridgeOptions {
  rules: LocalRule[];
  deliver: Deliver;
  region?: string;
  accountId?: string;
  logger?: Logger;
  retry?: RetryOptions;
  /** The clock (tests). */
  now?: () => Date;
}

export interface DeliveryRecord {
  eventId: string;
  ruleName: string;
  ruleArn: string;
  eventBusName: string;
  targetId: string;
  targetArn: string;
  /** What was (or would have been) sent; absent when the input could not be built. */
  input?: string;
  /** Calls made to deliver (0 when the input could not be built). */
  attempts: number;
  status: 'succeeded' | 'failed';
  /** Why the last attempt failed, or why no attempt was made. */
  error?: string;
  deadLetterArn?: string;
  /** When it finished (ISO). */
  finishedAt: string;
}

export interface EventBridgeStats {
  /** Entries given to putEvents, accepted and failed. */
  entries: number;
  failedEntries: number;
  /** (event, rule) pairs that matched. */
  ruleMatches: number;
  deliveries: {
    succeeded: number;
    failed: number;
    /** Attempts after a first one. */
    retries: number;
    inFlight: number;
  };
}

export interface LocalEventBridge {
  readonly region: string;
  readonly accountId: string;
  readonly rules: readonly DeliveredRule[];
  /** PutEvents: returns as AWS does once the events are accepted; deliveries continue in the background. */
  putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult>;
  /** The events accepted so far, as delivered (envelopes). */
  published(): EventBridgeEvent[];
  /** Deliveries that succeeded, in completion order. */
  delivered(): DeliveryRecord[];
  /** Deliveries that failed for good (after retries), or whose input could not be built. */
  failures(): DeliveryRecord[];
  stats(): EventBridgeStats;
  /** Resolves when no delivery is in flight (retries included). */
  idle(): Promise<void>;
  /** Stops accepting events and waits for the deliveries in flight. */
  close(): Promise<void>;
}
