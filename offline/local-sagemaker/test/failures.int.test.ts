import fs from 'node:fs';
import path from 'node:path';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  type CreateTransformJobCommandInput,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  StopTrainingJobCommand,
  StopTransformJobCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import * as tar from 'tar';
import { BUCKET, type Harness, MEAN_IMAGE, ROLE, isAlive, startHarness, trainingRequest, waitFor } from './helpers';

// The projects' testTimeout is not applied per project by jest; these tests start processes.
jest.setTimeout(90_000);

let h: Harness;
let artifacts: string;

const describeJob = (name: string) => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
const describeTransform = (name: string) => h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: name }));
const describeEndpoint = (name: string) => h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
const finished = (name: string) => waitFor(() => describeJob(name), (d) => d.TrainingJobStatus !== 'InProgress' && d.TrainingJobStatus !== 'Stopping', `${name} to end`);
const processesOf = (owner: string) => h.sm.state.processes().filter((p) => p.owner === owner);
/** Waits until the sleeper has installed its SIGTERM handler (it says so). */
const sleeperReady = (name: string) => waitFor(async () => h.sm.state.logs(name), (l) => l.includes('sleeping forever'), `${name} to start`);
const sleeper = (name: string, extra: Record<string, unknown> = {}) =>
  trainingRequest(name, { AlgorithmSpecification: { TrainingImage: 'local/sleeper:latest', TrainingInputMode: 'File' }, ...extra });

