/** The human form of `pnpm mlops notifications`. */
import type { NotificationsOutput } from './schemas';
import { table } from './table';

export function formatNotifications(doc: NotificationsOutput): string {
  if (doc.offline) {
    const lines = doc.notifications.map((n) => `${n.time.replace('T', ' ').slice(0, 19)}  ${n.subject ? `${n.subject}: ` : ''}${n.message}`);
    if (doc.unreadableLines > 0) lines.push(`(${doc.unreadableLines} line(s) of ${doc.file} are not notifications and were skipped)`);
    return [...lines, ...(lines.length ? [''] : []), doc.note].join('\n');
  }
  const lines = [`topic ${doc.topic?.arn ?? '-'}`];
  const subscriptions = doc.subscriptions ?? [];
  if (subscriptions.length) lines.push('', table(['PROTOCOL', 'ENDPOINT', 'STATUS'], subscriptions.map((s) => [s.protocol, s.endpoint, s.status])));
  return [...lines, '', doc.note].join('\n');
}
