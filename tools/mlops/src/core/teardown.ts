/**
 * `pnpm mlops teardown`: what a stage has outside CloudFormation, found through the SageMaker (and
 * CloudWatch) APIs by the stage's name prefix, and its removal: in-progress jobs stopped (SageMaker keeps
 * job records), endpoints deleted and awaited before their configs, configs, models, alarms and, with
 * --registry, the model packages and then their groups. A resource that disappears meanwhile is fine; any
 * other failure is recorded on its resource and the others go on.
 */
import { type CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { type CloudWatchClient, DeleteAlarmsCommand, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DeleteModelPackageCommand,
  DeleteModelPackageGroupCommand,
  DescribeEndpointCommand,
  paginateListEndpointConfigs,
  paginateListEndpoints,
  paginateListModelPackageGroups,
  paginateListModelPackages,
  paginateListModels,
  paginateListTrainingJobs,
  paginateListTransformJobs,
  type SageMakerClient,
  StopTrainingJobCommand,
  StopTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { TeardownResource, TeardownResourceKind } from '../output/schemas';

export interface TeardownScope {
  stage: string;
  /** `mlops-<stage>`: the stage's resources are named `<namePrefix>-...`. */
  namePrefix: string;
  /** --registry: delete the stage's model packages and groups too. */
  registry: boolean;
  /** The CloudFormation stack whose resources are excluded (they go with the stack), when there is one. */
  stackName?: string;
}

export interface TeardownClients {
  sageMaker: SageMakerClient;
  /** Lists the stack's resources (AWS stages with a stack). */
  cloudFormation?: CloudFormationClient;
  /** Absent: the target has no CloudWatch (an offline stack started before it had one); alarms are skipped with a note. */
  cloudWatch?: CloudWatchClient;
}

/** A resource to remove, with what the removal needs beyond its name. */
export interface PlannedResource extends TeardownResource {
  /** Endpoints: the configs they use (deleted only once the endpoint is gone). */
  configs?: string[];
  /** Model packages: their group (deleted only once all its packages are). */
  group?: string;
}

export interface TeardownPlan {
  scope: TeardownScope;
  resources: PlannedResource[];
  keptGroups: { name: string; versions: number }[];
  notes: string[];
}

const PAGE = 100;

/** `mlops-local-x` belongs to `mlops-local`; `mlops-localprod-x` does not (exact on the `-` boundary). */
export function belongsTo(namePrefix: string, name: string): boolean {
  return name.toLowerCase().startsWith(`${namePrefix.toLowerCase()}-`);
}

function errorText(error: unknown): string {
  const e = error as Error;
  return `${e.name || 'Error'}: ${e.message}`;
}

/** SageMaker's and CloudWatch's answers for a resource that does not exist (any more). */
export function isGone(error: unknown): boolean {
  const { name, message } = error as Error;
  if (name === 'ResourceNotFound' || name === 'ResourceNotFoundException') return true;
  return name === 'ValidationException' && /could not find|does not exist|not found/i.test(message);
}

/** A connection that could not be made (nothing listening, no such host). */
function unreachable(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || (error as Error).name === 'UnknownOperationException';
}

async function collect<P>(pages: AsyncIterable<P>, pick: (page: P) => PlannedResource[]): Promise<PlannedResource[]> {
  const out: PlannedResource[] = [];
  for await (const page of pages) out.push(...pick(page));
  return out;
}

/** Lists everything to stop or delete; nothing is changed. */
export async function planTeardown(scope: TeardownScope, clients: TeardownClients): Promise<TeardownPlan> {
  const { namePrefix } = scope;
  const sm = { client: clients.sageMaker, pageSize: PAGE };
  const owned = (name: string | undefined): name is string => name !== undefined && belongsTo(namePrefix, name);
  const notes: string[] = [];

  const [listedEndpoints, endpointConfigs, models, training, transform] = await Promise.all([
    collect(paginateListEndpoints(sm, { NameContains: namePrefix }), (p) =>
      (p.Endpoints ?? []).filter((e) => owned(e.EndpointName)).map((e) => ({ kind: 'endpoint' as const, name: e.EndpointName!, action: 'delete' as const, detail: e.EndpointStatus })),
    ),
    collect(paginateListEndpointConfigs(sm, { NameContains: namePrefix }), (p) =>
      (p.EndpointConfigs ?? []).filter((c) => owned(c.EndpointConfigName)).map((c) => ({ kind: 'endpoint-config' as const, name: c.EndpointConfigName!, action: 'delete' as const })),
    ),
    collect(paginateListModels(sm, { NameContains: namePrefix }), (p) =>
      (p.Models ?? []).filter((m) => owned(m.ModelName)).map((m) => ({ kind: 'model' as const, name: m.ModelName!, action: 'delete' as const })),
    ),
    collect(paginateListTrainingJobs(sm, { NameContains: namePrefix, StatusEquals: 'InProgress' }), (p) =>
      (p.TrainingJobSummaries ?? []).filter((j) => owned(j.TrainingJobName)).map((j) => ({ kind: 'training-job' as const, name: j.TrainingJobName!, action: 'stop' as const, detail: j.TrainingJobStatus })),
    ),
    collect(paginateListTransformJobs(sm, { NameContains: namePrefix, StatusEquals: 'InProgress' }), (p) =>
      (p.TransformJobSummaries ?? []).filter((j) => owned(j.TransformJobName)).map((j) => ({ kind: 'transform-job' as const, name: j.TransformJobName!, action: 'stop' as const, detail: j.TransformJobStatus })),
    ),
  ]);

  // Each endpoint's configs (the live one and one being rolled out): kept while the endpoint is not gone.
  const endpoints: PlannedResource[] = [];
  for (const endpoint of listedEndpoints) {
    try {
      const described = await clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: endpoint.name }));
      const configs = [described.EndpointConfigName, described.PendingDeploymentSummary?.EndpointConfigName].filter((c): c is string => c !== undefined);
      endpoints.push({ ...endpoint, detail: [described.EndpointStatus ?? endpoint.detail, ...configs.map((c) => `config ${c}`)].filter(Boolean).join(', '), configs });
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  const alarms: PlannedResource[] = [];
  if (!clients.cloudWatch) {
    notes.push('alarms: this target has no CloudWatch (an offline stack started before it had one: restart pnpm local:up): no alarm checked');
  } else {
    try {
      for await (const page of paginateDescribeAlarms({ client: clients.cloudWatch, pageSize: PAGE }, { AlarmNamePrefix: `${namePrefix}-`, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })) {
        for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (owned(a.AlarmName)) alarms.push({ kind: 'alarm', name: a.AlarmName, action: 'delete', detail: a.StateValue });
        }
      }
    } catch (error) {
      if (!unreachable(error)) throw error;
      notes.push(`alarms: CloudWatch cannot be reached (${errorText(error)}): no alarm checked`);
    }
  }

  const packages: PlannedResource[] = [];
  const groups: PlannedResource[] = [];
  const keptGroups: TeardownPlan['keptGroups'] = [];
  for await (const page of paginateListModelPackageGroups(sm, { NameContains: namePrefix })) {
    for (const g of page.ModelPackageGroupSummaryList ?? []) {
      if (!owned(g.ModelPackageGroupName)) continue;
      const group = g.ModelPackageGroupName;
      const versions = await collect(paginateListModelPackages(sm, { ModelPackageGroupName: group, SortBy: 'CreationTime', SortOrder: 'Ascending' }), (p) =>
        (p.ModelPackageSummaryList ?? []).map((v) => ({
          kind: 'model-package' as const,
          name: `${group}/${v.ModelPackageVersion ?? '?'}`,
          arn: v.ModelPackageArn,
          action: 'delete' as const,
          detail: v.ModelApprovalStatus,
          group,
        })),
      );
      if (scope.registry) {
        packages.push(...versions);
        groups.push({ kind: 'model-package-group', name: group, action: 'delete', detail: `${versions.length} version(s)` });
      } else {
        keptGroups.push({ name: group, versions: versions.length });
      }
    }
  }

  let resources = [...training, ...transform, ...endpoints, ...endpointConfigs, ...models, ...alarms, ...packages, ...groups];
  if (scope.stackName && clients.cloudFormation) {
    // Names under the prefix that the stack itself created (e.g. its ingest-failures alarm) go with `sls remove`.
    const stackOwned = new Set<string>();
    for await (const page of paginateListStackResources({ client: clients.cloudFormation }, { StackName: scope.stackName })) {
      for (const r of page.StackResourceSummaries ?? []) if (r.PhysicalResourceId) stackOwned.add(r.PhysicalResourceId.toLowerCase());
    }
    const byStack = resources.filter((r) => stackOwned.has(r.name.toLowerCase()) || (r.arn !== undefined && stackOwned.has(r.arn.toLowerCase())));
    if (byStack.length) {
      notes.push(`left to the stack ${scope.stackName} (sls remove deletes them): ${byStack.map((r) => `${r.kind} ${r.name}`).join(', ')}`);
      resources = resources.filter((r) => !byStack.includes(r));
    }
  }
  return { scope, resources, keptGroups, notes };
}

