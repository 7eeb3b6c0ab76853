import { type Context, errorMessage, sleep } from './context';
import type { EndpointConfigRecord, EndpointConfigStore, ProductionVariant } from './endpoint-configs';
import { AwsError, validationException } from './errors';
import { TimeoutError, httpRequest } from './http-client';
import { stripTagOrDigest } from './images';
import { type ListRequest, listResponse } from './listing';
import type { ModelStore } from './models';
import { type ServingInstance, ServingError, startServing } from './serving';
import type { TagStore } from './tags';
import { clone } from './wire';

export type EndpointStatus = 'Creating' | 'Updating' | 'InService' | 'Deleting' | 'Failed' | 'OutOfService' | 'SystemUpdating' | 'RollingBack' | 'UpdateRollbackFailed';

interface VariantRuntime {
  spec: ProductionVariant;
  name: string;
  weight: number;
  desiredCount: number;
  instances: ServingInstance[];
  next: number;
}

interface Deployment {
  configName: string;
  config: EndpointConfigRecord;
  variants: VariantRuntime[];
  abort: AbortController;
  startTime: Date;
  /** DescribeEndpoint's VariantStatus of a pending deployment: Creating, then ActivatingTraffic and Baking. */
  phase: 'Creating' | 'ActivatingTraffic' | 'Baking';
}

/** The part of UpdateEndpoint's DeploymentConfig the local SageMaker follows. */
export interface UpdateEndpointRequest {
  EndpointName: string;
  EndpointConfigName: string;
  DeploymentConfig?: {
    BlueGreenUpdatePolicy?: {
      TrafficRoutingConfiguration: {
        Type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
        WaitIntervalInSeconds: number;
        CanarySize?: { Type: 'INSTANCE_COUNT' | 'CAPACITY_PERCENT'; Value: number };
        LinearStepSize?: { Type: 'INSTANCE_COUNT' | 'CAPACITY_PERCENT'; Value: number };
      };
      TerminationWaitInSeconds?: number;
      MaximumExecutionTimeoutInSeconds?: number;
    };
    AutoRollbackConfiguration?: { Alarms?: { AlarmName: string }[] };
  };
}

/** How often a bake looks at its alarms, in emulated seconds (CloudWatch evaluates alarms every minute or faster). */
export const ALARM_CHECK_SECONDS = 10;

/**
 * The share of requests the new fleet takes at each step of a blue/green update: all at once; a
 * canary, then all; or linear steps. A step of a size in instances is that part of the new fleet's
 * capacity. Every step but the last bakes WaitIntervalInSeconds, the last TerminationWaitInSeconds.
 */
export function trafficSteps(routing: NonNullable<NonNullable<UpdateEndpointRequest['DeploymentConfig']>['BlueGreenUpdatePolicy']>['TrafficRoutingConfiguration'], instances: number): number[] {
  const fraction = (size: { Type: string; Value: number } | undefined) =>
    !size ? 1 : Math.min(1, Math.max(0, size.Type === 'INSTANCE_COUNT' ? size.Value / Math.max(1, instances) : size.Value / 100));
  if (routing.Type === 'CANARY') return [fraction(routing.CanarySize), 1];
  if (routing.Type === 'LINEAR') {
    const step = fraction(routing.LinearStepSize);
    const steps: number[] = [];
    for (let share = step; share < 1 - 1e-9 && step > 0; share += step) steps.push(share);
    return [...steps, 1];
  }
  return [1];
}

export interface EndpointRecord {
  name: string;
  arn: string;
  status: EndpointStatus;
  failureReason?: string;
  creationTime: Date;
  lastModifiedTime: Date;
  /** The configuration DescribeEndpoint reports (the serving one; during creation, the requested one). */
  configName: string;
  active?: Deployment;
  pending?: Deployment;
  /** While a blue/green update shifts traffic: the share of requests the pending deployment takes. */
  shifted?: { deployment: Deployment; share: number };
  deleting: boolean;
  work?: Promise<void>;
}

export interface InvokeRequest {
  body: Buffer;
  contentType?: string;
  accept?: string;
  customAttributes?: string;
  targetVariant?: string;
}

export interface InvokeResult {
  body: Buffer;
  contentType: string;
  invokedVariant: string;
  customAttributes?: string;
}

