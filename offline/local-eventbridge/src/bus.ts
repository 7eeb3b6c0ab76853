// The local event bus: PutEvents in, matching rules' targets called through `deliver`.
//
// As EventBridge does it (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html): PutEvents answers
// once the events are accepted, with an EventId per accepted entry and ErrorCode/ErrorMessage per
// refused one; delivery happens afterwards, to every target of every enabled rule on the event's bus
// whose pattern matches, each target with its own input. A failed delivery is retried with
// exponential backoff; EventBridge keeps trying for up to 24 hours and 185 times by default, which
// here becomes a small bounded number of quick retries (RetryOptions), lowered further by a target's
// RetryPolicy. What fails for good is logged, counted and kept (failures()).

import { randomUUID } from 'node:crypto';
import { type CompiledPattern, compilePattern } from './pattern';
import { busNameOf } from './template';
import { targetInput, validateTarget, ValidationException } from './transform';
import type {
  DeliveredRule,
  DeliveryRecord,
  EmittedEvent,
  EventBridgeEvent,
  EventBridgeStats,
  LocalEventBridge,
  LocalEventBridgeOptions,
  LocalRule,
  LocalTarget,
  PutEventsEntry,
  PutEventsRequestEntry,
  PutEventsResult,
  PutEventsResultEntry,
  RuleState,
} from './types';

const MAX_ENTRIES = 10;
const STATES: readonly RuleState[] = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];
const REQUEST_KEYS = ['Source', 'DetailType', 'Detail', 'Resources', 'Time', 'EventBusName', 'TraceHeader'];

