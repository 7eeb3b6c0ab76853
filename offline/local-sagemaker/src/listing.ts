import { validationException } from './errors';
import { parseTimestamp } from './wire';

/** The members every SageMaker List* request shares (each operation uses a subset). */
export interface ListRequest {
  NameContains?: string;
  StatusEquals?: string;
  SortBy?: string;
  SortOrder?: string;
  MaxResults?: number;
  NextToken?: string;
  CreationTimeAfter?: unknown;
  CreationTimeBefore?: unknown;
  LastModifiedTimeAfter?: unknown;
  LastModifiedTimeBefore?: unknown;
}

export interface Listable {
  name: string;
  creationTime: Date;
  lastModifiedTime?: Date;
  status?: string;
}

export interface ListPage<T> {
  items: T[];
  nextToken?: string;
}

const DEFAULT_MAX_RESULTS = 10;

function filterKey(req: ListRequest): string {
  const { NextToken: _t, MaxResults: _m, ...rest } = req;
  return JSON.stringify(rest);
}

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0).toString(36);
}

/**
 * Filters, sorts and pages resources as SageMaker's List* operations do: NameContains is a
 * case-insensitive substring match, the time bounds are exclusive, the default order is
 * CreationTime Descending, pages hold MaxResults items (10 by default) and NextToken is opaque
 * and only valid for the same filter.
 */
export function listPage<T extends Listable>(all: Iterable<T>, req: ListRequest, tieBreak?: (a: T, b: T) => number): ListPage<T> {
  const after = parseTimestamp(req.CreationTimeAfter);
  const before = parseTimestamp(req.CreationTimeBefore);
  const modAfter = parseTimestamp(req.LastModifiedTimeAfter);
  const modBefore = parseTimestamp(req.LastModifiedTimeBefore);
  const needle = req.NameContains?.toLowerCase();
  const items = [...all].filter((r) => {
    if (needle && !r.name.toLowerCase().includes(needle)) return false;
    if (req.StatusEquals && r.status !== req.StatusEquals) return false;
    if (after && !(r.creationTime > after)) return false;
    if (before && !(r.creationTime < before)) return false;
    const modified = r.lastModifiedTime ?? r.creationTime;
    if (modAfter && !(modified > modAfter)) return false;
    if (modBefore && !(modified < modBefore)) return false;
    return true;
  });
  const sortBy = req.SortBy ?? 'CreationTime';
  const dir = (req.SortOrder ?? 'Descending') === 'Ascending' ? 1 : -1;
  items.sort((a, b) => {
    let c = 0;
    if (sortBy === 'Name') c = a.name.localeCompare(b.name);
    else if (sortBy === 'Status') c = (a.status ?? '').localeCompare(b.status ?? '');
    if (c === 0) c = a.creationTime.getTime() - b.creationTime.getTime();
    if (c === 0 && tieBreak) c = tieBreak(a, b);
    if (c === 0) c = a.name.localeCompare(b.name);
    return c * dir;
  });
  const key = hash(filterKey(req));
  let offset = 0;
  if (req.NextToken) {
    const decoded = decodeToken(req.NextToken);
    if (!decoded || decoded.k !== key) throw validationException('Invalid pagination token because the request parameters changed or the token is malformed.');
    offset = decoded.o;
  }
  const max = req.MaxResults ?? DEFAULT_MAX_RESULTS;
  const page = items.slice(offset, offset + max);
  const hasMore = items.length > offset + max;
  return { items: page, nextToken: hasMore ? encodeToken({ o: offset + max, k: key }) : undefined };
}

/**
 * A List* response: one page of summaries under the operation's member (e.g. `TrainingJobSummaries`)
 * plus NextToken. `tieBreak` orders items the sort key and CreationTime leave equal (before the name).
 */
export function listResponse<T extends Listable>(
  all: Iterable<T>,
  req: ListRequest,
  member: string,
  summary: (item: T) => Record<string, unknown>,
  tieBreak?: (a: T, b: T) => number,
): Record<string, unknown> {
  const page = listPage(all, req, tieBreak);
  return { [member]: page.items.map(summary), NextToken: page.nextToken };
}

/** All matching items in order (no paging). */
export function listAll<T extends Listable>(all: Iterable<T>, req: ListRequest): T[] {
  const { NextToken: _t, ...rest } = req;
  return listPage(all, { ...rest, MaxResults: Number.MAX_SAFE_INTEGER }).items;
}

function encodeToken(t: { o: number; k: string }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(token: string): { o: number; k: string } | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; k?: unknown };
    if (typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0 && typeof t.k === 'string') return { o: t.o, k: t.k };
  } catch {
    /* fall through */
  }
  return undefined;
}