/** An endpoint as exportState() writes it: its record without the running deployments. */
export type PersistedEndpoint = Pick<EndpointRecord, 'name' | 'arn' | 'status' | 'failureReason' | 'creationTime' | 'lastModifiedTime' | 'configName'> & {
  pendingConfigName?: string;
};

/** What restoring an endpoint did. */
export type EndpointRestore = { name: string; outcome: 'redeploying' | 'kept' | 'failed' | 'deleted'; detail?: string };

class DeployFailed extends Error {}
class DeployAborted extends Error {}
/** An alarm fired during a bake: the update rolls back to the previous fleet. */
class AlarmFired extends Error {}

/** Endpoints: CreateEndpoint, DescribeEndpoint, UpdateEndpoint, DeleteEndpoint, ListEndpoints, and InvokeEndpoint routing. */
export class EndpointService {
  private readonly endpoints = new Map<string, EndpointRecord>();

  constructor(
    private readonly ctx: Context,
    private readonly configs: EndpointConfigStore,
    private readonly models: ModelStore,
    private readonly tags: TagStore,
  ) {}

  private notFound(name: string) {
    return validationException(`Could not find endpoint "${this.ctx.arns.of('endpoint', name)}".`);
  }

  get(name: string): EndpointRecord | undefined {
    return this.endpoints.get(name.toLowerCase());
  }

  all(): EndpointRecord[] {
    return [...this.endpoints.values()];
  }

  persisted(): PersistedEndpoint[] {
    return this.all().map((ep) => ({
      name: ep.name,
      arn: ep.arn,
      status: ep.status,
      failureReason: ep.failureReason,
      creationTime: ep.creationTime,
      lastModifiedTime: ep.lastModifiedTime,
      configName: ep.configName,
      pendingConfigName: ep.pending?.configName,
    }));
  }

  /**
   * Puts back an endpoint exportState() wrote. Its instances died with the previous server, so one
   * that was serving comes back `SystemUpdating` (AWS's status while it maintains an endpoint) and
   * is deployed again from its serving configuration; an interrupted UpdateEndpoint ends as a failed
   * update does (the previous configuration serves, with a FailureReason); an interrupted
   * CreateEndpoint ends Failed; a deletion in progress completes.
   */
  restore(saved: PersistedEndpoint): EndpointRestore {
    const { name } = saved;
    if (saved.status === 'Deleting') {
      this.tags.remove(saved.arn);
      return { name, outcome: 'deleted' };
    }
    const ep: EndpointRecord = { ...saved, deleting: false };
    this.endpoints.set(name.toLowerCase(), ep);
    const interrupted = (what: string, config: string) => `${what} was interrupted: the local SageMaker stopped while it deployed endpoint configuration ${config}.`;
    if (saved.status === 'Creating') {
      ep.status = 'Failed';
      ep.failureReason = interrupted('CreateEndpoint', saved.pendingConfigName ?? saved.configName);
      ep.lastModifiedTime = this.ctx.clock.now();
      return { name, outcome: 'failed', detail: ep.failureReason };
    }
    if (saved.status === 'Failed' || saved.status === 'OutOfService') return { name, outcome: 'kept' };
    const config = this.configs.get(saved.configName);
    if (!config) {
      ep.status = 'Failed';
      ep.failureReason = `Could not find endpoint configuration "${this.ctx.arns.of('endpoint-config', saved.configName)}".`;
      return { name, outcome: 'failed', detail: ep.failureReason };
    }
    const note = saved.pendingConfigName !== undefined ? interrupted('UpdateEndpoint', saved.pendingConfigName) : undefined;
    ep.status = 'SystemUpdating';
    ep.lastModifiedTime = this.ctx.clock.now();
    this.ctx.logs.system(name, `restarted: deploying endpoint configuration ${config.name} again`);
    const dep = this.deployment(config);
    ep.pending = dep;
    ep.work = this.deploy(ep, dep, 'restore').then(() => {
      if (note !== undefined && ep.status === 'InService') ep.failureReason = note;
    });
    return { name, outcome: 'redeploying', detail: note };
  }

