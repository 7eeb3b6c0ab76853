/**
 * CloudWatch metric alarms, independent of the wire protocol: requests and responses are the
 * members of the official model (offline/aws-models, monitoring-2010-08-01.json, plus the tagging
 * shapes of ./model), timestamps as Dates.
 *
 * No metric is stored and no alarm is evaluated: an alarm's state changes only through SetAlarmState
 * (a new alarm stays INSUFFICIENT_DATA until then). That is what the offline stack needs, a test or
 * an operator putting an alarm into ALARM to exercise a rollback, and it keeps the service free of
 * the metric store and the evaluation schedule real alarms depend on.
 */
import { formatValidationMessage, type ValidationIssue, validateRequest } from '@mlops/aws-models';
import { CloudWatchError, invalidParameterValue, mutuallyExclusive, validationError } from './errors';
import { model } from './model';

type Request = Record<string, unknown>;
type Response = Record<string, unknown>;

export const OPERATIONS = ['PutMetricAlarm', 'DescribeAlarms', 'SetAlarmState', 'DeleteAlarms', 'ListTagsForResource', 'TagResource', 'UntagResource'] as const;
export type Operation = (typeof OPERATIONS)[number];

export type StateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export interface Tag {
  Key: string;
  Value: string;
}
/** An alarm as DescribeAlarms returns it (a MetricAlarm of the model, timestamps as Dates). */
export type MetricAlarm = Record<string, unknown> & { AlarmName: string; AlarmArn: string; StateValue: StateValue };

export interface StoredAlarm {
  name: string;
  /** The PutMetricAlarm request's members the model defines, minus AlarmName and Tags. */
  configuration: Record<string, unknown>;
  /** Epoch milliseconds. */
  configurationUpdatedAt: number;
  state: { value: StateValue; reason: string; reasonData?: string; updatedAt: number; transitionedAt: number };
  tags: Tag[];
}

/** What exportState() gives and `restore` takes: every alarm with its state and tags. */
export interface PersistedCloudWatch {
  alarms: StoredAlarm[];
}

export interface AlarmStateSnapshot {
  value: StateValue;
  reason: string;
  reasonData?: string;
  timestamp: Date;
}

/** One state change of one alarm, as onAlarmStateChange receives it. */
export interface AlarmStateChange {
  alarmName: string;
  alarmArn: string;
  previous: AlarmStateSnapshot;
  current: AlarmStateSnapshot;
  /** The alarm after the change, as DescribeAlarms returns it (for the EventBridge event's configuration). */
  configuration: MetricAlarm;
}

/** An alarm's state for the local SageMaker's rollback decision (its AlarmSource). */
export interface AlarmStateSummary {
  name: string;
  state: StateValue;
  reason: string;
  updatedAt: Date;
}

export interface CloudWatchServiceOptions {
  region?: string;
  accountId?: string;
  /** The clock (tests, the stack's emulated time); wall clock by default. */
  now?: () => number;
  restore?: PersistedCloudWatch;
  /** Called on every state change; a throwing receiver is logged and does not fail the call. */
  onAlarmStateChange?: (change: AlarmStateChange) => void;
  logger?: Pick<Console, 'error'>;
}

/** CloudWatch's reason for a new alarm (DescribeAlarms right after PutMetricAlarm). */
export const INITIAL_STATE_REASON = 'Unchecked: Initial alarm creation';
const DEFAULT_MAX_RECORDS = 50;
const TREAT_MISSING_DATA = ['breaching', 'notBreaching', 'ignore', 'missing'];
const LOW_SAMPLE_COUNT = ['evaluate', 'ignore'];
/** What a PutMetricAlarm with Metrics must leave out (API reference, PutMetricAlarm: Metrics). */
const SINGLE_METRIC_MEMBERS = ['MetricName', 'Namespace', 'Dimensions', 'Period', 'Unit', 'Statistic', 'ExtendedStatistic'];
/** What a PutMetricAlarm with EvaluationCriteria (a PromQL alarm) must leave out. */
const PROMQL_EXCLUDED = [...SINGLE_METRIC_MEMBERS, 'Metrics', 'Threshold', 'ComparisonOperator', 'ThresholdMetricId', 'EvaluationPeriods', 'DatapointsToAlarm'];
/**
 * The extended statistics the API reference lists: pNN, tmNN, tcNN, tsNN, wmNN (0 to 100), IQM, and
 * PR/TC/TM/TS/WM with a range (`TM(10%:90%)`, `PR(:300)`).
 */
