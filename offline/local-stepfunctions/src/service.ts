import { randomUUID } from 'node:crypto';
import { type Scope, executionArn as buildExecutionArn, parseExecutionArn, parseStateMachineArn, stateMachineArn as buildStateMachineArn } from './arn';
import { compileDefinition } from './definition';
import {
  executionAlreadyExists,
  executionDoesNotExist,
  stateMachineDoesNotExist,
  unknownOperation,
  validationException,
} from './errors';
import { withoutExecutionData } from './history';
import { nestedHandler, nestedPattern, startedBy } from './nested';
import { type Execution, ExecutionRecord, type RegisteredStateMachine, RestoredExecution } from './store';
import type {
  ExecutionInspector,
  ExecutionSnapshot,
  ExecutionsRestoreReport,
  ExecutionStatus,
  ExecutionStatusChangeEvent,
  PersistedExecution,
  Logger,
  ServiceOptions,
  TaskHandlerResolver,
} from './types';
import { checkName, isValidName, paginate, parseExecutionInput, validateAgainstModel } from './validation';

type Request = Record<string, unknown>;

/**
 * The Step Functions operations, independent of HTTP: requests and responses are the JSON 1.0 bodies
 * (timestamps as Date; the protocol layer encodes them as epoch seconds).
 */
export class StepFunctionsService {
  readonly scope: Scope;
  readonly executions: ExecutionInspector;
  private readonly machines = new Map<string, RegisteredStateMachine>();
  /** Insertion order = start order. */
  private readonly records = new Map<string, Execution>();
  private readonly taskHandlers: TaskHandlerResolver;
  private readonly waitScale: number;
  private readonly logger?: Logger;
  private readonly onEvent?: ServiceOptions['onEvent'];

  constructor(options: ServiceOptions) {
    this.onEvent = options.onEvent;
    this.scope = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
    // The Step Functions integration (states:startExecution[.sync[:2]]) runs state machines of this service.
    this.taskHandlers = (resource, stateName) => {
      const pattern = nestedPattern(resource);
      if (pattern === undefined) return options.taskHandlers(resource, stateName);
      return nestedHandler(pattern, {
        start: (request) => {
          const started = this.startExecution(request);
          return { executionArn: started.executionArn as string, startDate: started.startDate as Date };
        },
        execution: (arn) => this.records.get(arn),
      });
    };
    this.waitScale = options.waitScale ?? 1;
    this.logger = options.logger;
    if (!(this.waitScale > 0)) throw new Error(`waitScale must be a positive number, got ${this.waitScale}`);
    const creationDate = new Date();
    for (const config of options.stateMachines) {
      if (!isValidName(config.name)) throw new Error(`Invalid state machine name '${config.name}'`);
      if (config.type !== undefined && config.type !== 'STANDARD') throw new Error(`Only STANDARD state machines are emulated (${config.name})`);
      const arn = buildStateMachineArn(this.scope, config.name);
      if (this.machines.has(arn)) throw new Error(`Duplicate state machine name '${config.name}'`);
      const compiled = compileDefinition(config.definition, { waitScale: this.waitScale });
      this.machines.set(arn, {
        name: config.name,
        arn,
        definition: config.definition,
        compiled,
        roleArn: config.roleArn ?? `arn:aws:iam::${this.scope.accountId}:role/${config.name}-role`,
        type: 'STANDARD',
        creationDate,
      });
    }
    this.executions = this.inspector();
    if (options.restore) this.restored = this.restore(options.restore);
  }

  /** What `restore` did, if the service was given one. */
  readonly restored?: ExecutionsRestoreReport;

  /** Every execution, oldest first, as a later service's `restore` takes them. */
  exportState(): PersistedExecution[] {
    return [...this.records.values()].map((r) => r.persisted());
  }

  private restore({ executions, lastSeen }: NonNullable<ServiceOptions['restore']>): ExecutionsRestoreReport {
    const report: ExecutionsRestoreReport = { restored: 0, interrupted: [], unknownStateMachine: [] };
    for (const saved of executions) {
      const machine = this.machines.get(saved.stateMachineArn);
      if (!machine) {
        report.unknownStateMachine.push(saved.executionArn);
        continue;
      }
      const record = new RestoredExecution(saved, machine, lastSeen);
      this.records.set(record.executionArn, record);
      report.restored++;
      if (record.interruptedIn !== undefined) {
        report.interrupted.push({ executionArn: record.executionArn, name: record.name, state: record.interruptedIn, cause: record.cause! });
        // Its ABORTED status is new: this is the status change the previous service never sent.
        this.emit(record);
      }
    }
    return report;
  }