  create(input: { EndpointName: string; EndpointConfigName: string; Tags?: unknown }): { EndpointArn: string } {
    const name = input.EndpointName;
    const arn = this.ctx.arns.of('endpoint', name);
    if (this.endpoints.has(name.toLowerCase())) throw validationException(`Cannot create already existing endpoint "${arn}".`);
    const config = this.configs.get(input.EndpointConfigName);
    if (!config) throw this.configs.notFound(input.EndpointConfigName);
    this.tags.add(arn, input.Tags as never);
    const now = this.ctx.clock.now();
    const ep: EndpointRecord = { name, arn, status: 'Creating', creationTime: now, lastModifiedTime: now, configName: config.name, deleting: false };
    this.endpoints.set(name.toLowerCase(), ep);
    ep.pending = this.deployment(config);
    this.ctx.logs.system(name, `CreateEndpoint: deploying endpoint configuration ${config.name}`);
    ep.work = this.deploy(ep, ep.pending, 'create');
    return { EndpointArn: arn };
  }

  update(input: UpdateEndpointRequest): { EndpointArn: string } {
    const ep = this.get(input.EndpointName);
    if (!ep || ep.deleting) throw this.notFound(input.EndpointName);
    const config = this.configs.get(input.EndpointConfigName);
    if (!config) throw this.configs.notFound(input.EndpointConfigName);
    if (ep.status !== 'InService' && ep.status !== 'Failed') throw validationException(`Cannot update in-progress endpoint "${ep.arn}".`);
    ep.status = 'Updating';
    ep.failureReason = undefined;
    ep.lastModifiedTime = this.ctx.clock.now();
    ep.pending = this.deployment(config);
    this.ctx.logs.system(ep.name, `UpdateEndpoint: deploying endpoint configuration ${config.name}`);
    ep.work = this.deploy(ep, ep.pending, 'update', input.DeploymentConfig);
    return { EndpointArn: ep.arn };
  }

  delete(input: { EndpointName: string }): Record<string, never> {
    const ep = this.get(input.EndpointName);
    if (!ep || ep.deleting) throw this.notFound(input.EndpointName);
    ep.deleting = true;
    ep.status = 'Deleting';
    ep.lastModifiedTime = this.ctx.clock.now();
    this.ctx.logs.system(ep.name, 'DeleteEndpoint: stopping all instances');
    ep.pending?.abort.abort();
    const previous = ep.work;
    ep.work = (async () => {
      await Promise.all([this.stopDeployment(ep.active), this.stopDeployment(ep.pending)]);
      await previous;
      ep.active = undefined;
      ep.pending = undefined;
      if (this.endpoints.get(ep.name.toLowerCase()) === ep) this.endpoints.delete(ep.name.toLowerCase());
      this.tags.remove(ep.arn);
    })();
    return {};
  }

  describe(input: { EndpointName: string }): Record<string, unknown> {
    const ep = this.get(input.EndpointName);
    if (!ep) throw this.notFound(input.EndpointName);
    const pending = ep.status === 'Updating' && ep.pending ? ep.pending : undefined;
    return {
      EndpointName: ep.name,
      EndpointArn: ep.arn,
      EndpointConfigName: ep.configName,
      ProductionVariants: ep.active ? ep.active.variants.map((v) => this.variantSummary(v)) : undefined,
      EndpointStatus: ep.status,
      FailureReason: ep.failureReason,
      CreationTime: ep.creationTime,
      LastModifiedTime: ep.lastModifiedTime,
      PendingDeploymentSummary: pending
        ? {
            EndpointConfigName: pending.configName,
            ProductionVariants: pending.variants.map((v) => ({
              ...this.variantSummary(v),
              InstanceType: v.spec.InstanceType,
              VariantStatus: [{ Status: pending.phase, StatusMessage: PHASE_MESSAGES[pending.phase], StartTime: pending.startTime }],
            })),
            StartTime: pending.startTime,
          }
        : undefined,
    };
  }

  list(input: ListRequest): Record<string, unknown> {
    return listResponse(this.endpoints.values(), input, 'Endpoints', (ep) => ({
      EndpointName: ep.name,
      EndpointArn: ep.arn,
      CreationTime: ep.creationTime,
      LastModifiedTime: ep.lastModifiedTime,
      EndpointStatus: ep.status,
    }));
  }