/** The time as EventBridge writes it in events: ISO 8601 in UTC, whole seconds. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function ruleArn(region: string, accountId: string, busName: string, ruleName: string): string {
  return busName === 'default'
    ? `arn:aws:events:${region}:${accountId}:rule/${ruleName}`
    : `arn:aws:events:${region}:${accountId}:rule/${busName}/${ruleName}`;
}

type Built = { ok: true; event: EventBridgeEvent; bus: string } | { ok: false; code: string; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (name: string, reason: string): Built => ({
  ok: false,
  code: 'InvalidArgument',
  message: `Parameter ${name} is not valid. Reason: ${reason}`,
});

export function createLocalEventBridge(options: LocalEventBridgeOptions): LocalEventBridge {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const now = options.now ?? (() => new Date());
  const logger = options.logger;
  const retry = {
    maxRetries: options.retry?.maxRetries ?? 2,
    baseDelayMs: options.retry?.baseDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 2000,
  };

  const rules = options.rules.map((r) => prepareRule(r, region, accountId));
  const seen = new Set<string>();
  for (const { rule } of rules) {
    if (seen.has(rule.arn)) throw new ValidationException(`Rule ${rule.name} is defined twice on event bus ${rule.eventBusName}.`);
    seen.add(rule.arn);
  }

  const published: EventBridgeEvent[] = [];
  const delivered: DeliveryRecord[] = [];
  const failures: DeliveryRecord[] = [];
  const counters = { entries: 0, failedEntries: 0, ruleMatches: 0, succeeded: 0, failed: 0, retries: 0 };
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  function build(entry: PutEventsEntry): Built {
    if (!isObject(entry)) return invalid('Entries', 'each entry must be an object.');
    const at = now();
    if (REQUEST_KEYS.some((k) => k in entry)) return fromRequestEntry(entry as PutEventsRequestEntry, at);
    return fromEmittedEvent(entry as unknown as EmittedEvent, at);
  }

  function fromRequestEntry(entry: PutEventsRequestEntry, at: Date): Built {
    if (typeof entry.Source !== 'string' || entry.Source === '') return invalid('Source', 'Source is a required argument.');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return invalid('DetailType', 'DetailType is a required argument.');
    if (entry.Detail === undefined || entry.Detail === null || entry.Detail === '') return invalid('Detail', 'Detail is a required argument.');
    let detail: unknown;
    try {
      detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : undefined;
    } catch {
      detail = undefined;
    }
    if (!isObject(detail)) return { ok: false, code: 'MalformedDetail', message: 'Detail is malformed.' };
    let time = at;
    if (entry.Time !== undefined) {
      time = entry.Time instanceof Date ? entry.Time : typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : new Date(entry.Time);
      if (Number.isNaN(time.getTime())) return invalid('Time', 'Time is not a timestamp.');
    }
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')) return invalid('Resources', 'Resources must be a list of strings.');
    return { ok: true, bus: busNameOf(entry.EventBusName), event: envelope(randomUUID(), entry.DetailType, entry.Source, accountId, eventTime(time), region, resources, detail) };
  }

  function fromEmittedEvent(entry: EmittedEvent, at: Date): Built {
    if (typeof entry.source !== 'string' || entry.source === '') return invalid('source', 'source is a required argument.');
    if (typeof entry['detail-type'] !== 'string') return invalid('detail-type', 'detail-type is a required argument.');
    const detail = entry.detail ?? {};
    if (!isObject(detail)) return { ok: false, code: 'MalformedDetail', message: 'Detail is malformed.' };
    const resources = entry.resources ?? [];
    if (!Array.isArray(resources)) return invalid('resources', 'resources must be a list of strings.');
    return {
      ok: true,
      bus: busNameOf(entry.eventBusName),
      event: envelope(
        entry.id ?? randomUUID(),
        entry['detail-type'],
        entry.source,
        entry.account ?? accountId,
        entry.time ?? eventTime(at),
        entry.region ?? region,
        resources,
        detail,
      ),
    };
  }

  function route(event: EventBridgeEvent, bus: string, ingestionTime: string): void {
    for (const { rule, compiled } of rules) {
      if (rule.state === 'DISABLED' || rule.eventBusName !== bus || !compiled) continue;
      if (!compiled.matches(event)) continue;
      counters.ruleMatches++;
      logger?.debug?.('event matched rule', { eventId: event.id, rule: rule.name });
      for (const target of rule.targets) {
        const p: Promise<void> = deliverToTarget(rule, target, event, ingestionTime).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
  }

  async function deliverToTarget(rule: DeliveredRule, target: LocalTarget, event: EventBridgeEvent, ingestionTime: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // deliver after PutEvents has answered, as EventBridge does
    const base = {
      eventId: event.id,
      ruleName: rule.name,
      ruleArn: rule.arn,
      eventBusName: rule.eventBusName,
      targetId: target.id,
      targetArn: target.arn,
      ...(target.deadLetterArn ? { deadLetterArn: target.deadLetterArn } : {}),
    };
    const built = targetInput(target, event, { ruleArn: rule.arn, ruleName: rule.name, ingestionTime });
    if (!built.ok) {
      fail({ ...base, attempts: 0, error: built.error });
      return;
    }
    const input = built.input;
    const maxRetries = Math.min(retry.maxRetries, target.retryPolicy?.maximumRetryAttempts ?? 185);
    const maxAgeMs = (target.retryPolicy?.maximumEventAgeInSeconds ?? 86400) * 1000;
    const started = Date.now();
    for (let attempts = 1; ; attempts++) {
      try {
        await options.deliver(target, input, rule);
        counters.succeeded++;
        delivered.push({ ...base, input, attempts, status: 'succeeded', finishedAt: now().toISOString() });
        logger?.debug?.('event delivered', { eventId: event.id, rule: rule.name, target: target.id, attempts });
        return;
      } catch (err) {
        const error = describe(err);
        const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempts - 1));
        const retryable = !(isObject(err) && err.retryable === false);
        if (!retryable || attempts > maxRetries || Date.now() - started + delay > maxAgeMs) {
          fail({ ...base, input, attempts, error });
          return;
        }
        counters.retries++;
        logger?.warn('event delivery failed; retrying', { eventId: event.id, rule: rule.name, target: target.id, attempt: attempts, delayMs: delay, error });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  function fail(record: Omit<DeliveryRecord, 'status' | 'finishedAt'>): void {
    counters.failed++;
    failures.push({ ...record, status: 'failed', finishedAt: now().toISOString() });
    logger?.error('event delivery failed', { ...record });
  }

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    region,
    accountId,
    rules: rules.map((r) => r.rule),
    async putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult> {
      if (closed) throw new Error('the local EventBridge is closed');
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
        const n = Array.isArray(entries) ? entries.length : 0;
        throw new ValidationException(
          `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${n < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES}`}`,
        );
      }
      const results: PutEventsResultEntry[] = [];
      const accepted: { event: EventBridgeEvent; bus: string }[] = [];
      for (const entry of entries) {
        counters.entries++;
        const built = build(entry);
        if (!built.ok) {
          counters.failedEntries++;
          results.push({ ErrorCode: built.code, ErrorMessage: built.message });
          logger?.warn('PutEvents entry refused', { code: built.code, message: built.message });
          continue;
        }
        published.push(built.event);
        accepted.push(built);
        results.push({ EventId: built.event.id });
      }
      const ingestionTime = eventTime(now());
      for (const { event, bus } of accepted) route(event, bus, ingestionTime);
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },
    published: () => [...published],
    delivered: () => [...delivered],
    failures: () => [...failures],
    stats: (): EventBridgeStats => ({
      entries: counters.entries,
      failedEntries: counters.failedEntries,
      ruleMatches: counters.ruleMatches,
      deliveries: { succeeded: counters.succeeded, failed: counters.failed, retries: counters.retries, inFlight: inFlight.size },
    }),
    idle,
    async close(): Promise<void> {
      closed = true;
      await idle();
    },
  };
}

function prepareRule(r: LocalRule, region: string, accountId: string): { rule: DeliveredRule; compiled?: CompiledPattern } {
  if (typeof r.name !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(r.name)) throw new ValidationException(`Rule name ${JSON.stringify(r.name)} is not valid.`);
  const eventBusName = busNameOf(r.eventBusName);
  const state = r.state ?? 'ENABLED';
  if (!STATES.includes(state)) throw new ValidationException(`Rule ${r.name}: State must be one of ${STATES.join(', ')}.`);
  for (const t of r.targets ?? []) validateTarget(t);
  const rule: DeliveredRule = { ...r, eventBusName, state, targets: [...(r.targets ?? [])], arn: ruleArn(region, accountId, eventBusName, r.name) };
  return { rule, ...(r.eventPattern !== undefined ? { compiled: compilePattern(r.eventPattern) } : {}) };
}

function envelope(
  id: string,
  detailType: string,
  source: string,
  account: string,
  time: string,
  region: string,
  resources: string[],
  detail: Record<string, unknown>,
): EventBridgeEvent {
  return { version: '0', id, 'detail-type': detailType, source, account, time, region, resources: [...resources], detail };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}
