/** The human form of `pnpm mlops teardown`'s document: the listing, then what happened, the stack and the bucket. */
import type { TeardownOutput } from './schemas';
import { table } from './table';

const what = (doc: TeardownOutput) => `stage '${doc.stage}' (${doc.offline ? 'offline stack' : 'AWS'}, names ${doc.namePrefix}-*)`;

/** What the teardown will stop and delete (shown before the confirmation, and in the final text). */
export function formatTeardownPlan(doc: TeardownOutput): string {
  const lines: string[] = [];
  if (doc.resources.length === 0) lines.push(`${what(doc)}: nothing outside CloudFormation to stop or delete`);
  else {
    lines.push(`${what(doc)}: ${doc.resources.length} resource(s) outside CloudFormation to stop or delete`, '');
    lines.push(table(['KIND', 'NAME', 'ACTION', 'DETAIL'], doc.resources.map((r) => [r.kind, r.name, r.action, r.detail ?? ''])));
  }
  for (const g of doc.keptGroups) lines.push(`kept: model package group ${g.name} (${g.versions} version(s)); pass --registry to delete it`);
  for (const note of doc.notes) lines.push(`note: ${note}`);
  if (doc.stack.action === 'sls-remove') lines.push(`then: ${doc.stack.command} (removes the CloudFormation stack ${doc.stack.name})`);
  return lines.join('\n');
}

function formatResults(doc: TeardownOutput): string {
  if (doc.resources.length === 0) return `${what(doc)}: nothing outside CloudFormation to stop or delete`;
  const rows = doc.resources.map((r) => [r.kind, r.name, r.result ?? '-', r.error ?? (r.result === 'gone' ? 'already gone' : '')]);
  return `${what(doc)}\n\n${table(['KIND', 'NAME', 'RESULT', 'NOTE'], rows)}`;
}

function formatBucket(doc: TeardownOutput): string[] {
  return [`data bucket ${doc.bucket.name}: ${doc.bucket.note}`, ...doc.bucket.commands.map((c) => `  ${c}`)];
}

export function formatTeardown(doc: TeardownOutput): string {
  switch (doc.status) {
    case 'planned':
      return formatTeardownPlan(doc);
    case 'refused':
      return [formatTeardownPlan(doc), '', `refused: nothing was changed. stdin is not a terminal to confirm on; pass --yes to tear down stage '${doc.stage}'`].join('\n');
    case 'cancelled':
      return `cancelled: the name typed was not '${doc.stage}'; nothing was changed`;
    case 'done':
    case 'failed': {
      const lines = [formatResults(doc)];
      for (const g of doc.keptGroups) lines.push(`kept: model package group ${g.name} (${g.versions} version(s)); pass --registry to delete it`);
      for (const note of doc.notes) lines.push(`note: ${note}`);
      lines.push('');
      if (doc.stack.action === 'sls-remove') {
        const ran = doc.stack.exitCode === undefined ? `not run: ${doc.stack.note}` : doc.stack.exitCode === 0 ? 'done' : `failed (exit ${doc.stack.exitCode})`;
        lines.push(`stack ${doc.stack.name}: ${doc.stack.command}: ${ran}`);
      } else if (doc.stack.note) lines.push(`stack: ${doc.stack.note}`);
      lines.push(...formatBucket(doc));
      if (doc.failures.length) lines.push('', `${doc.failures.length} failure(s):`, ...doc.failures.map((f) => `  ${f}`));
      return lines.join('\n');
    }
  }
}
