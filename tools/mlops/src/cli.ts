/**
 * `pnpm mlops <command>`: parses the command line, runs the command against the resolved stage, and
 * prints its document (JSON) or its text. Every failure ends in a message that names the problem and
 * an exit code (0 ok, 1 the operation failed, 2 usage).
 */
import { parseArgs } from 'node:util';
import { isOfflineStage } from '@mlops/common';
import { COMMANDS, type CommandContext } from './commands';
import type { OptionValues } from './commands/command';
import { EXIT_CODES, OperationError, UsageError } from './errors';
import type { ErrorOutput } from './output/schemas';
import type { StageResolver } from './stage/types';
import { commandUsage, toolUsage } from './usage';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface CliEnvironment {
  /** Builds the stage resolver once the options are read (`--region`). */
  resolver: (options: { region?: string }) => StageResolver;
  reportsDir: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const GLOBAL = {
  stage: { type: 'string', default: 'local' },
  region: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** A connection the offline stack refused: say what to start. */
function unreachable(error: unknown, stage: string): OperationError | undefined {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code !== 'ECONNREFUSED') return undefined;
  const hint = isOfflineStage(stage) ? 'is the offline stack running? Start it with `pnpm local:up`' : 'check the network, --region and any AWS_ENDPOINT_URL_* variables';
  return new OperationError('unreachable', `stage '${stage}' cannot be reached (${(error as Error).message || code}): ${hint}`);
}

export async function runCli(argv: string[], io: CliIo, env: CliEnvironment): Promise<number> {
  const name = argv[0];
  const command = COMMANDS.find((c) => c.name === name);
  const wantsJson = argv.includes('--json');
  const fail = (kind: 'usage' | 'failed', code: string, message: string, exit: number) => {
    io.stderr(`pnpm mlops${command ? ` ${command.name}` : ''}: ${message}\n`);
    if (wantsJson) io.stdout(`${JSON.stringify({ error: { kind, code, message } } satisfies ErrorOutput, null, 2)}\n`);
    return exit;
  };
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${toolUsage(COMMANDS)}\n`);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (!command) return fail('usage', 'usage', `unknown command '${name}'\n\n${toolUsage(COMMANDS)}`, EXIT_CODES.usage);

  let values: OptionValues;
  let positionals: string[];
  let input: unknown;
  try {
    ({ values, positionals } = parseArgs({ args: argv.slice(1), options: { ...GLOBAL, ...command.options }, allowPositionals: true, strict: true }));
    if (values.help) {
      io.stdout(`${commandUsage(command)}\n`);
      return EXIT_CODES.ok;
    }
    if (values.stage === '') throw new UsageError('--stage: must name a stage');
    input = command.parse(values, positionals);
  } catch (error) {
    const message = error instanceof UsageError ? error.message : (error as Error).message;
    return fail('usage', 'usage', `${message}\n(see \`pnpm mlops ${command.name} --help\`)`, EXIT_CODES.usage);
  }

  const stage = values.stage as string;
  const resolve = env.resolver({ region: values.region as string | undefined });
  const context: CommandContext = {
    stage,
    resolve,
    target: () => resolve(stage),
    now: env.now ?? (() => new Date()),
    sleep: env.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    reportsDir: env.reportsDir,
  };
  try {
    const result = await command.run(context, input);
    io.stdout(values.json ? `${JSON.stringify(result.document, null, 2)}\n` : `${result.text}\n`);
    return result.exitCode ?? EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof UsageError) return fail('usage', 'usage', error.message, EXIT_CODES.usage);
    const known = error instanceof OperationError ? error : unreachable(error, stage);
    if (known) return fail('failed', known.code, known.message, EXIT_CODES.failed);
    const e = error as Error;
    return fail('failed', e.name || 'Error', `${e.name}: ${e.message}`, EXIT_CODES.failed);
  }
}
