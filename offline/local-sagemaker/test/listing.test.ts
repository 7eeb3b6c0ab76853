import { listAll, listPage } from '../src/listing';

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
const items = [
  { name: 'alpha-train', creationTime: at(1), lastModifiedTime: at(10), status: 'Completed' },
  { name: 'beta-train', creationTime: at(2), lastModifiedTime: at(3), status: 'Failed' },
  { name: 'Gamma', creationTime: at(3), lastModifiedTime: at(4), status: 'Completed' },
  { name: 'delta-train', creationTime: at(4), lastModifiedTime: at(5), status: 'InProgress' },
];

describe('List* semantics', () => {
  it('defaults to CreationTime Descending', () => {
    expect(listAll(items, {}).map((i) => i.name)).toEqual(['delta-train', 'Gamma', 'beta-train', 'alpha-train']);
  });

  it('sorts by Name or Status, ascending or descending', () => {
    expect(listAll(items, { SortBy: 'Name', SortOrder: 'Ascending' }).map((i) => i.name)).toEqual(['alpha-train', 'beta-train', 'delta-train', 'Gamma']);
    expect(listAll(items, { SortBy: 'Status', SortOrder: 'Ascending' }).map((i) => i.status)).toEqual(['Completed', 'Completed', 'Failed', 'InProgress']);
  });

  it('filters by NameContains (case-insensitive), StatusEquals and exclusive time bounds', () => {
    expect(listAll(items, { NameContains: 'TRAIN' }).length).toBe(3);
    expect(listAll(items, { StatusEquals: 'Completed' }).map((i) => i.name)).toEqual(['Gamma', 'alpha-train']);
    expect(listAll(items, { CreationTimeAfter: at(2).getTime() / 1000 }).map((i) => i.name)).toEqual(['delta-train', 'Gamma']);
    expect(listAll(items, { CreationTimeBefore: at(2).toISOString() }).map((i) => i.name)).toEqual(['alpha-train']);
    expect(listAll(items, { LastModifiedTimeAfter: at(5).getTime() / 1000 }).map((i) => i.name)).toEqual(['alpha-train']);
  });

  it('pages with MaxResults and an opaque NextToken', () => {
    const first = listPage(items, { MaxResults: 3, SortBy: 'Name', SortOrder: 'Ascending' });
    expect(first.items.map((i) => i.name)).toEqual(['alpha-train', 'beta-train', 'delta-train']);
    expect(first.nextToken).toBeDefined();
    const second = listPage(items, { MaxResults: 3, SortBy: 'Name', SortOrder: 'Ascending', NextToken: first.nextToken });
    expect(second.items.map((i) => i.name)).toEqual(['Gamma']);
    expect(second.nextToken).toBeUndefined();
  });

  it('returns 10 items per page by default and no token on the last page', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `job-${i}`, creationTime: at(i) }));
    const p = listPage(many, {});
    expect(p.items).toHaveLength(10);
    expect(listPage(many, { NextToken: p.nextToken }).items).toHaveLength(2);
    expect(listPage(many.slice(0, 10), {}).nextToken).toBeUndefined();
  });

  it('rejects a token used with different filters, or a garbage token', () => {
    const first = listPage(items, { MaxResults: 1 });
    expect(() => listPage(items, { MaxResults: 1, NameContains: 'x', NextToken: first.nextToken })).toThrow(/pagination token/);
    expect(() => listPage(items, { NextToken: 'garbage' })).toThrow(/pagination token/);
  });
});
