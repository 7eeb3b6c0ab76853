import { FAMILY_NAME_PATTERN } from '@mlops/common';
import { listRuns } from '../core/runs';
import { UsageError } from '../errors';
import { formatRuns } from '../output/human';
import type { Command } from './command';
import { noMorePositionals, positiveInt, str } from './parse';

export const runsCommand: Command<{ family?: string; limit: number }> = {
  name: 'runs',
  summary: 'recent runs: status, outcome, gate metric (challenger vs champion) and rule, version, deploy',
  synopsis: '[--family <family>] [--limit <n>]',
  description: `Lists the stage's runs from their records (s3://<bucket>/<RunsPrefix><runId>/run.json), newest first
by finishedAt (default: the 20 newest). RULE is the gate's rule: the family's threshold (set by the
stage or the upload), or, when it has none, the baseline the model had to beat (README: Model lifecycle).`,
  options: { family: { type: 'string' }, limit: { type: 'string' } },
  parse(values, positionals) {
    noMorePositionals(positionals, 0);
    const family = str(values.family);
    if (family !== undefined && !FAMILY_NAME_PATTERN.test(family)) throw new UsageError(`--family: '${family}' is not a family name (lowercase letters, digits and single hyphens)`);
    const limit = str(values.limit);
    return { family, limit: limit === undefined ? 20 : positiveInt(limit, '--limit') };
  },
  async run(context, input) {
    const document = await listRuns(await context.target(), input);
    return { document, text: formatRuns(document) };
  },
};