  stateMachineArn(name: string): string {
    return buildStateMachineArn(this.scope, name);
  }

  /** Sends the execution's current status to `onEvent` (see statusChangeEvent). */
  private emit(record: Execution): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(statusChangeEvent(record));
    } catch (error) {
      this.logger?.error('local-stepfunctions: onEvent listener failed', { executionArn: record.executionArn, error: (error as Error).message });
    }
  }

  /** Dispatches one operation by name (the `X-Amz-Target` suffix). */
  async call(operation: string, request: Request): Promise<Request> {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(request);
      case 'DescribeExecution':
        return this.describeExecution(request);
      case 'StopExecution':
        return this.stopExecution(request);
      case 'ListExecutions':
        return this.listExecutions(request);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(request);
      case 'DescribeStateMachine':
        return this.describeStateMachine(request);
      case 'ListStateMachines':
        return this.listStateMachines(request);
      default:
        throw unknownOperation(`AWSStepFunctions.${operation}`);
    }
  }

  /** Stops every running execution and waits until they are closed. */
  async shutdown(): Promise<void> {
    for (const record of this.records.values()) record.stop('local-stepfunctions.Shutdown', 'The local Step Functions service was closed');
    await Promise.all([...this.records.values()].map((r) => r.closed));
  }

  private machine(arn: string): RegisteredStateMachine {
    const { region, accountId } = parseStateMachineArn(arn);
    const machine = this.machines.get(arn);
    if (!machine || region !== this.scope.region || accountId !== this.scope.accountId) throw stateMachineDoesNotExist(arn);
    return machine;
  }

  private record(arn: string): Execution {
    parseExecutionArn(arn);
    const record = this.records.get(arn);
    if (!record) throw executionDoesNotExist(arn);
    return record;
  }

  private startExecution(request: Request): Request {
    validateAgainstModel('StartExecution', request);
    const machine = this.machine(request.stateMachineArn as string);
    const name = (request.name as string | undefined) ?? randomUUID();
    checkName(name);
    // AWS: "If you don't include any JSON input data, you still must include the two braces".
    const input = (request.input as string | undefined) ?? '{}';
    const parsedInput = parseExecutionInput(input);
    const arn = buildExecutionArn(this.scope, machine.name, name);
    const existing = this.records.get(arn);
    if (existing) {
      // STANDARD idempotency: same name and input while RUNNING → the original execution; otherwise a conflict.
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: existing.startDate };
      throw executionAlreadyExists(arn);
    }
    const record = new ExecutionRecord({
      stateMachine: machine,
      executionArn: arn,
      name,
      input,
      parsedInput,
      taskHandlers: this.taskHandlers,
      waitScale: this.waitScale,
      region: this.scope.region,
      logger: this.logger,
      parentExecutionArn: startedBy(parsedInput),
    });
    this.records.set(arn, record);
    this.logger?.info('local-stepfunctions: execution started', { executionArn: arn });
    this.emit(record);
    void record.closed.then(() => {
      this.logger?.info('local-stepfunctions: execution closed', { executionArn: arn, status: record.status, error: record.error });
      this.emit(record);
    });
    return { executionArn: arn, startDate: record.startDate };
  }

  private describeExecution(request: Request): Request {
    validateAgainstModel('DescribeExecution', request);
    const record = this.record(request.executionArn as string);
    const withData = request.includedData !== 'METADATA_ONLY';
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachine.arn,
      name: record.name,
      status: record.status,
      startDate: record.startDate,
      stopDate: record.stopDate,
      input: withData ? record.input : undefined,
      inputDetails: { included: withData },
      output: withData ? record.output : undefined,
      outputDetails: record.output === undefined ? undefined : { included: withData },
      error: record.error,
      cause: record.cause,
      redriveCount: 0,
    };
  }

  private async stopExecution(request: Request): Promise<Request> {
    validateAgainstModel('StopExecution', request);
    const record = this.record(request.executionArn as string);
    if (record.status === 'RUNNING') {
      record.stop(request.error as string | undefined, request.cause as string | undefined);
      // Answer once the engine has unwound, so the history already ends with ExecutionAborted.
      await record.closed;
    }
    // A closed execution stays as it closed; the call reports when it stopped.
    return { stopDate: record.stopDate };
  }

  private listExecutions(request: Request): Request {
    validateAgainstModel('ListExecutions', request);
    if (request.mapRunArn !== undefined) throw validationException('Map Runs are not emulated by the local Step Functions service');
    if (request.stateMachineArn === undefined) throw validationException('Must provide a StateMachine ARN or MapRun ARN');
    const machine = this.machine(request.stateMachineArn as string);
    const status = request.statusFilter as ExecutionStatus | undefined;
    // AWS: "Results are sorted by time, with the most recent execution first." Nothing here is ever redriven.
    const matching =
      request.redriveFilter === 'REDRIVEN'
        ? []
        : [...this.records.values()].filter((r) => r.stateMachine === machine && (status === undefined || r.status === status)).reverse();
    const scope = `ListExecutions|${machine.arn}|${status ?? ''}|${String(request.redriveFilter ?? '')}`;
    const { page, nextToken } = paginate(matching, scope, request.maxResults as number | undefined, request.nextToken as string | undefined);
    return {
      executions: page.map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: machine.arn,
        name: r.name,
        status: r.status,
        startDate: r.startDate,
        stopDate: r.stopDate,
      })),
      nextToken,
    };
  }

  private getExecutionHistory(request: Request): Request {
    validateAgainstModel('GetExecutionHistory', request);
    const record = this.record(request.executionArn as string);
    let events = record.history();
    if (request.reverseOrder === true) events = events.reverse();
    if (request.includeExecutionData === false) events = withoutExecutionData(events);
    const scope = `GetExecutionHistory|${record.executionArn}|${request.reverseOrder === true}`;
    const { page, nextToken } = paginate(events, scope, request.maxResults as number | undefined, request.nextToken as string | undefined);
    return { events: page, nextToken };
  }

  private describeStateMachine(request: Request): Request {
    validateAgainstModel('DescribeStateMachine', request);
    const machine = this.machine(request.stateMachineArn as string);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: JSON.stringify(machine.definition),
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: machine.creationDate,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  private listStateMachines(request: Request): Request {
    validateAgainstModel('ListStateMachines', request);
    const machines = [...this.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(machines, 'ListStateMachines', request.maxResults as number | undefined, request.nextToken as string | undefined);
    return {
      stateMachines: page.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: m.creationDate })),
      nextToken,
    };
  }

  private inspector(): ExecutionInspector {
    const find = (arn: string) => {
      const record = this.records.get(arn);
      if (!record) throw new Error(`No execution ${arn}`);
      return record;
    };
    return {
      list: (filter = {}) =>
        [...this.records.values()]
          .filter((r) => (filter.stateMachineName === undefined || r.stateMachine.name === filter.stateMachineName) && (filter.status === undefined || r.status === filter.status))
          .reverse()
          .map((r) => r.snapshot()),
      get: (arn) => this.records.get(arn)?.snapshot(),
      waitForCompletion: async (arn, options = {}) => {
        const record = find(arn);
        const timeoutMs = options.timeoutMs;
        if (timeoutMs === undefined) {
          await record.closed;
          return record.snapshot();
        }
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Execution ${arn} still ${record.status} after ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([record.closed, timeout]);
        } finally {
          clearTimeout(timer);
        }
        return record.snapshot();
      },
      history: (arn, options = {}) => {
        const events = find(arn).history();
        return options.includeExecutionData === false ? withoutExecutionData(events) : events;
      },
    };
  }
}

