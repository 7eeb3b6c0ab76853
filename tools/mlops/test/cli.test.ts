import { ErrorOutputSchema } from '../src';
import { harness, sm } from './support/harness';

describe('pnpm mlops: usage and exit codes', () => {
  it('prints the tool help with every command and the exit codes (0), and exits 2 without a command', async () => {
    const h = harness();
    const help = await h.run('--help');
    expect(help.code).toBe(0);
    for (const command of ['runs', 'models', 'approve', 'reject', 'promote', 'rollback', 'predict', 'report']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\s`, 'm'));
    expect(help.stdout).toMatch(/Exit codes:\n  0 .*\n  1 .*[\s\S]*\n  2  usage error/);
    expect((await h.run()).code).toBe(2);
  });

  it.each(['runs', 'models', 'approve', 'reject', 'promote', 'rollback', 'predict', 'report'])('%s --help describes the command and its exit codes', async (command) => {
    const { code, stdout } = await harness().run(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: pnpm mlops ${command} `);
    expect(stdout).toContain('--stage <stage>');
    expect(stdout).toContain('Exit codes:');
  });

  it.each([
    [['deploy'], "unknown command 'deploy'"],
    [['models', 'abalone', '--bogus'], "Unknown option '--bogus'"],
    [['models'], 'missing <family>'],
    [['models', 'Sea Snails'], "'Sea Snails' is not a family name"],
    [['approve', 'abalone'], 'missing <version>'],
    [['approve', 'abalone', 'three'], "<version>: must be a version number such as 3 (got 'three')"],
    [['reject', 'abalone', '3'], '--reason <text> is required'],
    [['promote', 'abalone', '3'], '--to <stage> is required'],
    [['promote', 'abalone', '3', '--to', 'local'], "--to must name another stage than --stage (both are 'local')"],
    [['rollback', 'abalone', '--to', '0'], '--to: must be a version number'],
    [['runs', '--limit', '-1'], '--limit'],
    [['runs', 'extra'], "unexpected argument 'extra'"],
  ])('%j is a usage error (exit 2) that names the problem', async (argv, message) => {
    const { code, stderr } = await harness().run(...argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(sm.calls()).toHaveLength(0);
  });

  it('with --json, a failure is also one JSON document on stdout', async () => {
    const usage = await harness().run('reject', 'abalone', '3', '--json');
    expect(ErrorOutputSchema.parse(usage.json())).toEqual({ error: { kind: 'usage', code: 'usage', message: expect.stringContaining('--reason') } });
    const failed = await harness().run('models', 'abalone', '--stage', 'local-nowhere', '--json');
    expect(failed.code).toBe(1);
    expect(ErrorOutputSchema.parse(failed.json()).error).toEqual({ kind: 'failed', code: 'stage-not-deployed', message: expect.stringContaining("stage 'local-nowhere'") });
  });

  it('an AWS error ends the operation with exit 1 and its name and message', async () => {
    const h = harness();
    h.registry.groups.add('mlops-local-abalone');
    const { awsError } = await import('@mlops/testing');
    sm.on((await import('@aws-sdk/client-sagemaker')).ListModelPackagesCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform sagemaker:ListModelPackages'));
    const { code, stderr } = await h.run('models', 'abalone');
    expect(code).toBe(1);
    expect(stderr).toContain('AccessDeniedException: not authorized to perform sagemaker:ListModelPackages');
  });
});
