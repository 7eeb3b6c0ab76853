import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { isOfflineStage } from '@mlops/common';
import { projectRoot } from '@mlops/serverless-config';
import { executeTeardown, failuresOf, planTeardown, type TeardownClients, type TeardownPlan, type TeardownScope } from '../core/teardown';
import { EXIT_CODES, OperationError } from '../errors';
import type { TeardownOutput } from '../output/schemas';
import { formatTeardown, formatTeardownPlan } from '../output/teardown';
import { stackNameOf } from '../stage/aws-outputs';
import type { Command, CommandContext } from './command';
import { noMorePositionals, str } from './parse';

/**
 * The teardown's contact with the terminal and with `sls`. Tests replace its members (jest.spyOn) so
 * that nothing prompts or spawns; the CLI's context has no place for them yet.
 */
export const teardownIo = {
  /** Whether a person can be asked: stdin is a terminal. */
  interactive: (): boolean => process.stdin.isTTY === true,
  /** Shown before the question (stderr: stdout carries the document). */
  notice: (text: string): void => {
    process.stderr.write(text);
  },
  async prompt(question: string): Promise<string> {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
  /** Runs the project's `sls remove`, its output on stderr; resolves its exit code. */
  removeStack(args: readonly string[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn(join(projectRoot(), 'node_modules', '.bin', 'sls'), args, { cwd: projectRoot(), stdio: ['ignore', 2, 2] });
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  },
};

interface TeardownInput {
  registry: boolean;
  yes: boolean;
  region?: string;
}

interface Resolved {
  scope: TeardownScope;
  clients: TeardownClients;
  offline: boolean;
  region: string;
  bucket: string;
  /** AWS: the stack `sls remove` removes, if it exists. */
  stack?: string;
  notes: string[];
}

async function stackExists(cloudFormation: CloudFormationClient, name: string): Promise<boolean> {
  try {
    return ((await cloudFormation.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? []).length > 0;
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/i.test((error as Error).message)) return false;
    throw error;
  }
}


/**
 * The stage's prefix and clients: from its outputs, or, for an AWS stage whose stack is gone (or lacks
 * its outputs), from serverless.yml's naming (`mlops-<stage>`) so what outlived the stack can still go.
 */
async function resolve(context: CommandContext, input: TeardownInput, registry: boolean): Promise<Resolved> {
  const stage = context.stage;
  try {
    const target = await context.target();
    const sageMaker = target.clients.sageMaker;
    const region = await sageMaker.config.region();
    const stack = target.offline ? undefined : stackNameOf(stage);
    const clients = { sageMaker, cloudFormation: target.offline ? undefined : target.clients.cloudFormation, cloudWatch: target.clients.cloudWatch };
    return { scope: { stage, namePrefix: target.outputs.NamePrefix, registry, stackName: stack }, clients, offline: target.offline, region, bucket: target.outputs.DataBucketName, stack, notes: [] };
  } catch (error) {
    if (!(error instanceof OperationError && error.code === 'stage-not-deployed') || isOfflineStage(stage)) throw error;
    const config = input.region ? { region: input.region } : {};
    const sageMaker = new SageMakerClient(config);
    const cloudFormation = new CloudFormationClient(config);
    const region = await sageMaker.config.region();
    const name = stackNameOf(stage);
    const exists = await stackExists(cloudFormation, name);
    const namePrefix = `mlops-${stage}`;
    const why = exists ? `stack ${name} has no lifecycle outputs` : `there is no stack ${name} in ${region}`;
    return {
      scope: { stage, namePrefix, registry, stackName: exists ? name : undefined },
      clients: { sageMaker, cloudFormation: exists ? cloudFormation : undefined, cloudWatch: new CloudWatchClient({ region }) },
      offline: false,
      region,
      bucket: `mlops-${stage}-data-<account>-${region}`,
      stack: exists ? name : undefined,
      notes: [`${why}: the stage's names are taken as ${namePrefix}-* (serverless.yml's namePrefix)`],
    };
  }
}

function bucketOf(r: Resolved): TeardownOutput['bucket'] {
  if (r.offline) {
    return { name: r.bucket, retained: true, commands: [], note: 'lives in the offline stack with its other data (.local/stack, below)' };
  }
  const b = r.bucket;
  const region = ` --region ${r.region}`;
  return {
    name: b,
    retained: true,
    note: 'retained by design (DeletionPolicy: Retain, so runs, records and models outlive the stack). To delete it, empty it, then delete it. It is versioned: `aws s3 rm` leaves the old versions and delete markers, which `aws s3api delete-objects` with their version ids (at most 1000 a call) or the console\'s Empty action remove',
    commands: [
      `aws s3 rm s3://${b} --recursive${region}`,
      `aws s3api delete-objects --bucket ${b}${region} --delete "$(aws s3api list-object-versions --bucket ${b}${region} --max-items 1000 --query '{Objects: [Versions, DeleteMarkers][][].{Key: Key, VersionId: VersionId}}' --output json)"   # repeat until none are left`,
      `aws s3api delete-bucket --bucket ${b}${region}`,
    ],
  };
}

const OFFLINE_STACK_NOTE =
  'the offline stack has no CloudFormation: nothing for sls remove. Its data (S3 objects, executions, SageMaker records) lives in .local/stack ($MLOPS_LOCAL_DIR/stack), shared by every offline stage: stop `pnpm local:up` (Ctrl-C) and delete the folder (rm -rf .local/stack) to start from nothing';

function documentOf(r: Resolved, plan: TeardownPlan, status: TeardownOutput['status']): TeardownOutput {
  const slsArgs = r.stack ? ['remove', '--stage', r.scope.stage, '--region', r.region] : undefined;
  return {
    stage: r.scope.stage,
    namePrefix: r.scope.namePrefix,
    offline: r.offline,
    registry: r.scope.registry,
    status,
    resources: plan.resources.map(({ configs: _c, group: _g, ...resource }) => resource),
    keptGroups: plan.keptGroups,
    stack: slsArgs
      ? { action: 'sls-remove', name: r.stack, command: `sls ${slsArgs.join(' ')}` }
      : { action: 'none', note: r.offline ? OFFLINE_STACK_NOTE : `there is no CloudFormation stack ${stackNameOf(r.scope.stage)} in ${r.region}: nothing for sls remove` },
    bucket: bucketOf(r),
    notes: [...r.notes, ...plan.notes],
    failures: failuresOf(plan.resources),
  };
}

export const teardownCommand: Command<TeardownInput> = {
  name: 'teardown',
  summary: "remove what CloudFormation does not own (endpoints, configs, models, running jobs, alarms; --registry: packages), then the stack",
  synopsis: '[--registry] [--yes]',
  description: `Removes what the stage has outside CloudFormation, found by its name prefix (NamePrefix, e.g. mlops-dev:
names starting with "mlops-dev-"): stops its InProgress training and transform jobs (SageMaker keeps job
records), deletes its endpoints and waits until they are gone, then their endpoint configs, its models
and CloudWatch alarms (the rollouts' alarms; offline, the offline stack's CloudWatch). --registry also
deletes the versions of its model package groups, then the groups.

It first lists everything it will stop or delete, and asks you to type the stage name on a terminal;
--yes skips the question. Without a terminal and without --yes it only lists and exits 2.

Then, on AWS, it runs \`sls remove --stage <stage> --region <region>\` (the project's sls); offline there
is no CloudFormation: it says where the offline stack keeps its data. The data bucket is retained by
design (DeletionPolicy Retain): it prints how to empty and delete it.

A resource that disappears meanwhile is fine; any other failure is reported on its resource, the others
go on, sls remove is not run, and the exit code is 1. Cancelled (another name typed): exit 1.`,
  options: { registry: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  parse(values, positionals) {
    noMorePositionals(positionals, 0);
    return { registry: values.registry === true, yes: values.yes === true, region: str(values.region) };
  },
  async run(context, input) {
    const resolved = await resolve(context, input, input.registry);
    const plan = await planTeardown(resolved.scope, resolved.clients);
    const planned = documentOf(resolved, plan, 'planned');
    const nothingToDo = plan.resources.length === 0 && !resolved.stack;

    if (!input.yes && !nothingToDo) {
      if (!teardownIo.interactive()) {
        const document = { ...planned, status: 'refused' as const };
        return { document, text: formatTeardown(document), exitCode: EXIT_CODES.usage };
      }
      teardownIo.notice(`${formatTeardownPlan(planned)}\n\n`);
      const answer = (await teardownIo.prompt('Type the stage name to confirm: ')).trim();
      if (answer !== context.stage) {
        const document = { ...planned, status: 'cancelled' as const };
        return { document, text: formatTeardown(document), exitCode: EXIT_CODES.failed };
      }
    }

    await executeTeardown(plan, resolved.clients, {
      sleep: context.sleep,
      pollMs: resolved.offline ? 250 : 10_000,
      maxPolls: resolved.offline ? 480 : 180,
    });
    const document = documentOf(resolved, plan, 'done');
    if (document.stack.action === 'sls-remove') {
      if (document.failures.length) document.stack.note = `${document.failures.length} resource(s) could not be removed; fix them and run the teardown again`;
      else {
        document.stack.exitCode = await teardownIo.removeStack(['remove', '--stage', resolved.scope.stage, '--region', resolved.region]);
        if (document.stack.exitCode !== 0) document.failures.push(`stack ${resolved.stack}: sls remove exited with ${document.stack.exitCode} (its output is above)`);
      }
    }
    if (document.failures.length) document.status = 'failed';
    return { document, text: formatTeardown(document), exitCode: document.failures.length ? EXIT_CODES.failed : EXIT_CODES.ok };
  },
};
