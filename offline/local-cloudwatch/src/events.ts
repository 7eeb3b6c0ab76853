/**
 * The "CloudWatch Alarm State Change" event CloudWatch sends to EventBridge, as the CloudWatch User
 * Guide documents it ("Alarm events and EventBridge", the single-metric and metric math samples):
 * source `aws.cloudwatch`, the alarm's ARN as the one resource, and a detail with alarmName, state,
 * previousState and configuration { description, metrics }. A single-metric alarm's configuration
 * is written as a one-entry metrics list (metricStat with the metric's name, namespace and dimensions
 * as a map; stat is the Statistic or ExtendedStatistic), as the samples show.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AlarmStateChange, AlarmStateSnapshot, MetricAlarm } from './service';

export interface AlarmEventState {
  value: string;
  reason: string;
  reasonData?: string;
  /** `2019-10-02T17:04:40.989+0000`, as the samples write it. */
  timestamp: string;
}

export interface AlarmEventMetric {
  id: string;
  expression?: string;
  label?: string;
  metricStat?: {
    metric: { dimensions: Record<string, string>; name?: string; namespace?: string };
    period: number;
    stat: string;
    unit?: string;
  };
  period?: number;
  returnData: boolean;
}

/** The whole event, envelope included (a local EventBridge takes it as an emitted event). */
export interface AlarmStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'CloudWatch Alarm State Change';
  source: 'aws.cloudwatch';
  account: string;
  /** ISO 8601 to the second, UTC. */
  time: string;
  region: string;
  resources: string[];
  detail: {
    alarmName: string;
    state: AlarmEventState;
    previousState: AlarmEventState;
    configuration: { description?: string; metrics: AlarmEventMetric[] };
  };
}

export interface AlarmStateChangeEventOptions {
  region: string;
  accountId: string;
  /** The alarm as DescribeAlarms returns it; the change's own configuration by default. */
  configuration?: MetricAlarm;
  /** The event id (a new UUID by default). */
  id?: string;
}

const eventTimestamp = (date: Date) => date.toISOString().replace('Z', '+0000');

function eventState(state: AlarmStateSnapshot): AlarmEventState {
  return { value: state.value, reason: state.reason, ...(state.reasonData !== undefined ? { reasonData: state.reasonData } : {}), timestamp: eventTimestamp(state.timestamp) };
}

type Dimension = { Name: string; Value: string };
const dimensionMap = (dimensions: unknown) => Object.fromEntries(((dimensions as Dimension[] | undefined) ?? []).map((d) => [d.Name, d.Value]));

/** A UUID-shaped id that stays the same for an alarm: CloudWatch names a single-metric alarm's metric with a UUID. */
function stableId(arn: string): string {
  const h = createHash('sha1').update(arn).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function metricsOf(alarm: MetricAlarm): AlarmEventMetric[] {
  const queries = alarm.Metrics as Record<string, unknown>[] | undefined;
  if (queries) {
    return queries.map((q) => {
      const stat = q.MetricStat as { Metric: Record<string, unknown>; Period: number; Stat: string; Unit?: string } | undefined;
      return {
        id: String(q.Id),
        ...(q.Expression !== undefined ? { expression: String(q.Expression) } : {}),
        ...(q.Label !== undefined ? { label: String(q.Label) } : {}),
        ...(stat
          ? {
              metricStat: {
                metric: {
                  dimensions: dimensionMap(stat.Metric.Dimensions),
                  ...(stat.Metric.MetricName !== undefined ? { name: String(stat.Metric.MetricName) } : {}),
                  ...(stat.Metric.Namespace !== undefined ? { namespace: String(stat.Metric.Namespace) } : {}),
                },
                period: stat.Period,
                stat: stat.Stat,
                ...(stat.Unit !== undefined ? { unit: stat.Unit } : {}),
              },
            }
          : {}),
        ...(q.Period !== undefined ? { period: q.Period as number } : {}),
        // A query returns data unless it says otherwise (MetricDataQuery's ReturnData defaults to true).
        returnData: q.ReturnData !== false,
      };
    });
  }
  if (alarm.MetricName === undefined) return [];
  return [
    {
      id: stableId(alarm.AlarmArn),
      metricStat: {
        metric: { dimensions: dimensionMap(alarm.Dimensions), name: String(alarm.MetricName), namespace: String(alarm.Namespace) },
        period: alarm.Period as number,
        stat: String(alarm.Statistic ?? alarm.ExtendedStatistic),
        ...(alarm.Unit !== undefined ? { unit: String(alarm.Unit) } : {}),
      },
      returnData: true,
    },
  ];
}

/** The EventBridge event CloudWatch sends for `change`. */
export function alarmStateChangeEvent(change: AlarmStateChange, options: AlarmStateChangeEventOptions): AlarmStateChangeEvent {
  const alarm = options.configuration ?? change.configuration;
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: options.accountId,
    time: change.current.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: options.region,
    resources: [change.alarmArn],
    detail: {
      alarmName: change.alarmName,
      state: eventState(change.current),
      previousState: eventState(change.previous),
      configuration: {
        ...(alarm.AlarmDescription !== undefined ? { description: String(alarm.AlarmDescription) } : {}),
        metrics: metricsOf(alarm),
      },
    },
  };
}
