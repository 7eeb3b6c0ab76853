/**
 * The README's "### Stages by hand" runs as written. Its fenced sh block is read from README.md
 * (backslash continuations joined, as the shell does) and every line is run, in order, by `sh -c`
 * with the real AWS CLI v2 against `pnpm local:up`:
 *   - `pnpm local:up` itself (on a temporary MLOPS_LOCAL_DIR, every port 0 so it takes free ones);
 *   - `set -a; . .local/local.env; set +a`, in a folder whose `.local` is that MLOPS_LOCAL_DIR: the
 *     environment it leaves is the only one the other lines get (with an empty HOME, so no
 *     ~/.aws file helps; nothing in the lines is substituted);
 *   - every `aws` line: the upload (its run id is the one the README names, derived from the data),
 *     list-executions and describe-execution (SUCCEEDED once the run is over), describe-training-job
 *     (Completed) and invoke-endpoint (a number);
 *   - every `pnpm exec sls invoke local` line against the same stack.
 * A line of any other kind fails the test, so the block cannot grow a line nothing runs.
 * The AWS CLI v2 is looked up on PATH (a v1 found first, as a pyenv shim can be, is passed over):
 * without one the test is skipped, except in CI (CI=true), which installs it (.ci/run) and fails.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runIdFor } from '@mlops/common';
import { projectRoot } from '@mlops/serverless-config';

jest.setTimeout(300_000);

const root = projectRoot();
const HEADING = '### Stages by hand';

/** The commands of a README section's sh blocks: continuations joined, blank and comment-only lines dropped. */
function sectionCommands(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const level = heading.indexOf(' ');
  const blocks: string[] = [];
  let block: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    if (block) {
      if (/^```\s*$/.test(line)) {
        blocks.push(block.join('\n'));
        block = undefined;
      } else block.push(line);
    } else if (/^```(sh|bash|shell|console)?\s*$/.test(line)) {
      if (!/^```(sh|bash|shell)\s*$/.test(line)) continue; // another kind of block: not commands
      block = [];
    } else {
      const next = /^(#+) /.exec(line);
      if (next && next[1]!.length <= level) break; // the next section
    }
  }
  if (block) throw new Error(`"${heading}": a code block is not closed`);
  return blocks
    .flatMap((text) => text.replace(/\\\n/g, '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The first `aws` on PATH that is the AWS CLI v2. */
function findAwsV2(): { path: string; version: string } | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'aws');
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 60_000 });
    const version = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split(/\s+/)[0] ?? '';
    if (r.status === 0 && version.startsWith('aws-cli/2.')) return { path: candidate, version };
  }
  return undefined;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let outputs = 0;

/**
 * `sh -c <line>`, its stdout and stderr sent to files (stdout opened for appending, as `>>` does): Node's
 * pipes to a child are sockets, which `/dev/stdout` (the invoke-endpoint line's outfile) cannot be
 * opened on; in a terminal or a shell pipe it can.
 */
function sh(line: string, options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; outDir: string }): Promise<Result> {
  const n = ++outputs;
  const [outPath, errPath] = [join(options.outDir, `${n}.out`), join(options.outDir, `${n}.err`)];
  const [out, err] = [openSync(outPath, 'a'), openSync(errPath, 'a')];
  return new Promise<Result>((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd: options.cwd, env: options.env, stdio: ['ignore', out, err] });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') });
    });
  }).finally(() => {
    closeSync(out);
    closeSync(err);
  });
}

const show = (line: string, r: Result) => `$ ${line}\nexit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

function expectOk(line: string, r: Result): void {
  if (r.code !== 0) throw new Error(`a README line failed:\n${show(line, r)}`);
}

/** The last pretty-printed JSON object of a command's output (`sls invoke local` prints the result last). */
function lastJson(stdout: string): Record<string, unknown> {
  const at = stdout.startsWith('{\n') ? 0 : stdout.lastIndexOf('\n{\n') + 1;
  if (at <= 0 && !stdout.startsWith('{\n')) throw new Error(`no JSON result in:\n${stdout.slice(-2000)}`);
  return JSON.parse(stdout.slice(at)) as Record<string, unknown>;
}

/** The environment without what a developer's shell would not have: the caller's AWS settings. */
function withoutAws(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('AWS_')));
}

const awsCli = findAwsV2();
const inCi = process.env.CI === 'true';
const awsOnPath = () => (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'aws')).filter((p) => existsSync(p));

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const commands = sectionCommands(readme, HEADING);

describe('README: the block of "Stages by hand"', () => {
  it('has only lines this test runs, in the order it runs them', () => {
    expect(commands[0]).toMatch(/^pnpm local:up(\s|$)/);
    expect(commands[1]).toMatch(/^set -a; \. \.local\/local\.env; set \+a(\s|$)/);
    expect(commands[2]).toMatch(/^aws .*\bs3 cp\b/);
    for (const line of commands.slice(2)) expect(line).toMatch(/^(aws |pnpm exec sls invoke local )/);
  });

  it('names the run id the upload produces', () => {
    const upload = commands.find((l) => /^aws .*\bs3 cp\b/.test(l))!;
    const [, source, bucket, key] = /\bs3 cp (\S+) s3:\/\/([^/\s]+)\/(\S+)/.exec(upload) ?? [];
    const named = /\(run id ([a-z0-9-]+)\)/.exec(upload)?.[1];
    // s3rver's ETag of a single-part upload (the CLI uses one part below 8 MB) is the content's MD5.
    const etag = createHash('md5').update(readFileSync(join(root, source!))).digest('hex');
    expect(named).toBe(runIdFor({ bucket: bucket!, key: key!, etag }));
    // Every line that names a run names this one.
    const family = named!.replace(/-[0-9a-f]{10}$/, '');
    for (const line of commands) for (const m of line.matchAll(new RegExp(`${family}-[0-9a-f]{10}`, 'g'))) expect(m[0]).toBe(named);
  });

  if (!awsCli) {
    it('needs the AWS CLI v2 to run the lines (CI installs it: .ci/run)', () => {
      const found = awsOnPath().join(', ') || 'none';
      if (inCi) throw new Error(`CI=true and no AWS CLI v2 on PATH (aws found: ${found})`);
      console.warn(`README "${HEADING}": no AWS CLI v2 on PATH (aws found: ${found}); its lines are not run. Install it (Debian: apt-get install awscli).`);
    });
    return;
  }

  describe('run as written against pnpm local:up', () => {
    let work = '';
    let up: ChildProcess | undefined;
    let upExited: Promise<void> | undefined;
    let upOutput = '';
    /** The environment `set -a; . .local/local.env; set +a` leaves. */
    let shell: NodeJS.ProcessEnv = {};
    const runId = /\(run id ([a-z0-9-]+)\)/.exec(commands[2] ?? '')?.[1] ?? '';

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'mlops-readme-stages-'));
      const localDir = join(work, '.local'); // so that the README's `.local/local.env` is the one read in `work`
      const home = join(work, 'home');
      const bin = join(work, 'bin');
      mkdirSync(home);
      mkdirSync(bin);
      symlinkSync(awsCli!.path, join(bin, 'aws')); // first on PATH, before a v1 shim
      const path = `${bin}${delimiter}${process.env.PATH ?? ''}`;
      up = spawn('sh', ['-c', commands[0]!], {
        cwd: root,
        detached: true, // its own process group, stopped as a whole in afterAll
        env: {
          ...withoutAws(process.env),
          PATH: path,
          MLOPS_LOCAL_DIR: localDir,
          ...Object.fromEntries(['S3', 'SAGEMAKER', 'STEPFUNCTIONS', 'SQS', 'LAMBDA', 'CLOUDWATCH'].map((s) => [`MLOPS_${s}_PORT`, '0'])),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      up.stdout!.setEncoding('utf8').on('data', (d: string) => (upOutput += d));
      up.stderr!.setEncoding('utf8').on('data', (d: string) => (upOutput += d));
      upExited = new Promise((resolve) => up!.once('exit', () => resolve()));
      const started = Date.now();
      while (!upOutput.includes('Offline stack running')) {
        if (up.exitCode !== null || up.signalCode !== null) throw new Error(`pnpm local:up exited:\n${upOutput.slice(-3000)}`);
        if (Date.now() - started > 180_000) throw new Error(`pnpm local:up did not start:\n${upOutput.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const sourced = await sh(`${commands[1]}\nenv`, { cwd: work, env: { PATH: path, HOME: home }, outDir: work });
      expectOk(commands[1]!, sourced);
      shell = Object.fromEntries(
        sourced.stdout
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const)
          .filter(([k]) => /^[A-Z_][A-Z0-9_]*$/.test(k) && !['PWD', 'OLDPWD', 'SHLVL', '_'].includes(k)),
      );
    }, 240_000);

    afterAll(async () => {
      const group = up?.pid;
      if (group !== undefined) {
        // Ctrl-C, as the README's user stops it, to the whole group (pnpm, the stack, its functions and
        // model servers); whatever is still there after 30 s is killed.
        const signal = (s: NodeJS.Signals | 0) => {
          try {
            process.kill(-group, s);
            return true;
          } catch {
            return false; // no process left in the group
          }
        };
        signal('SIGINT');
        const deadline = Date.now() + 30_000;
        while (signal(0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        if (signal('SIGKILL')) while (signal(0)) await new Promise((r) => setTimeout(r, 100));
        await upExited;
        up!.stdout!.destroy();
        up!.stderr!.destroy();
      }
      if (work) rmSync(work, { recursive: true, force: true });
    }, 60_000);

    const aws = (line: string) => sh(line, { cwd: root, env: shell, outDir: work });

    it('`set -a; . .local/local.env; set +a` gives the CLI a region, credentials and every variable the lines use', () => {
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION', 'AWS_REGION']) expect({ name, set: Boolean(shell[name]) }).toEqual({ name, set: true });
      for (const line of commands.slice(2)) {
        for (const [, name] of line.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) expect({ line, name, set: Boolean(shell[name!]) }).toEqual({ line, name, set: true });
      }
    });

    it('every `aws` line works, in order, and says what the README promises', async () => {
      const lines = commands.slice(2).filter((l) => l.startsWith('aws '));
      const [upload, ...rest] = lines;
      const uploaded = await aws(upload!);
      expectOk(upload!, uploaded);
      expect(uploaded.stdout).toMatch(/upload: \S+ to s3:\/\//);

      // The run the upload started, waited for with the README's own lines.
      const list = rest.find((l) => /\bstepfunctions list-executions\b/.test(l));
      const describeExecution = rest.find((l) => /\bstepfunctions describe-execution\b/.test(l));
      expect(list).toBeDefined();
      expect(describeExecution).toBeDefined();
      const started = Date.now();
      let status = '';
      let last: Result | undefined;
      while (Date.now() - started < 180_000) {
        last = await aws(describeExecution!);
        if (last.code === 0) {
          status = (JSON.parse(last.stdout) as { status: string }).status;
          if (status !== 'RUNNING') break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (status === '' || status === 'RUNNING') throw new Error(`the run did not end within 180 s:\n${show(describeExecution!, last!)}\n--- local:up\n${upOutput.slice(-3000)}`);

      for (const line of rest) {
        const r = await aws(line);
        expectOk(line, r);
        if (/\bstepfunctions list-executions\b/.test(line)) {
          const { executions } = JSON.parse(r.stdout) as { executions: { name: string; status: string }[] };
          expect(executions.map((e) => [e.name, e.status])).toEqual([[runId, 'SUCCEEDED']]);
        } else if (/\bstepfunctions describe-execution\b/.test(line)) {
          expect(JSON.parse(r.stdout)).toMatchObject({ name: runId, status: 'SUCCEEDED' });
        } else if (/\bsagemaker describe-training-job\b/.test(line)) {
          const job = JSON.parse(r.stdout) as { TrainingJobName: string; TrainingJobStatus: string };
          expect(job.TrainingJobName).toContain(runId);
          expect(job.TrainingJobStatus).toBe('Completed');
        } else if (/\bsagemaker-runtime invoke-endpoint\b/.test(line)) {
          // The body goes to /dev/stdout, then the CLI prints the response's other fields as JSON.
          const at = r.stdout.indexOf('{');
          const [body, meta] = [r.stdout.slice(0, at).trim(), JSON.parse(r.stdout.slice(at)) as { ContentType: string }];
          expect(body).toMatch(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/);
          expect(Number(body)).toBeGreaterThan(0); // rings of an abalone
          expect(meta.ContentType).toMatch(/^text\/csv/);
        }
      }
    }, 300_000);

    it('every `pnpm exec sls invoke local` line works against the same stack', async () => {
      const lines = commands.filter((l) => l.startsWith('pnpm exec sls invoke local '));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const r = await sh(line, { cwd: root, env: { ...withoutAws(process.env), ...shell, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' }, outDir: work });
        expectOk(line, r);
        const result = lastJson(r.stdout);
        expect(JSON.stringify(result)).toContain(runId);
        const fn = / -f (\S+)/.exec(line)?.[1];
        if (fn === 'mlops_await') expect(result).toMatchObject({ kind: 'training', state: 'Succeeded', status: 'Completed' });
        if (fn === 'mlops_eval') expect(result).toMatchObject({ gate: { passed: true } });
      }
    }, 180_000);
  });
});
