/** `--help` texts: the tool's and each command's, with the exit codes. */
import type { AnyCommand } from './commands/command';

export const GLOBAL_OPTIONS = `Options of every command:
  --stage <stage>   the stage to act on (default local). local and localprod (any stage starting with local) are the offline stack
                    (.local/stages.json, written by \`pnpm local:up\`; MLOPS_LOCAL_DIR moves it);
                    any other stage is on AWS: stack mlops-<stage>, your default credentials
  --region <region> AWS stages: the region (default AWS_REGION or your profile's)
  --json            print one JSON document (its zod schema: tools/mlops/src/output/schemas.ts)
  -h, --help        this help`;

export const EXIT_CODES_TEXT = `Exit codes:
  0  done
  1  the operation failed: the stage is not deployed, unknown family or version, version not
     approved, refused (rejecting the live version), a deploy that failed (--wait), an AWS error
  2  usage error: unknown command or option, missing or malformed argument; teardown without
     a terminal to confirm on and without --yes`;

export function toolUsage(commands: readonly AnyCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: pnpm mlops <command> [arguments] [--stage <stage>] [--json]',
    '',
    'The operator CLI of the model lifecycle, the same against the offline stack and AWS.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL_OPTIONS,
    '',
    EXIT_CODES_TEXT,
    '',
    "`pnpm mlops <command> --help` describes one command.",
  ].join('\n');
}

export function commandUsage(command: AnyCommand): string {
  return [`Usage: pnpm mlops ${command.name} ${command.synopsis} [--stage <stage>] [--json]`, '', command.description, '', GLOBAL_OPTIONS, '', EXIT_CODES_TEXT].join('\n');
}