beforeAll(async () => {
  h = await startHarness({ healthCheckTimeoutMs: 3000, stopGracePeriodMs: 1500 });
  await h.put('data/train/rows.csv', '2,1\n4,1\n');
  await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('base-model')));
  const done = await finished('base-model');
  expect(done.TrainingJobStatus).toBe('Completed');
  artifacts = done.ModelArtifacts!.S3ModelArtifacts!;
  await h.sagemaker.send(new CreateModelCommand({ ModelName: 'good-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: MEAN_IMAGE, ModelDataUrl: artifacts } }));
});
afterAll(async () => {
  await h?.close();
});

describe('training failures', () => {
  it('a failure file becomes FailureReason and the job Failed', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('writes-failure', { AlgorithmSpecification: { TrainingImage: 'local/failing:3', TrainingInputMode: 'File' } })));
    const d = await finished('writes-failure');
    expect(d.TrainingJobStatus).toBe('Failed');
    expect(d.SecondaryStatus).toBe('Failed');
    expect(d.FailureReason).toBe('AlgorithmError: ValueError: the label column contains text, exit code: 2');
    expect(d.SecondaryStatusTransitions!.at(-1)).toMatchObject({ Status: 'Failed', StatusMessage: 'Training job failed' });
    expect(d.ModelArtifacts).toBeUndefined();
    expect(d.TrainingEndTime).toBeInstanceOf(Date);
    expect(h.sm.state.logs('writes-failure')).toContain('about to fail');
  });

  it('an image missing from the registry fails like an image ECR cannot pull', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('no-image', { AlgorithmSpecification: { TrainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/unknown:1', TrainingInputMode: 'File' } })));
    const d = await finished('no-image');
    expect(d.TrainingJobStatus).toBe('Failed');
    expect(d.FailureReason).toBe('ClientError: Cannot pull algorithm container. Either the image does not exist or its permissions are incorrect.');
    expect(d.SecondaryStatusTransitions!.map((t) => t.Status)).toEqual(['Starting', 'Downloading', 'Training', 'Failed']);
  });

  it('StopTrainingJob: Stopping, SIGTERM, the saved model is still uploaded, then Stopped', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(sleeper('stop-me')));
    await waitFor(async () => processesOf('stop-me').length, (n) => n === 1, 'the training process');
    await sleeperReady('stop-me');
    const pid = processesOf('stop-me')[0]!.pid;
    const running = await describeJob('stop-me');
    expect([running.TrainingJobStatus, running.SecondaryStatus]).toEqual(['InProgress', 'Training']);
    await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'stop-me' }));
    const stopping = await describeJob('stop-me');
    // Stopping until the process has exited and its artifacts are uploaded (checked again in the transitions below).
    expect(['Stopping', 'Stopped']).toContain(stopping.TrainingJobStatus);
    const d = await finished('stop-me');
    expect([d.TrainingJobStatus, d.SecondaryStatus]).toEqual(['Stopped', 'Stopped']);
    expect(d.SecondaryStatusTransitions!.map((t) => t.Status)).toEqual(['Starting', 'Downloading', 'Training', 'Stopping', 'Stopped']);
    expect(isAlive(pid)).toBe(false);
    expect(h.sm.state.logs('stop-me')).toContain('got SIGTERM, saving the model');
    expect(d.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://${BUCKET}/models/stop-me/output/model.tar.gz`);
    const tarFile = path.join(h.tmp, 'stop-me.tar.gz');
    fs.writeFileSync(tarFile, await h.get('models/stop-me/output/model.tar.gz'));
    const entries: string[] = [];
    await tar.list({ file: tarFile, onReadEntry: (e) => entries.push(e.path) });
    expect(entries).toContain('checkpoint.json');
    const again = await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'stop-me' })).catch((e: Error) => e);
    expect((again as Error).name).toBe('ValidationException');
    expect((again as Error).message).toBe('The request was rejected because the training job is in status Stopped.');
  });

  it('a process that ignores SIGTERM is killed after the grace period', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(sleeper('stubborn', { Environment: { IGNORE_SIGTERM: '1' } })));
    await waitFor(async () => processesOf('stubborn').length, (n) => n === 1, 'the training process');
    await sleeperReady('stubborn');
    const pid = processesOf('stubborn')[0]!.pid;
    await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'stubborn' }));
    const d = await finished('stubborn');
    expect(d.TrainingJobStatus).toBe('Stopped');
    expect(isAlive(pid)).toBe(false);
    expect(h.sm.state.logs('stubborn')).toMatch(/got SIGTERM, ignoring it[\s\S]*exited with signal SIGKILL/);
  });

  it('MaxRuntimeInSeconds is enforced: Stopped with SecondaryStatus MaxRuntimeExceeded', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(sleeper('too-slow', { StoppingCondition: { MaxRuntimeInSeconds: 1 } })));
    const d = await finished('too-slow');
    expect([d.TrainingJobStatus, d.SecondaryStatus]).toEqual(['Stopped', 'MaxRuntimeExceeded']);
    expect(d.SecondaryStatusTransitions!.at(-1)!.Status).toBe('MaxRuntimeExceeded');
    expect(d.TrainingEndTime!.getTime() - d.TrainingStartTime!.getTime()).toBeGreaterThanOrEqual(1000);
    // The clock starts with Downloading; on a very slow machine it may run out before the process starts.
    const started = /started .* \(pid (\d+)\)/.exec(h.sm.state.logs('too-slow'));
    if (started) expect(isAlive(Number(started[1]))).toBe(false);
    expect(processesOf('too-slow')).toEqual([]);
  });

  it('a registered program that cannot be started fails the job with exit code 127', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('broken-entry', { AlgorithmSpecification: { TrainingImage: 'local/broken:1', TrainingInputMode: 'File' } })));
    const d = await finished('broken-entry');
    expect([d.TrainingJobStatus, d.FailureReason]).toEqual(['Failed', 'AlgorithmError: , exit code: 127']);
    expect(h.sm.state.logs('broken-entry')).toContain('failed to start /nonexistent/bin/trainer');
  });

  it('input that does not exist fails in Downloading', async () => {
    await h.sagemaker.send(
      new CreateTrainingJobCommand(trainingRequest('no-data', { InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://no-such-bucket/x/' } } }] })),
    );
    const d = await finished('no-data');
    expect(d.TrainingJobStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^ClientError: Data download failed/);
    expect(d.SecondaryStatusTransitions!.map((t) => t.Status)).toEqual(['Starting', 'Downloading', 'Failed']);
  });
});

describe('fault injection on jobs', () => {
  afterEach(() => h.sm.faults.clear());

  it('trainingFailure fails matching jobs with the given reason', async () => {
    h.sm.faults.set({ trainingFailure: { jobNamePattern: '^doomed-', reason: 'InternalServerError: injected by the test' } });
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('doomed-1')));
    const d = await finished('doomed-1');
    expect([d.TrainingJobStatus, d.FailureReason]).toEqual(['Failed', 'InternalServerError: injected by the test']);
    expect(h.sm.faults.stats().trainingFailures).toBe(1);
  });

  it('hang keeps a job in progress until it is stopped', async () => {
    h.sm.faults.set({ hang: { jobNamePattern: 'forever' } });
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('forever-1')));
    await waitFor(() => describeJob('forever-1'), (d) => d.SecondaryStatusTransitions!.at(-1)!.StatusMessage === 'Training image download completed. Training in progress.', 'training');
    // The same job without the fault completes in well under a second; it stays in progress.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await describeJob('forever-1')).TrainingJobStatus).toBe('InProgress');
    await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'forever-1' }));
    expect((await finished('forever-1')).TrainingJobStatus).toBe('Stopped');
  });
});

