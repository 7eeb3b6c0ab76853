/**
 * The SageMaker resources `pnpm mlops teardown` lists and removes, behind aws-sdk-client-mock, answering
 * as SageMaker does: NameContains a case-insensitive substring, small pages, ValidationException for what
 * does not exist, a deleted endpoint `Deleting` for a poll before it is gone, Stop* refused on a finished job.
 */
import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DeleteModelPackageCommand,
  DeleteModelPackageGroupCommand,
  DescribeEndpointCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListModelsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  type SageMakerClient,
  StopTrainingJobCommand,
  StopTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import { awsError } from '@mlops/testing';
import type { AwsClientStub } from 'aws-sdk-client-mock';

const ARN = 'arn:aws:sagemaker:us-east-1:000000000000';
const PAGE = 2;

type JobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export class FakeStageResources {
  /** endpoint → its config and how many DescribeEndpoint calls it stays `Deleting` once deleted. */
  readonly endpoints = new Map<string, { config: string; deleting?: number }>();
  readonly configs = new Set<string>();
  readonly models = new Set<string>();
  readonly training = new Map<string, JobStatus>();
  readonly transform = new Map<string, JobStatus>();
  /** group → versions still there. */
  readonly groups = new Map<string, number[]>();
  /** Every mutating call, in order: `DeleteEndpoint mlops-local-abalone`. */
  readonly log: string[] = [];

  constructor(sm: AwsClientStub<SageMakerClient>) {
    const page = <T>(items: T[], token: string | undefined) => {
      const start = token ? Number(token) : 0;
      return { items: items.slice(start, start + PAGE), NextToken: start + PAGE < items.length ? String(start + PAGE) : undefined };
    };
    const matching = (names: Iterable<string>, needle: string | undefined) => [...names].filter((n) => !needle || n.toLowerCase().includes(needle.toLowerCase())).sort();
    const gone = (what: string) => awsError('ValidationException', `Could not find ${what}.`);

    sm.on(ListEndpointsCommand).callsFake(({ NameContains, NextToken }) => {
      const { items, NextToken: next } = page(matching(this.endpoints.keys(), NameContains), NextToken);
      return { Endpoints: items.map((n) => ({ EndpointName: n, EndpointArn: `${ARN}:endpoint/${n}`, CreationTime: new Date(0), LastModifiedTime: new Date(0), EndpointStatus: this.endpoints.get(n)!.deleting === undefined ? 'InService' : 'Deleting' })), NextToken: next };
    });
    sm.on(DescribeEndpointCommand).callsFake(({ EndpointName: n }) => {
      const e = this.endpoints.get(n);
      if (!e) throw gone(`endpoint "${ARN}:endpoint/${n}"`);
      if (e.deleting !== undefined) {
        if (e.deleting <= 0) {
          this.endpoints.delete(n);
          throw gone(`endpoint "${ARN}:endpoint/${n}"`);
        }
        e.deleting--;
      }
      return { EndpointName: n, EndpointArn: `${ARN}:endpoint/${n}`, EndpointConfigName: e.config, EndpointStatus: e.deleting === undefined ? 'InService' : 'Deleting', CreationTime: new Date(0), LastModifiedTime: new Date(0) };
    });
    sm.on(DeleteEndpointCommand).callsFake(({ EndpointName: n }) => {
      const e = this.endpoints.get(n);
      if (!e || e.deleting !== undefined) throw gone(`endpoint "${ARN}:endpoint/${n}"`);
      this.log.push(`DeleteEndpoint ${n}`);
      e.deleting = 1;
      return {};
    });
    sm.on(ListEndpointConfigsCommand).callsFake(({ NameContains, NextToken }) => {
      const { items, NextToken: next } = page(matching(this.configs, NameContains), NextToken);
      return { EndpointConfigs: items.map((n) => ({ EndpointConfigName: n, EndpointConfigArn: `${ARN}:endpoint-config/${n}`, CreationTime: new Date(0) })), NextToken: next };
    });
    sm.on(DeleteEndpointConfigCommand).callsFake(({ EndpointConfigName: n }) => {
      if (!this.configs.delete(n)) throw gone(`endpoint configuration "${ARN}:endpoint-config/${n}"`);
      const user = [...this.endpoints.entries()].find(([, e]) => e.config === n);
      this.log.push(`DeleteEndpointConfig ${n}${user ? ` (still used by ${user[0]})` : ''}`);
      return {};
    });
    sm.on(ListModelsCommand).callsFake(({ NameContains, NextToken }) => {
      const { items, NextToken: next } = page(matching(this.models, NameContains), NextToken);
      return { Models: items.map((n) => ({ ModelName: n, ModelArn: `${ARN}:model/${n}`, CreationTime: new Date(0) })), NextToken: next };
    });
    sm.on(DeleteModelCommand).callsFake(({ ModelName: n }) => {
      if (!this.models.delete(n)) throw gone(`model "${ARN}:model/${n}"`);
      this.log.push(`DeleteModel ${n}`);
      return {};
    });
    const jobs = (kind: 'Training' | 'Transform', store: Map<string, JobStatus>) => ({
      list: ({ NameContains, StatusEquals, NextToken }: { NameContains?: string; StatusEquals?: string; NextToken?: string }) => {
        const names = matching(store.keys(), NameContains).filter((n) => !StatusEquals || store.get(n) === StatusEquals);
        const { items, NextToken: next } = page(names, NextToken);
        return { [`${kind}JobSummaries`]: items.map((n) => ({ [`${kind}JobName`]: n, [`${kind}JobArn`]: `${ARN}:${kind.toLowerCase()}-job/${n}`, CreationTime: new Date(0), [`${kind}JobStatus`]: store.get(n) })), NextToken: next };
      },
      stop: (n: string) => {
        const status = store.get(n);
        if (!status) throw awsError('ResourceNotFound', 'Requested resource not found.');
        if (status !== 'InProgress') throw awsError('ValidationException', `The request was rejected because the ${kind.toLowerCase()} job is in status ${status}.`);
        this.log.push(`Stop${kind}Job ${n}`);
        store.set(n, 'Stopping');
        return {};
      },
    });
    const training = jobs('Training', this.training);
    const transform = jobs('Transform', this.transform);
    sm.on(ListTrainingJobsCommand).callsFake(training.list);
    sm.on(StopTrainingJobCommand).callsFake(({ TrainingJobName }) => training.stop(TrainingJobName));
    sm.on(ListTransformJobsCommand).callsFake(transform.list);
    sm.on(StopTransformJobCommand).callsFake(({ TransformJobName }) => transform.stop(TransformJobName));
    sm.on(ListModelPackageGroupsCommand).callsFake(({ NameContains, NextToken }) => {
      const { items, NextToken: next } = page(matching(this.groups.keys(), NameContains), NextToken);
      return { ModelPackageGroupSummaryList: items.map((n) => ({ ModelPackageGroupName: n, ModelPackageGroupArn: `${ARN}:model-package-group/${n}`, CreationTime: new Date(0), ModelPackageGroupStatus: 'Completed' })), NextToken: next };
    });
    sm.on(ListModelPackagesCommand).callsFake(({ ModelPackageGroupName: g, NextToken }) => {
      const { items, NextToken: next } = page(this.groups.get(g) ?? [], NextToken);
      return {
        ModelPackageSummaryList: items.map((v) => ({ ModelPackageGroupName: g, ModelPackageVersion: v, ModelPackageArn: `${ARN}:model-package/${g}/${v}`, CreationTime: new Date(0), ModelPackageStatus: 'Completed', ModelApprovalStatus: 'Approved' })),
        NextToken: next,
      };
    });
    sm.on(DeleteModelPackageCommand).callsFake(({ ModelPackageName: arn }) => {
      const [, group, version] = /model-package\/([^/]+)\/(\d+)$/.exec(arn) ?? [];
      const versions = this.groups.get(group ?? '');
      if (!versions?.includes(Number(version))) throw awsError('ValidationException', `ModelPackage ${arn} does not exist.`);
      versions.splice(versions.indexOf(Number(version)), 1);
      this.log.push(`DeleteModelPackage ${group}/${version}`);
      return {};
    });
    sm.on(DeleteModelPackageGroupCommand).callsFake(({ ModelPackageGroupName: g }) => {
      const versions = this.groups.get(g);
      if (!versions) throw awsError('ValidationException', `ModelPackageGroup ${ARN}:model-package-group/${g} does not exist.`);
      if (versions.length) throw awsError('ConflictException', `Model Package Group ${g} still has model packages.`);
      this.groups.delete(g);
      this.log.push(`DeleteModelPackageGroup ${g}`);
      return {};
    });
  }

  /** A stage's family as the pipeline leaves it: endpoint, two versions' configs and models, a running run, the registry. */
  family(prefix: string, family: string): void {
    this.endpoints.set(`${prefix}-${family}`, { config: `${prefix}-${family}-v2` });
    for (const v of [1, 2]) {
      this.configs.add(`${prefix}-${family}-v${v}`);
      this.models.add(`${prefix}-${family}-v${v}`);
    }
    this.training.set(`${prefix}-${family}-run3-train`, 'InProgress');
    this.training.set(`${prefix}-${family}-run2-train`, 'Completed');
    this.transform.set(`${prefix}-${family}-run3-transform`, 'InProgress');
    this.groups.set(`${prefix}-${family}`, [1, 2]);
  }

  /** Everything still there as `<kind> <name>` (jobs: those still InProgress). */
  remaining(): string[] {
    const running = (m: Map<string, JobStatus>) => [...m].filter(([, s]) => s === 'InProgress').map(([n]) => n);
    return [
      ...[...this.endpoints.keys()].map((n) => `endpoint ${n}`),
      ...[...this.configs].map((n) => `endpoint-config ${n}`),
      ...[...this.models].map((n) => `model ${n}`),
      ...running(this.training).map((n) => `training-job ${n}`),
      ...running(this.transform).map((n) => `transform-job ${n}`),
      ...[...this.groups].flatMap(([g, vs]) => [`model-package-group ${g}`, ...vs.map((v) => `model-package ${g}/${v}`)]),
    ].sort();
  }

  /** What family(prefix, family) made, as remaining() lists it. */
  static made(prefix: string, family: string): string[] {
    const p = `${prefix}-${family}`;
    return [`endpoint ${p}`, `endpoint-config ${p}-v1`, `endpoint-config ${p}-v2`, `model ${p}-v1`, `model ${p}-v2`, `training-job ${p}-run3-train`, `transform-job ${p}-run3-transform`, `model-package-group ${p}`, `model-package ${p}/1`, `model-package ${p}/2`];
  }
}
