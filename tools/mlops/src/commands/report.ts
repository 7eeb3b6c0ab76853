import { join, resolve } from 'node:path';
import { writeReport } from '@mlops/report';
import { buildRunReport } from '../core/report';
import { formatReport } from '../output/human';
import type { ReportOutput } from '../output/schemas';
import type { Command } from './command';
import { noMorePositionals, positional, str } from './parse';

export const reportCommand: Command<{ runId: string; out?: string }> = {
  name: 'report',
  summary: 'write the HTML report of any run and print its path',
  synopsis: '<runId> [--out <dir>]',
  description: `Rebuilds the run's report from its record, its execution history and its evaluation report, and
writes report.html and report.json into --out (default .local/reports/<runId> for the local stage,
.local/reports/<stage>/<runId> for others).`,
  options: { out: { type: 'string' } },
  parse(values, positionals) {
    noMorePositionals(positionals, 1);
    return { runId: positional(positionals, 0, 'runId'), out: str(values.out) };
  },
  async run(context, input) {
    const target = await context.target();
    const report = await buildRunReport(target, input.runId, context.now());
    const dir = input.out ? resolve(input.out) : context.stage === 'local' ? join(context.reportsDir, input.runId) : join(context.reportsDir, context.stage, input.runId);
    const written = await writeReport(dir, report);
    const document: ReportOutput = { stage: target.stage, runId: input.runId, ...written };
    return { document, text: formatReport(document) };
  },
};
