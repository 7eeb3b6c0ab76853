/**
 * A restarted server takes back what the previous one exported (exportState → restore): finished
 * jobs, models, configurations and tags as they were; a job that was running ends Failed with a
 * reason that says why (its container died with the server); a serving endpoint comes back
 * SystemUpdating and serves again from its configuration.
 */
import path from 'node:path';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { startLocalSageMaker, type LocalSageMaker, type PersistedSageMaker } from '../src';
import { credentials, type Harness, MEAN_IMAGE, REGISTRY, ROLE, startHarness, trainingRequest, waitFor } from './helpers';

jest.setTimeout(90_000);

let h: Harness;
let restarted: LocalSageMaker | undefined;
let saved: PersistedSageMaker;

beforeAll(async () => {
  h = await startHarness({ healthCheckTimeoutMs: 4000 });
  await h.put('data/train/part-1.csv', '1,0,0\n2,0,0\n3,0,0\n');
});

afterAll(async () => {
  await restarted?.close();
  await h?.close();
});

describe('restoring a previous server', () => {
  let client: SageMakerClient;
  let runtime: SageMakerRuntimeClient;

  beforeAll(async () => {
    const sm = h.sagemaker;
    await sm.send(new CreateTrainingJobCommand(trainingRequest('done-job')));
    const done = await waitFor(() => sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'done-job' })), (d) => d.TrainingJobStatus === 'Completed', 'training');
    await sm.send(new CreateModelCommand({ ModelName: 'mean', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: MEAN_IMAGE, ModelDataUrl: done.ModelArtifacts!.S3ModelArtifacts } }));
    await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'mean-config', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'mean', InitialInstanceCount: 1, InstanceType: 'ml.t2.medium' }] }));
    const { EndpointArn } = await sm.send(new CreateEndpointCommand({ EndpointName: 'mean-endpoint', EndpointConfigName: 'mean-config' }));
    await waitFor(() => sm.send(new DescribeEndpointCommand({ EndpointName: 'mean-endpoint' })), (d) => d.EndpointStatus === 'InService', 'endpoint');
    await sm.send(new AddTagsCommand({ ResourceArn: EndpointArn!, Tags: [{ Key: 'family', Value: 'mean' }] }));
    await sm.send(new CreateTrainingJobCommand(trainingRequest('running-job', { AlgorithmSpecification: { TrainingImage: 'local/sleeper:1', TrainingInputMode: 'File' } })));
    await waitFor(async () => h.sm.state.processes().filter((p) => p.owner === 'running-job').length, (n) => n === 1, 'the training process');
    // Through JSON, as the stack keeps it on disk (its codec tags Dates; here ISO strings are revived).
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    saved = JSON.parse(JSON.stringify(h.sm.exportState()), (_k, v: unknown) => (typeof v === 'string' && ISO.test(v) ? new Date(v) : v)) as PersistedSageMaker;
    restarted = await startLocalSageMaker({
      workDir: path.join(h.tmp, 'work-2'),
      s3: { endpoint: h.s3Endpoint, credentials },
      imageRegistry: REGISTRY,
      healthCheckTimeoutMs: 15_000,
      restore: saved,
    });
    client = new SageMakerClient({ endpoint: restarted.endpoint, region: 'us-east-1', credentials });
    runtime = new SageMakerRuntimeClient({ endpoint: restarted.endpoint, region: 'us-east-1', credentials });
  });

  it('lists the processes that were running, so the stack can reap them', () => {
    expect(saved.processes.map((p) => [p.kind, p.owner]).sort()).toEqual([
      ['endpoint', 'mean-endpoint'],
      ['training', 'running-job'],
    ]);
  });

  it('reports what it did: the running job interrupted, the endpoint deployed again', () => {
    expect(restarted!.restored).toEqual({ interruptedJobs: ['running-job'], endpoints: [{ name: 'mean-endpoint', outcome: 'redeploying' }] });
  });

  it('keeps a finished job as it was', async () => {
    const before = await h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'done-job' }));
    const after = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: 'done-job' }));
    const { $metadata: _a, ...b } = before;
    const { $metadata: _b, ...a } = after;
    expect(a).toEqual(b);
  });

  it('ends the job that was running Failed, saying why', async () => {
    const job = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: 'running-job' }));
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.SecondaryStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/^InternalServerError: the local SageMaker stopped while this training job ran \(restarted at .+\); a job cannot resume: start a new one\.$/);
    expect(job.TrainingEndTime).toBeDefined();
  });

  it('keeps models and tags', async () => {
    expect((await client.send(new DescribeModelCommand({ ModelName: 'mean' }))).PrimaryContainer?.Image).toBe(MEAN_IMAGE);
    const endpoint = await client.send(new DescribeEndpointCommand({ EndpointName: 'mean-endpoint' }));
    expect((await client.send(new ListTagsCommand({ ResourceArn: endpoint.EndpointArn! }))).Tags).toEqual([{ Key: 'family', Value: 'mean' }]);
  });

  it('brings the endpoint back SystemUpdating, then InService and answering from its configuration', async () => {
    const first = await client.send(new DescribeEndpointCommand({ EndpointName: 'mean-endpoint' }));
    expect(first.FailureReason).toBeUndefined();
    expect(['SystemUpdating', 'InService']).toContain(first.EndpointStatus);
    const ready = await waitFor(() => client.send(new DescribeEndpointCommand({ EndpointName: 'mean-endpoint' })), (d) => d.EndpointStatus === 'InService', 'endpoint back');
    expect(ready.EndpointConfigName).toBe('mean-config');
    expect(ready.CreationTime).toEqual(first.CreationTime);
    const answer = await runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-endpoint', ContentType: 'text/csv', Body: Buffer.from('0,0\n') }));
    expect(Buffer.from(answer.Body).toString().trim()).toBe('2');
  });
});
