/**
 * `pnpm local:up`'s command line and environment: the stages to host, params to override, the ports
 * (one variable each) and the help text, kept in one table so the help, the defaults and the
 * port-in-use message cannot disagree.
 */
import { parseArgs } from 'node:util';
import { stagesFrom } from './stages-file';

export const PORTS = [
  { service: 's3', label: 'S3', variable: 'MLOPS_S3_PORT', port: 4569 },
  { service: 'sagemaker', label: 'SageMaker (control plane and runtime)', variable: 'MLOPS_SAGEMAKER_PORT', port: 4599 },
  { service: 'stepfunctions', label: 'Step Functions', variable: 'MLOPS_STEPFUNCTIONS_PORT', port: 8083 },
  { service: 'sqs', label: 'SQS', variable: 'MLOPS_SQS_PORT', port: 9324 },
  { service: 'lambda', label: 'Lambda (Invoke)', variable: 'MLOPS_LAMBDA_PORT', port: 3001 },
  { service: 'cloudwatch', label: 'CloudWatch (alarms)', variable: 'MLOPS_CLOUDWATCH_PORT', port: 4582 },
] as const;
export type PortService = (typeof PORTS)[number]['service'];

export const UP_HELP = `pnpm local:up [--stage <stage>]... [--param <name>=<value>]... [--help]

Runs the offline stack until Ctrl-C: local S3, SageMaker, Step Functions, Lambda, SQS, CloudWatch,
EventBridge and EventBridge Scheduler, wired from serverless.yml's offline stages. Prints the
endpoints, writes them to .local/local.env (the first stage's values, for \`sls invoke local\` and the
AWS CLI) and every stage's outputs to .local/stages.json (for \`pnpm mlops\`). Data and state persist in
.local/stack between runs; \`pnpm local:clean\` removes them.

Options:
  --stage <stage>          a stage to host (repeatable; stages whose name starts with local, e.g.
                           --stage local --stage localprod); default MLOPS_STAGES (comma list), else local
  --param <name>=<value>   override a serverless.yml param on every hosted stage, as sls --param does
                           (e.g. --param 'retrainSchedule=rate(1 hour)'); repeatable
  --help                   this text

Environment:
${PORTS.map((p) => `  ${p.variable.padEnd(26)} ${p.label} port (default ${p.port})`).join('\n')}
  MLOPS_WAIT_SCALE           real seconds per emulated second (default 0.01: time runs 100x faster)
  MLOPS_LOCAL_DIR            the folder for state and files (default <repo>/.local)
  MLOPS_STAGES               stages to host when no --stage is given (default local)
`;

export interface UpOptions {
  help: boolean;
  stages: string[];
  params: Record<string, string>;
  ports: Record<PortService, number>;
  waitScale: number;
}

export function upOptions(argv: readonly string[], env: NodeJS.ProcessEnv): UpOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { stage: { type: 'string', multiple: true }, param: { type: 'string', multiple: true }, help: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const params: Record<string, string> = {};
  for (const text of values.param ?? []) {
    const at = text.indexOf('=');
    if (at <= 0) throw new Error(`--param '${text}': expected <name>=<value>`);
    params[text.slice(0, at)] = text.slice(at + 1);
  }
  const ports = {} as Record<PortService, number>;
  for (const p of PORTS) {
    const text = env[p.variable];
    const port = text === undefined || text === '' ? p.port : Number(text);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${p.variable}=${text}: not a port number (0 to 65535)`);
    ports[p.service] = port;
  }
  const waitScale = Number(env.MLOPS_WAIT_SCALE ?? 0.01);
  if (!(waitScale > 0 && waitScale <= 1)) throw new Error(`MLOPS_WAIT_SCALE=${env.MLOPS_WAIT_SCALE}: a number in (0, 1]`);
  const stageArgs = (values.stage ?? []).flatMap((s) => ['--stage', s]);
  return { help: values.help ?? false, stages: stagesFrom(stageArgs, env), params, ports, waitScale };
}

/** One line for a port another process holds: which service, and the variable to change. */
export function portInUseMessage(error: unknown, ports: Record<PortService, number>): string | undefined {
  const e = error as NodeJS.ErrnoException & { port?: number };
  if (e?.code !== 'EADDRINUSE') return undefined;
  const entry = PORTS.find((p) => ports[p.service] === e.port);
  return entry
    ? `port ${e.port} (${entry.label}) is in use by another process: stop it, or set ${entry.variable} to a free port (0 picks one)`
    : `port ${e.port ?? '?'} is in use by another process: ${e.message}`;
}