  async shutdown(): Promise<void> {
    for (const ep of this.endpoints.values()) ep.pending?.abort.abort();
    await Promise.all(this.all().flatMap((ep) => [this.stopDeployment(ep.active), this.stopDeployment(ep.pending)]));
    await Promise.all(this.all().map((ep) => ep.work));
  }

  // ------------------------------------------------------------------ deployments

  private deployment(config: EndpointConfigRecord): Deployment {
    return {
      configName: config.name,
      config,
      variants: config.request.ProductionVariants.map((spec) => ({
        spec: clone(spec),
        name: spec.VariantName,
        weight: spec.InitialVariantWeight ?? 1,
        desiredCount: spec.InitialInstanceCount ?? 1,
        instances: [],
        next: 0,
      })),
      abort: new AbortController(),
      startTime: this.ctx.clock.now(),
      phase: 'Creating',
    };
  }

  private variantSummary(v: VariantRuntime): Record<string, unknown> {
    const first = v.instances[0];
    return {
      VariantName: v.name,
      DeployedImages: first
        ? [{ SpecifiedImage: first.image, ResolvedImage: `${stripTagOrDigest(first.image)}@${first.digest}`, ResolutionTime: first.proc.info.startedAt }]
        : undefined,
      CurrentWeight: v.weight,
      DesiredWeight: v.weight,
      CurrentInstanceCount: v.instances.filter((i) => i.proc.running).length,
      DesiredInstanceCount: v.desiredCount,
    };
  }

  private async stopDeployment(dep: Deployment | undefined): Promise<void> {
    if (!dep) return;
    await Promise.all(dep.variants.flatMap((v) => v.instances.map((i) => i.proc.stop(this.ctx.timings.stopGracePeriodMs))));
  }

  private async startVariant(ep: EndpointRecord, dep: Deployment, v: VariantRuntime, serial: number): Promise<void> {
    const model = this.models.get(v.spec.ModelName!);
    if (!model) throw new DeployFailed(`Could not find model "${this.ctx.arns.of('model', v.spec.ModelName!)}".`);
    const timeoutMs = v.spec.ContainerStartupHealthCheckTimeoutInSeconds !== undefined ? v.spec.ContainerStartupHealthCheckTimeoutInSeconds * 1000 : this.ctx.timings.healthCheckTimeoutMs;
    const starts = Array.from({ length: v.desiredCount }, (_, i) =>
      startServing(this.ctx, {
        kind: 'endpoint',
        owner: ep.name,
        instanceId: `${v.name}-${serial}-${i + 1}`,
        model,
        healthTimeoutMs: timeoutMs,
        signal: dep.abort.signal,
      }).then((inst) => {
        v.instances.push(inst);
      }),
    );
    const results = await Promise.allSettled(starts);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return;
    const e = failed.reason as unknown;
    if (!(e instanceof ServingError)) throw e;
    switch (e.kind) {
      case 'aborted':
        throw new DeployAborted();
      case 'health':
        throw new DeployFailed(`The primary container for production variant ${v.name} did not pass the ping health check. Please check CloudWatch logs for this endpoint.`);
      case 'image':
        throw new DeployFailed(`Failed to pull the image ${e.message} for production variant ${v.name}: the image does not exist or the role does not have permission to pull it.`);
      default:
        throw new DeployFailed(e.message);
    }
  }

  private serial = 0;

  /** Alarms of `names` in ALARM now. */
  private async firing(names: string[]): Promise<{ name: string; reason?: string }[]> {
    if (names.length === 0 || !this.ctx.alarms) return [];
    const states = await this.ctx.alarms(names);
    return states.filter((a) => a.state === 'ALARM');
  }

  /** Waits `seconds` of emulated time, looking at the alarms every ALARM_CHECK_SECONDS; throws AlarmFired if one is in ALARM. */
  private async bake(dep: Deployment, seconds: number, alarms: string[], stage: string): Promise<void> {
    const end = this.ctx.clock.now().getTime() + seconds * 1000;
    for (;;) {
      const fired = await this.firing(alarms);
      if (fired.length > 0) {
        const which = fired.map((a) => `${a.name}${a.reason ? ` (${a.reason})` : ''}`).join(', ');
        throw new AlarmFired(`CloudWatch alarm ${which} went into ALARM during the ${stage}`);
      }
      const left = (end - this.ctx.clock.now().getTime()) / 1000;
      if (left <= 0) return;
      await sleep(this.ctx.clock.realMs(Math.min(left, ALARM_CHECK_SECONDS)), dep.abort.signal);
      if (dep.abort.signal.aborted) throw new DeployAborted();
    }
  }

