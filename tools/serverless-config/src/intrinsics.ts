/**
 * Evaluates the CloudFormation intrinsics serverless.yml uses (Ref, Fn::GetAtt, Fn::Sub, Fn::Join)
 * against a local account, so the offline stack sees the same values a deployment would get.
 * Hand-written: no maintained library evaluates CloudFormation intrinsics outside AWS.
 */
export interface IntrinsicContext {
  region: string;
  accountId: string;
  partition?: string;
  /** Ref of a logical id (a bucket's name, a state machine's ARN, ...). */
  ref(logicalId: string): string;
  /** Fn::GetAtt of a logical id's attribute. */
  getAtt(logicalId: string, attribute: string): string;
}

function pseudo(name: string, ctx: IntrinsicContext): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return ctx.partition ?? 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default:
      return undefined;
  }
}

export function evaluateIntrinsics(value: unknown, ctx: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluateIntrinsics(v, ctx));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = record[key];
    if (key === 'Ref') return pseudo(String(arg), ctx) ?? ctx.ref(String(arg));
    if (key === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
      return ctx.getAtt(id!, attr!);
    }
    if (key === 'Fn::Sub') {
      const [template, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
      return template.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
        if (name in vars) return String(evaluateIntrinsics(vars[name], ctx));
        const p = pseudo(name, ctx);
        if (p !== undefined) return p;
        const [id, attr] = name.split('.');
        return attr ? ctx.getAtt(id!, attr) : ctx.ref(id!);
      });
    }
    if (key === 'Fn::Join') {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(evaluateIntrinsics(p, ctx))).join(sep);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, evaluateIntrinsics(record[k], ctx)]));
}