const EXTENDED_STATISTIC = [/^(p|tm|tc|ts|wm)(100(\.0+)?|\d{1,2}(\.\d+)?)$/, /^IQM$/, /^(PR|TC|TM|TS|WM)\((\d+(\.\d+)?%?)?:(\d+(\.\d+)?%?)?\)$/];
/** Valid Period and EvaluationInterval values: 10, 20, 30 and any multiple of 60. */
const validPeriod = (n: number) => n === 10 || n === 20 || n === 30 || n % 60 === 0;

/**
 * The model lists StateValue as [OK, ALARM, INSUFFICIENT_DATA]; CloudWatch's front end prints the
 * set in its own order (recorded: "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]").
 */
const awsEnumOrder = (message: string) => message.replaceAll('[OK, ALARM, INSUFFICIENT_DATA]', '[INSUFFICIENT_DATA, ALARM, OK]');

export class CloudWatchService {
  readonly region: string;
  readonly accountId: string;
  private readonly now: () => number;
  private readonly alarms = new Map<string, StoredAlarm>();
  private readonly onAlarmStateChange?: (change: AlarmStateChange) => void;
  private readonly logger: Pick<Console, 'error'>;
  /** Bumped on every change, for the state writer. */
  version = 0;

  constructor(options: CloudWatchServiceOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.now = options.now ?? Date.now;
    this.onAlarmStateChange = options.onAlarmStateChange;
    this.logger = options.logger ?? console;
    for (const alarm of options.restore?.alarms ?? []) this.alarms.set(alarm.name, structuredClone(alarm));
  }

  alarmArn(name: string): string {
    return `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${name}`;
  }

  exportState(): PersistedCloudWatch {
    return { alarms: [...this.alarms.values()].map((a) => structuredClone(a)) };
  }

  /** The states of the named alarms, in the order asked; unknown names are left out. */
  alarmStates(names: string[]): AlarmStateSummary[] {
    return names.flatMap((name) => {
      const alarm = this.alarms.get(name);
      return alarm ? [{ name, state: alarm.state.value, reason: alarm.state.reason, updatedAt: new Date(alarm.state.updatedAt) }] : [];
    });
  }

  async call(operation: string, request: Request = {}): Promise<Response> {
    if (!(OPERATIONS as readonly string[]).includes(operation)) {
      const known = model.operations[operation] !== undefined;
      throw new CloudWatchError('InvalidAction', known ? `The action ${operation} is not emulated by the local CloudWatch.` : `The action ${operation} is not valid for this endpoint.`);
    }
    const input = { ...request };
    this.validate(operation, input);
    switch (operation as Operation) {
      case 'PutMetricAlarm':
        return this.putMetricAlarm(input);
      case 'DescribeAlarms':
        return this.describeAlarms(input);
      case 'SetAlarmState':
        return this.setAlarmState(input);
      case 'DeleteAlarms':
        return this.deleteAlarms(input);
      case 'ListTagsForResource':
        return this.listTagsForResource(input);
      case 'TagResource':
        return this.tagResource(input);
      case 'UntagResource':
        return this.untagResource(input);
    }
  }

  /** The model's constraints, as CloudWatch's front end checks them: every violation is a ValidationError. */
  private validate(operation: string, input: Request): void {
    const issues = validateRequest(model, operation, input);
    if (issues.length > 0) throw validationError(awsEnumOrder(formatValidationMessage(issues)));
  }