/**
 * The "Step Functions Execution Status Change" event of an execution as it is now. Fields as in the
 * developer guide's examples: epoch-millisecond dates, `stopDate`/`output`/`outputDetails`/`error`/`cause`
 * null when absent (output only for SUCCEEDED; error and cause as DescribeExecution reports them, so a
 * TIMED_OUT execution has neither). EventBridge's 256 KB event limit is not applied: input and output
 * are always included.
 */
export function statusChangeEvent(record: Pick<Execution, 'executionArn' | 'name' | 'stateMachine' | 'status' | 'startDate' | 'stopDate' | 'input' | 'output' | 'error' | 'cause'>): ExecutionStatusChangeEvent {
  const stopDate = record.status === 'RUNNING' ? undefined : record.stopDate;
  return {
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    time: stopDate ?? record.startDate,
    resources: [record.executionArn],
    detail: {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachine.arn,
      name: record.name,
      status: record.status,
      startDate: record.startDate.getTime(),
      stopDate: stopDate?.getTime() ?? null,
      input: record.input,
      inputDetails: { included: true },
      output: record.status === 'SUCCEEDED' ? (record.output ?? null) : null,
      outputDetails: record.status === 'SUCCEEDED' && record.output !== undefined ? { included: true } : null,
      error: record.error ?? null,
      cause: record.cause ?? null,
    },
  };
}

export type { ExecutionSnapshot };