export interface ExecuteOptions {
  sleep(ms: number): Promise<void>;
  /** Between two DescribeEndpoint calls while an endpoint is being deleted. */
  pollMs: number;
  /** How many polls an endpoint gets to disappear. */
  maxPolls: number;
}

type Outcome = Pick<TeardownResource, 'result' | 'error'>;

async function attempt(done: 'deleted' | 'stopped', call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call();
    return { result: done };
  } catch (error) {
    if (isGone(error)) return { result: 'gone' };
    const { name, message } = error as Error;
    // A job that ended meanwhile: nothing left to stop. One already Stopping is being stopped.
    if (done === 'stopped' && name === 'ValidationException' && /in status (Completed|Failed|Stopped)\b/i.test(message)) return { result: 'gone' };
    if (done === 'stopped' && name === 'ValidationException' && /in status Stopping\b/i.test(message)) return { result: 'stopped' };
    return { result: 'failed', error: errorText(error) };
  }
}

/** Polls DescribeEndpoint until SageMaker no longer knows the endpoint. */
async function awaitEndpointGone(sageMaker: SageMakerClient, name: string, options: ExecuteOptions): Promise<Outcome> {
  for (let poll = 0; poll < options.maxPolls; poll++) {
    try {
      const d = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: name }));
      if (d.EndpointStatus === 'Failed') return { result: 'failed', error: `deletion failed: ${d.FailureReason ?? 'no reason given'}` };
    } catch (error) {
      if (isGone(error)) return { result: 'deleted' };
      return { result: 'failed', error: errorText(error) };
    }
    await options.sleep(options.pollMs);
  }
  return { result: 'failed', error: `still there after ${Math.round((options.maxPolls * options.pollMs) / 1000)} s of deletion` };
}

