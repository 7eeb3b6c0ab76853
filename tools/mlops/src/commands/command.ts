/** The shape of a command module: its options, how it reads them, what it does, how it prints. */
import type { ParseArgsConfig } from 'node:util';
import type { StageResolver, StageTarget } from '../stage/types';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
/** parseArgs' values: an option with `multiple: true` is an array. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  /** --stage (default `local`). */
  stage: string;
  resolve: StageResolver;
  target(): Promise<StageTarget>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Where reports go by default: `<repo>/.local/reports`. */
  reportsDir: string;
}

export interface CommandResult {
  /** Printed as JSON with --json; its schema is in output/schemas.ts. */
  document: unknown;
  text: string;
  /** 0 unless the operation ran but failed (a deploy that --wait saw fail). */
  exitCode?: number;
}

export interface Command<O> {
  name: string;
  summary: string;
  /** `<family> <version> [--reason <text>]` */
  synopsis: string;
  description: string;
  options: OptionSpec;
  /** Options and positionals → the command's input; throws UsageError. */
  parse(values: OptionValues, positionals: string[]): O;
  run(context: CommandContext, input: O): Promise<CommandResult>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds commands of every input type
export type AnyCommand = Command<any>;