  /**
   * A blue/green update with a traffic routing configuration: the healthy new fleet takes each step's
   * share of the requests and bakes; an alarm in ALARM during any bake rolls everything back.
   */
  private async shiftTraffic(ep: EndpointRecord, dep: Deployment, deployment: NonNullable<UpdateEndpointRequest['DeploymentConfig']>): Promise<void> {
    const policy = deployment.BlueGreenUpdatePolicy;
    const alarms = (deployment.AutoRollbackConfiguration?.Alarms ?? []).map((a) => a.AlarmName);
    if (!policy) return this.bake(dep, 0, alarms, 'update');
    const instances = dep.variants.reduce((n, v) => n + v.desiredCount, 0);
    const steps = trafficSteps(policy.TrafficRoutingConfiguration, instances);
    for (const [i, share] of steps.entries()) {
      dep.phase = 'ActivatingTraffic';
      ep.shifted = { deployment: dep, share };
      const last = i === steps.length - 1;
      const seconds = last ? (policy.TerminationWaitInSeconds ?? 0) : policy.TrafficRoutingConfiguration.WaitIntervalInSeconds;
      this.ctx.logs.system(ep.name, `${dep.configName} takes ${Math.round(share * 100)} % of the traffic; baking ${seconds} s`);
      dep.phase = 'Baking';
      await this.bake(dep, seconds, alarms, last ? 'final baking period' : `baking period at ${Math.round(share * 100)} % of the traffic`);
    }
  }