describe('transform failures', () => {
  const request = (name: string, prefix: string, extra: Partial<CreateTransformJobCommandInput> = {}): CreateTransformJobCommandInput => ({
    TransformJobName: name,
    ModelName: 'good-model',
    TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/${prefix}` } }, ContentType: 'text/csv', SplitType: 'Line' },
    TransformOutput: { S3OutputPath: `s3://${BUCKET}/out/${name}` },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    ...extra,
  });
  const ended = (name: string) => waitFor(() => describeTransform(name), (d) => d.TransformJobStatus !== 'InProgress' && d.TransformJobStatus !== 'Stopping', `${name} to end`);

  it('a 4xx from the model fails the job; the detail is in the job log', async () => {
    await h.put('tin/bad/a.csv', '1,1\nbad,1\n');
    await h.sagemaker.send(new CreateTransformJobCommand(request('tj-bad', 'tin/bad/', { BatchStrategy: 'SingleRecord' })));
    const d = await ended('tj-bad');
    expect(d.TransformJobStatus).toBe('Failed');
    expect(d.FailureReason).toBe('ClientError: See job logs for more information');
    expect(h.sm.state.logs('tj-bad')).toContain('Bad HTTP status received from algorithm: 400. Response: bad record: bad,1');
    expect(processesOf('tj-bad')).toEqual([]);
  });

  it('5xx answers are retried InvocationsMaxRetries times', async () => {
    await h.put('tin/boom/a.csv', 'boom\n');
    await h.sagemaker.send(new CreateTransformJobCommand(request('tj-boom', 'tin/boom/', { ModelClientConfig: { InvocationsMaxRetries: 2, InvocationsTimeoutInSeconds: 10 } })));
    const d = await ended('tj-boom');
    expect(d.TransformJobStatus).toBe('Failed');
    expect(h.sm.state.logs('tj-boom').match(/Bad HTTP status received from algorithm: 500/g)).toHaveLength(3);
  });

  it('a record above MaxPayloadInMB fails the job', async () => {
    await h.put('tin/big/a.csv', `${'1,'.repeat(600_000)}1\n`);
    await h.sagemaker.send(new CreateTransformJobCommand(request('tj-big', 'tin/big/', { MaxPayloadInMB: 1 })));
    const d = await ended('tj-big');
    expect([d.TransformJobStatus, d.FailureReason]).toEqual(['Failed', 'ClientError: Too much data for max payload size']);
  });

  it('an unknown image fails the job as a missing ECR manifest would', async () => {
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'ghost-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ghost:7', ModelDataUrl: artifacts } }));
    await h.put('tin/ok/a.csv', '1,1\n');
    await h.sagemaker.send(new CreateTransformJobCommand(request('tj-ghost', 'tin/ok/', { ModelName: 'ghost-model' })));
    const d = await ended('tj-ghost');
    expect(d.FailureReason).toBe('ClientError: API error (404): manifest for 123456789012.dkr.ecr.us-east-1.amazonaws.com/ghost:7 not found: manifest unknown: Requested image not found');
  });

  it('StopTransformJob ends the job and its container without output', async () => {
    h.sm.faults.set({ hang: { jobNamePattern: '^tj-hang' } });
    try {
      await h.sagemaker.send(new CreateTransformJobCommand(request('tj-hang', 'tin/ok/')));
      await waitFor(async () => processesOf('tj-hang').length, (n) => n === 1, 'the serving process');
      const pid = processesOf('tj-hang')[0]!.pid;
      await h.sagemaker.send(new StopTransformJobCommand({ TransformJobName: 'tj-hang' }));
      const d = await ended('tj-hang');
      expect(d.TransformJobStatus).toBe('Stopped');
      await waitFor(async () => isAlive(pid), (a) => !a, 'the container to exit');
    } finally {
      h.sm.faults.clear();
    }
  });
});