/** Stops and deletes what the plan lists, recording each resource's result on it. */
export async function executeTeardown(plan: TeardownPlan, clients: TeardownClients, options: ExecuteOptions): Promise<void> {
  const sm = clients.sageMaker;
  const of = (kind: TeardownResourceKind) => plan.resources.filter((r) => r.kind === kind);
  const record = (r: PlannedResource, outcome: Outcome) => Object.assign(r, outcome);

  for (const job of of('training-job')) record(job, await attempt('stopped', () => sm.send(new StopTrainingJobCommand({ TrainingJobName: job.name }))));
  for (const job of of('transform-job')) record(job, await attempt('stopped', () => sm.send(new StopTransformJobCommand({ TransformJobName: job.name }))));

  const endpoints = of('endpoint');
  for (const endpoint of endpoints) {
    // One already being deleted (by someone else, or an earlier teardown) is only awaited.
    if (endpoint.detail?.startsWith('Deleting')) record(endpoint, { result: 'deleted' });
    else record(endpoint, await attempt('deleted', () => sm.send(new DeleteEndpointCommand({ EndpointName: endpoint.name }))));
  }
  await Promise.all(endpoints.filter((e) => e.result === 'deleted').map(async (e) => record(e, await awaitEndpointGone(sm, e.name, options))));

  // A config stays while an endpoint that uses it is still there: deleting it would leave that endpoint unrecoverable.
  const stillUsed = new Map<string, string>();
  for (const e of endpoints) if (e.result === 'failed') for (const c of e.configs ?? []) stillUsed.set(c.toLowerCase(), e.name);
  for (const config of of('endpoint-config')) {
    const user = stillUsed.get(config.name.toLowerCase());
    if (user) record(config, { result: 'kept', error: `endpoint ${user} was not deleted` });
    else record(config, await attempt('deleted', () => sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: config.name }))));
  }
  for (const model of of('model')) record(model, await attempt('deleted', () => sm.send(new DeleteModelCommand({ ModelName: model.name }))));

  const cloudWatch = clients.cloudWatch;
  if (cloudWatch) for (const alarm of of('alarm')) record(alarm, await attempt('deleted', () => cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: [alarm.name] }))));

  const failedGroups = new Set<string>();
  for (const p of of('model-package')) {
    record(p, await attempt('deleted', () => sm.send(new DeleteModelPackageCommand({ ModelPackageName: p.arn ?? p.name }))));
    if (p.result === 'failed' && p.group) failedGroups.add(p.group);
  }
  for (const group of of('model-package-group')) {
    if (failedGroups.has(group.name)) record(group, { result: 'kept', error: 'some of its versions were not deleted' });
    else record(group, await attempt('deleted', () => sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: group.name }))));
  }
}

/** One line per failed or kept resource. */
export function failuresOf(resources: readonly TeardownResource[]): string[] {
  return resources.filter((r) => r.result === 'failed' || r.result === 'kept').map((r) => `${r.kind} ${r.name}: ${r.result === 'kept' ? `not deleted (${r.error})` : r.error}`);
}
