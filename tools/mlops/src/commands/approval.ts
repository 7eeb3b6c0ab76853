import { approveVersion, rejectVersion } from '../core/approval';
import { formatApproval } from '../output/human';
import type { Command, OptionValues } from './command';
import { noMorePositionals, positional, reasonText, str, versionNumber } from './parse';

interface ApprovalInput {
  family: string;
  version: number;
  reason?: string;
}

function parseApproval(required: boolean) {
  return (values: OptionValues, positionals: string[]): ApprovalInput => {
    noMorePositionals(positionals, 2);
    const family = positional(positionals, 0, 'family');
    const version = versionNumber(positional(positionals, 1, 'version'), '<version>');
    return { family, version, reason: reasonText(str(values.reason), required) };
  };
}

export const approveCommand: Command<ApprovalInput> = {
  name: 'approve',
  summary: 'approve a version; the stage deploys it (EventBridge rule → deploy state machine)',
  synopsis: '<family> <version> [--reason <text>]',
  description: `Sets the version's ModelApprovalStatus to Approved (--reason becomes its ApprovalDescription). The
stage's EventBridge rule then starts the deploy state machine with it: the CLI starts nothing itself
and prints the state machine to watch. An already Approved version is left as it is.`,
  options: { reason: { type: 'string' } },
  parse: parseApproval(false),
  async run(context, input) {
    const document = await approveVersion(await context.target(), input);
    return { document, text: formatApproval(document) };
  },
};

export const rejectCommand: Command<ApprovalInput & { reason: string }> = {
  name: 'reject',
  summary: 'reject a version (refused for the live version: roll back first)',
  synopsis: '<family> <version> --reason <text>',
  description: `Sets the version's ModelApprovalStatus to Rejected, with --reason (required) as its
ApprovalDescription. The version the family's endpoint serves cannot be rejected: roll back first.`,
  options: { reason: { type: 'string' } },
  parse: (values, positionals) => parseApproval(true)(values, positionals) as ApprovalInput & { reason: string },
  async run(context, input) {
    const document = await rejectVersion(await context.target(), input);
    return { document, text: formatApproval(document) };
  },
};