describe('endpoint failures', () => {
  it('a container that never passes /ping fails CreateEndpoint with the AWS reason', async () => {
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'sick-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'local/unhealthy' } }));
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'sick-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'sick-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'sick-ep', EndpointConfigName: 'sick-cfg' }));
    await waitFor(async () => processesOf('sick-ep').length, (n) => n === 1, 'the serving process');
    const pid = processesOf('sick-ep')[0]!.pid;
    const d = await waitFor(() => describeEndpoint('sick-ep'), (x) => x.EndpointStatus !== 'Creating', 'endpoint');
    expect(d.EndpointStatus).toBe('Failed');
    expect(d.FailureReason).toBe('The primary container for production variant AllTraffic did not pass the ping health check. Please check CloudWatch logs for this endpoint.');
    expect(isAlive(pid)).toBe(false);
    expect(h.sm.state.logs('sick-ep')).toContain('unhealthy server on');
  });

  it('UpdateEndpoint on a Failed endpoint: Failed again if the new config fails, InService once one works', async () => {
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'ghost-2', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'nowhere/ghost:2' } }));
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'ghost2-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'ghost-2', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'sick-ep', EndpointConfigName: 'ghost2-cfg' }));
    const failed = await waitFor(() => describeEndpoint('sick-ep'), (x) => x.EndpointStatus !== 'Updating', 'update');
    expect(failed.EndpointStatus).toBe('Failed');
    expect(failed.FailureReason).toContain('nowhere/ghost:2');
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'cure-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'good-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'sick-ep', EndpointConfigName: 'cure-cfg' }));
    const cured = await waitFor(() => describeEndpoint('sick-ep'), (x) => x.EndpointStatus !== 'Updating', 'update');
    expect([cured.EndpointStatus, cured.EndpointConfigName, cured.FailureReason]).toEqual(['InService', 'cure-cfg', undefined]);
    const res = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'sick-ep', Body: Buffer.from('0\n'), ContentType: 'text/csv' }));
    expect(Buffer.from(res.Body).toString()).toBe('3\n');
  });

  it('the unhealthyModel fault makes a good model fail its health check', async () => {
    h.sm.faults.set({ unhealthyModel: { modelNamePattern: '^good-model$' } });
    try {
      await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'good-cfg', ProductionVariants: [{ VariantName: 'v1', ModelName: 'good-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
      await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'faulty-ep', EndpointConfigName: 'good-cfg' }));
      const d = await waitFor(() => describeEndpoint('faulty-ep'), (x) => x.EndpointStatus !== 'Creating', 'endpoint');
      expect(d.EndpointStatus).toBe('Failed');
      expect(d.FailureReason).toBe('The primary container for production variant v1 did not pass the ping health check. Please check CloudWatch logs for this endpoint.');
      expect(h.sm.faults.stats().unhealthyModels).toBe(1);
    } finally {
      h.sm.faults.clear();
    }
  });

  it('a container whose port another program took before it bound it is started again on another port', async () => {
    const pidFile = path.join(h.tmp, 'port-thief.pid');
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'robbed-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'local/port-thief', ModelDataUrl: artifacts, Environment: { PORT_THIEF_PIDFILE: pidFile } } }));
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'robbed-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'robbed-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'robbed-ep', EndpointConfigName: 'robbed-cfg' }));
    try {
      const d = await waitFor(() => describeEndpoint('robbed-ep'), (x) => x.EndpointStatus !== 'Creating', 'endpoint');
      expect([d.EndpointStatus, d.FailureReason]).toEqual(['InService', undefined]);
      const stolen = Number(/port (\d+) was taken by another program/.exec(h.sm.state.logs('robbed-ep'))?.[1]);
      expect(stolen).toBeGreaterThan(0);
      const serving = processesOf('robbed-ep');
      expect(serving).toHaveLength(1);
      expect(serving[0]!.port).not.toBe(stolen);
      const res = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'robbed-ep', Body: Buffer.from('0\n'), ContentType: 'text/csv' }));
      expect(Buffer.from(res.Body).toString()).toBe('3\n');
    } finally {
      if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    }
  });

  it('a container that exits while nothing else holds its port is not retried: the endpoint fails', async () => {
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'crashing-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'local/broken', ModelDataUrl: artifacts } }));
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'crashing-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'crashing-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'crashing-ep', EndpointConfigName: 'crashing-cfg' }));
    const d = await waitFor(() => describeEndpoint('crashing-ep'), (x) => x.EndpointStatus !== 'Creating', 'endpoint');
    expect(d.EndpointStatus).toBe('Failed');
    const logs = h.sm.state.logs('crashing-ep');
    expect(logs.match(/: started /g)).toHaveLength(1);
    expect(logs).toContain('health check failed (the process exited)');
  });

  it('an image missing from the registry fails the endpoint with a clear reason', async () => {
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'ghost-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'ghost-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ghost-ep', EndpointConfigName: 'ghost-cfg' }));
    const d = await waitFor(() => describeEndpoint('ghost-ep'), (x) => x.EndpointStatus !== 'Creating', 'endpoint');
    expect(d.EndpointStatus).toBe('Failed');
    expect(d.FailureReason).toContain('123456789012.dkr.ecr.us-east-1.amazonaws.com/ghost:7');
    expect(processesOf('ghost-ep')).toEqual([]);
  });
});
