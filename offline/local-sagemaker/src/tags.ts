import { validationException } from './errors';

export interface Tag {
  Key: string;
  Value: string;
}

/** Tags by resource ARN (AddTags / ListTags and the Tags member of Create* requests). */
export class TagStore {
  private readonly byArn = new Map<string, Tag[]>();

  add(arn: string, tags: Tag[] | undefined): Tag[] {
    const list = this.byArn.get(arn) ?? [];
    for (const t of tags ?? []) {
      if (t.Key.toLowerCase().startsWith('aws:')) throw validationException(`Tag keys beginning with "aws:" are reserved for system use: ${t.Key}`);
      const existing = list.find((x) => x.Key === t.Key);
      if (existing) existing.Value = t.Value;
      else list.push({ Key: t.Key, Value: t.Value });
    }
    if (list.length > 50) throw validationException(`A resource can have at most 50 tags; ${arn} would have ${list.length}.`);
    this.byArn.set(arn, list);
    return (tags ?? []).map((t) => ({ ...t }));
  }

  list(arn: string): Tag[] {
    return (this.byArn.get(arn) ?? []).map((t) => ({ ...t }));
  }

  remove(arn: string): void {
    this.byArn.delete(arn);
  }

  entries(): [string, Tag[]][] {
    return [...this.byArn].map(([arn, tags]) => [arn, tags.map((t) => ({ ...t }))]);
  }

  restore(entries: [string, Tag[]][]): void {
    for (const [arn, tags] of entries) this.byArn.set(arn, tags.map((t) => ({ ...t })));
  }
}