  private describe(alarm: StoredAlarm): MetricAlarm {
    const c = structuredClone(alarm.configuration);
    // DescribeAlarms' members in the model's xmlOrder; the action lists and Dimensions are always there (empty).
    const described: Record<string, unknown> = {
      AlarmName: alarm.name,
      AlarmArn: this.alarmArn(alarm.name),
      AlarmDescription: c.AlarmDescription,
      AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdatedAt),
      ActionsEnabled: c.ActionsEnabled ?? true,
      OKActions: c.OKActions ?? [],
      AlarmActions: c.AlarmActions ?? [],
      InsufficientDataActions: c.InsufficientDataActions ?? [],
      StateValue: alarm.state.value,
      StateReason: alarm.state.reason,
      StateReasonData: alarm.state.reasonData,
      StateUpdatedTimestamp: new Date(alarm.state.updatedAt),
      MetricName: c.MetricName,
      Namespace: c.Namespace,
      Statistic: c.Statistic,
      Dimensions: c.Dimensions ?? [],
      Period: c.Period,
      Unit: c.Unit,
      EvaluationPeriods: c.EvaluationPeriods,
      Threshold: c.Threshold,
      ComparisonOperator: c.ComparisonOperator,
      ExtendedStatistic: c.ExtendedStatistic,
      TreatMissingData: c.TreatMissingData,
      EvaluateLowSampleCountPercentile: c.EvaluateLowSampleCountPercentile,
      DatapointsToAlarm: c.DatapointsToAlarm,
      Metrics: c.Metrics,
      ThresholdMetricId: c.ThresholdMetricId,
      StateTransitionedTimestamp: new Date(alarm.state.transitionedAt),
      EvaluationCriteria: c.EvaluationCriteria,
      EvaluationInterval: c.EvaluationInterval,
    };
    return Object.fromEntries(Object.entries(described).filter(([, v]) => v !== undefined)) as MetricAlarm;
  }

  /** The rules between members that the model cannot express (API reference, PutMetricAlarm). */
  private checkAlarm(input: Request): void {
    const has = (name: string) => input[name] !== undefined;
    if (has('EvaluationCriteria')) {
      for (const name of PROMQL_EXCLUDED) if (has(name)) throw mutuallyExclusive('EvaluationCriteria', name);
      if (!has('EvaluationInterval')) throw validationError('EvaluationInterval must not be null');
      if (!validPeriod(input.EvaluationInterval as number)) throw validationError('EvaluationInterval must be 10, 20, 30 or a multiple of 60');
    } else {
      if (has('EvaluationInterval')) throw mutuallyExclusive('EvaluationInterval', has('Metrics') ? 'Metrics' : 'MetricName');
      if (has('Metrics')) {
        // CloudWatch's answer when a math alarm also names a statistic (recorded through CloudFormation).
        for (const name of SINGLE_METRIC_MEMBERS) if (has(name)) throw validationError(`${name} should not be set if list of Metrics is set.`);
      } else {
        // The answer when neither MetricName nor Metrics is given (recorded through CloudFormation).
        if (!has('MetricName')) throw validationError('MetricName must not be null');
        if (has('Statistic') && has('ExtendedStatistic')) throw mutuallyExclusive('Statistic', 'ExtendedStatistic');
        if (!has('Statistic') && !has('ExtendedStatistic')) throw new CloudWatchError('InvalidParameterCombination', 'Must specify either Statistic or ExtendedStatistic');
        if (has('ExtendedStatistic') && !EXTENDED_STATISTIC.some((re) => re.test(String(input.ExtendedStatistic)))) {
          throw invalidParameterValue(`The value ${String(input.ExtendedStatistic)} for parameter ExtendedStatistic is not supported.`);
        }
        if (!has('Period')) throw validationError('Period must not be null');
        if (!validPeriod(input.Period as number)) throw validationError('Period must be 10, 20, 30 or a multiple of 60');
      }
      // Required members before the model made them optional for PromQL alarms: the front end's wording.
      const missing: ValidationIssue[] = ['EvaluationPeriods', 'ComparisonOperator']
        .filter((name) => !has(name))
        .map((name) => ({ path: name.charAt(0).toLowerCase() + name.slice(1), value: null, constraint: 'Member must not be null' }));
      if (missing.length > 0) throw validationError(formatValidationMessage(missing));
      // A static threshold, or an anomaly detection band's id.
      if (!has('Threshold') && !has('ThresholdMetricId')) throw validationError('Threshold must not be null');
    }
    if (has('TreatMissingData') && !TREAT_MISSING_DATA.includes(String(input.TreatMissingData))) {
      throw validationError(`The value ${String(input.TreatMissingData)} is not supported for TreatMissingData parameter. Supported values are [${TREAT_MISSING_DATA.join(', ')}].`);
    }
    if (has('EvaluateLowSampleCountPercentile') && !LOW_SAMPLE_COUNT.includes(String(input.EvaluateLowSampleCountPercentile))) {
      throw validationError(
        `Option ${String(input.EvaluateLowSampleCountPercentile)} is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore.`,
      );
    }
  }

  private putMetricAlarm(input: Request): Response {
    this.checkAlarm(input);
    const name = String(input.AlarmName);
    const members = model.shapes.PutMetricAlarmInput!.members!;
    const configuration = Object.fromEntries(
      Object.entries(input).filter(([key, value]) => value !== undefined && value !== null && key in members && key !== 'AlarmName' && key !== 'Tags').map(([k, v]) => [k, structuredClone(v)]),
    );
    const now = this.now();
    const existing = this.alarms.get(name);
    if (existing) {
      // An update overwrites the configuration and keeps the state; its Tags are ignored (use TagResource).
      existing.configuration = configuration;
      existing.configurationUpdatedAt = now;
    } else {
      const tags = new Map<string, string>();
      for (const tag of (input.Tags as Tag[] | undefined) ?? []) tags.set(tag.Key, tag.Value);
      this.alarms.set(name, {
        name,
        configuration,
        configurationUpdatedAt: now,
        state: { value: 'INSUFFICIENT_DATA', reason: INITIAL_STATE_REASON, updatedAt: now, transitionedAt: now },
        tags: [...tags].map(([Key, Value]) => ({ Key, Value })),
      });
    }
    this.version++;
    return {};
  }

  private describeAlarms(input: Request): Response {
    const family = input.ChildrenOfAlarmName !== undefined ? 'ChildrenOfAlarmName' : input.ParentsOfAlarmName !== undefined ? 'ParentsOfAlarmName' : undefined;
    if (family) {
      const others = Object.keys(input).filter((k) => input[k] !== undefined && k !== family && k !== 'MaxRecords' && k !== 'NextToken');
      if (others.length > 0) throw validationError(`If you specify ${family}, you cannot specify any other parameters in the request except for MaxRecords and NextToken.`);
      // Only composite alarms have children or are parents, and there are none here.
      return { CompositeAlarms: [], MetricAlarms: [] };
    }
    if (input.AlarmNames !== undefined && input.AlarmNamePrefix !== undefined) throw mutuallyExclusive('AlarmNames', 'AlarmNamePrefix');
    // Without AlarmTypes, only metric alarms (the only kind here) are returned.
    const types = (input.AlarmTypes as string[] | undefined) ?? ['MetricAlarm'];
    const names = input.AlarmNames as string[] | undefined;
    const prefix = input.AlarmNamePrefix as string | undefined;
    const state = input.StateValue as string | undefined;
    const actionPrefix = input.ActionPrefix as string | undefined;
    const matching = (types.includes('MetricAlarm') ? [...this.alarms.values()] : [])
      .filter((a) => names === undefined || names.includes(a.name))
      .filter((a) => prefix === undefined || a.name.startsWith(prefix))
      .filter((a) => state === undefined || a.state.value === state)
      .filter((a) => actionPrefix === undefined || ((a.configuration.AlarmActions as string[] | undefined) ?? []).some((action) => action.startsWith(actionPrefix)))
      // CloudWatch lists alarms by name.
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let start = 0;
    if (input.NextToken !== undefined) {
      const after = decodeToken(String(input.NextToken));
      if (after === undefined) throw new CloudWatchError('InvalidNextToken', 'The service returned an invalid NextToken.');
      start = matching.findIndex((a) => a.name > after);
      if (start < 0) start = matching.length;
    }
    const max = (input.MaxRecords as number | undefined) ?? DEFAULT_MAX_RECORDS;
    const page = matching.slice(start, start + max);
    const more = start + page.length < matching.length;
    return {
      CompositeAlarms: [],
      MetricAlarms: page.map((a) => this.describe(a)),
      ...(more ? { NextToken: Buffer.from(JSON.stringify({ after: page.at(-1)!.name })).toString('base64') } : {}),
    };
  }

  private setAlarmState(input: Request): Response {
    const name = String(input.AlarmName);
    const value = String(input.StateValue) as StateValue;
    const reason = String(input.StateReason);
    const reasonData = input.StateReasonData as string | undefined;
    if (reasonData) {
      try {
        JSON.parse(reasonData);
      } catch {
        throw new CloudWatchError('InvalidFormat', 'Data was not syntactically valid JSON.');
      }
    }
    const alarm = this.alarms.get(name);
    // CloudWatch answers ResourceNotFound without a message (recorded on all three protocols).
    if (!alarm) throw new CloudWatchError('ResourceNotFound', undefined, `ResourceNotFound: no alarm named ${name}`);
    // Setting the state an alarm is already in changes nothing and sends no event.
    if (alarm.state.value === value) return {};
    const previous: AlarmStateSnapshot = {
      value: alarm.state.value,
      reason: alarm.state.reason,
      ...(alarm.state.reasonData !== undefined ? { reasonData: alarm.state.reasonData } : {}),
      timestamp: new Date(alarm.state.updatedAt),
    };
    const now = this.now();
    alarm.state = { value, reason, ...(reasonData ? { reasonData } : {}), updatedAt: now, transitionedAt: now };
    this.version++;
    const current: AlarmStateSnapshot = { value, reason, ...(reasonData ? { reasonData } : {}), timestamp: new Date(now) };
    this.emit({ alarmName: name, alarmArn: this.alarmArn(name), previous, current, configuration: this.describe(alarm) });
    return {};
  }

  private emit(change: AlarmStateChange): void {
    if (!this.onAlarmStateChange) return;
    try {
      this.onAlarmStateChange(change);
    } catch (e) {
      this.logger.error(`local-cloudwatch: the onAlarmStateChange receiver failed on ${change.alarmName}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * Deletes the named alarms. Names that match no alarm are skipped and the call succeeds: the API
   * reference lists ResourceNotFound, but CloudWatch deletes the correct names and answers 200 (its
   * current reference says so; LocalStack's AWS-validated provider and CloudFormation's contract
   * tests of AWS::CloudWatch::Alarm observed the same).
   */
  private deleteAlarms(input: Request): Response {
    for (const name of input.AlarmNames as string[]) if (this.alarms.delete(name)) this.version++;
    return {};
  }

  /** The alarm an ARN names (undefined: none here); an ARN of no CloudWatch alarm is InvalidParameterValue. */
  private alarmOfArn(arn: string): StoredAlarm | undefined {
    const match = /^arn:[^:]+:cloudwatch:([^:]*):([^:]*):(alarm|insight-rule):(.+)$/.exec(arn);
    if (!match) throw invalidParameterValue(`The value ${arn} for parameter ResourceARN is not a valid CloudWatch resource ARN.`);
    const [, region, account, type, name] = match as unknown as [string, string, string, string, string];
    return type === 'alarm' && region === this.region && account === this.accountId ? this.alarms.get(name) : undefined;
  }

  private resourceNotFound(arn: string): CloudWatchError {
    return new CloudWatchError('ResourceNotFoundException', `The resource ${arn} does not exist.`, undefined, { ResourceType: 'alarm', ResourceId: arn });
  }

  /** A deleted (or never created) alarm has no tags: CloudWatch answers an empty list (recorded), not an error. */
  private listTagsForResource(input: Request): Response {
    const alarm = this.alarmOfArn(String(input.ResourceARN));
    return { Tags: (alarm?.tags ?? []).map((t) => ({ ...t })) };
  }

  private tagResource(input: Request): Response {
    const arn = String(input.ResourceARN);
    const alarm = this.alarmOfArn(arn);
    if (!alarm) throw this.resourceNotFound(arn);
    for (const tag of input.Tags as Tag[]) {
      const existing = alarm.tags.find((t) => t.Key === tag.Key);
      if (existing) existing.Value = tag.Value;
      else alarm.tags.push({ Key: tag.Key, Value: tag.Value });
    }
    this.version++;
    return {};
  }

  private untagResource(input: Request): Response {
    const arn = String(input.ResourceARN);
    const alarm = this.alarmOfArn(arn);
    if (!alarm) throw this.resourceNotFound(arn);
    const keys = new Set(input.TagKeys as string[]);
    alarm.tags = alarm.tags.filter((t) => !keys.has(t.Key));
    this.version++;
    return {};
  }
}

function decodeToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    return typeof parsed.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}