  private async deploy(ep: EndpointRecord, dep: Deployment, mode: 'create' | 'update' | 'restore', deployment?: UpdateEndpointRequest['DeploymentConfig']): Promise<void> {
    const serial = ++this.serial;
    try {
      await Promise.resolve();
      const results = await Promise.allSettled(dep.variants.map((v) => this.startVariant(ep, dep, v, serial)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      if (ep.deleting || dep.abort.signal.aborted) throw new DeployAborted();
      if (mode === 'update' && ep.active && deployment) await this.shiftTraffic(ep, dep, deployment);
    } catch (e) {
      if (ep.shifted?.deployment === dep) ep.shifted = undefined;
      if (e instanceof AlarmFired && !ep.deleting) {
        // Every request goes back to the old fleet first, then the new one is stopped.
        ep.status = 'RollingBack';
        ep.lastModifiedTime = this.ctx.clock.now();
        this.ctx.logs.system(ep.name, `rolling back to endpoint configuration ${ep.configName}: ${e.message}`);
      }
      await this.stopDeployment(dep);
      if (ep.pending === dep) ep.pending = undefined;
      if (ep.deleting || e instanceof DeployAborted) return;
      const reason =
        e instanceof AlarmFired
          ? `Rolled back to endpoint configuration ${ep.configName}: ${e.message}.`
          : e instanceof DeployFailed
            ? e.message
            : `InternalServerError: ${errorMessage(e)}`;
      ep.failureReason = reason;
      ep.lastModifiedTime = this.ctx.clock.now();
      // A failed update leaves the previous configuration serving (InService) and reports why.
      ep.status = mode === 'update' && ep.active ? 'InService' : 'Failed';
      this.ctx.logs.system(ep.name, `${{ create: 'CreateEndpoint', update: 'UpdateEndpoint', restore: 'Redeploying after a restart' }[mode]} failed: ${reason}`);
      return;
    }
    const previous = ep.active;
    ep.active = dep;
    ep.pending = undefined;
    ep.shifted = undefined;
    ep.configName = dep.configName;
    ep.status = 'InService';
    ep.failureReason = undefined;
    ep.lastModifiedTime = this.ctx.clock.now();
    this.ctx.logs.system(ep.name, `InService with endpoint configuration ${dep.configName}`);
    await this.stopDeployment(previous);
  }

  // ------------------------------------------------------------------ runtime

  private runtimeNotFound(name: string): AwsError {
    return new AwsError('ValidationError', `Endpoint ${name} of account ${this.ctx.accountId} not found.`);
  }

  async invoke(name: string, req: InvokeRequest): Promise<InvokeResult> {
    const ep = this.get(name);
    const active = ep && !ep.deleting ? ep.active : undefined;
    if (!ep || !active) throw this.runtimeNotFound(name);
    // During a blue/green shift the new fleet takes its share of the requests.
    const dep = ep.shifted && Math.random() < ep.shifted.share ? ep.shifted.deployment : active;
    let variant: VariantRuntime | undefined;
    if (req.targetVariant) {
      variant = dep.variants.find((v) => v.name === req.targetVariant);
      if (!variant) throw new AwsError('ValidationError', `Variant ${req.targetVariant} not found for endpoint ${ep.name}.`);
    } else {
      variant = pickByWeight(dep.variants);
    }
    const live = variant.instances.filter((i) => i.proc.running);
    if (live.length === 0) {
      throw new AwsError('ModelError', `The primary container for production variant ${variant.name} is not running. See the endpoint's logs for more information.`, 424, {
        ErrorCode: 'INTERNAL_FAILURE_FROM_MODEL',
        LogStreamArn: this.logStreamArn(ep.name),
      });
    }
    const inst = live[variant.next++ % live.length]!;
    const headers: Record<string, string> = {};
    if (req.contentType) headers['Content-Type'] = req.contentType;
    if (req.accept) headers.Accept = req.accept;
    if (req.customAttributes) headers['X-Amzn-SageMaker-Custom-Attributes'] = req.customAttributes;
    let res;
    try {
      res = await httpRequest(`${inst.url}/invocations`, { method: 'POST', headers, body: req.body, timeoutMs: this.ctx.timings.invocationTimeoutMs });
    } catch (e) {
      this.ctx.logs.system(ep.name, `${inst.id}: invocation failed: ${errorMessage(e)}`);
      const message =
        e instanceof TimeoutError
          ? 'Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.'
          : `An error occurred while sending the request to container primary: ${errorMessage(e)}`;
      throw new AwsError('ModelError', message, 424, { ErrorCode: 'INTERNAL_FAILURE_FROM_MODEL', LogStreamArn: this.logStreamArn(ep.name) });
    }
    if (res.status < 200 || res.status >= 300) {
      const text = res.body.toString('utf8');
      const kind = res.status < 500 ? 'client' : 'server';
      const region = this.ctx.region;
      throw new AwsError(
        'ModelError',
        `Received ${kind} error (${res.status}) from primary with message "${text}". See https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logEventViewer:group=/aws/sagemaker/Endpoints/${ep.name} in account ${this.ctx.accountId} for more information.`,
        424,
        {
          ErrorCode: res.status < 500 ? 'CLIENT_ERROR_FROM_MODEL' : 'SERVER_ERROR_FROM_MODEL',
          OriginalStatusCode: res.status,
          OriginalMessage: text,
          LogStreamArn: this.logStreamArn(ep.name),
        },
      );
    }
    const custom = res.headers['x-amzn-sagemaker-custom-attributes'];
    return {
      body: res.body,
      contentType: (res.headers['content-type'] as string | undefined) ?? 'application/octet-stream',
      invokedVariant: variant.name,
      customAttributes: typeof custom === 'string' ? custom : undefined,
    };
  }

  private logStreamArn(endpoint: string): string {
    return this.ctx.arns.logGroup(`/aws/sagemaker/Endpoints/${endpoint}`);
  }
}

const PHASE_MESSAGES: Record<Deployment['phase'], string> = {
  Creating: 'Launching instances with the new endpoint configuration',
  ActivatingTraffic: 'Shifting traffic to the new endpoint configuration',
  Baking: 'Monitoring the alarms of the rollout while the new endpoint configuration serves',
};

function pickByWeight(variants: VariantRuntime[]): VariantRuntime {
  const total = variants.reduce((s, v) => s + Math.max(0, v.weight), 0);
  if (total <= 0) return variants[0]!;
  let r = Math.random() * total;
  for (const v of variants) {
    r -= Math.max(0, v.weight);
    if (r < 0) return v;
  }
  return variants[variants.length - 1]!;
}
