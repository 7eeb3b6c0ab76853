/**
 * What each function needs from IAM, derived from its source: every AWS SDK command it constructs
 * (`new XCommand(...)`, and `new Upload(...)` of lib-storage) in services/<fn>/src, mapped to the
 * IAM actions AWS authorizes it with, plus the permissions a request implies:
 *  - a SageMaker Create* whose request carries `Tags` also needs `sagemaker:AddTags` on that resource;
 *  - a request that hands SageMaker a role (`RoleArn`, `ExecutionRoleArn`) needs `iam:PassRole`;
 *  - an S3 read with `VersionId` needs `s3:GetObjectVersion`;
 *  - a CloudWatch PutMetricAlarm whose request carries `Tags` also needs `cloudwatch:TagResource`;
 *  - an S3 read that treats a missing key as normal (NoSuchKey / NotFound / 404, or @mlops/common's isMissingS3Object) needs `s3:ListBucket`,
 *    without which S3 answers 403 instead of 404.
 * Calls of @mlops/common helpers that send SageMaker requests themselves count as those requests
 * (SHARED_HELPERS). A command this table does not know fails the scan, so a new call cannot slip
 * past the IAM checks.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface SdkCall {
  file: string;
  /** The npm package the class comes from, e.g. `@aws-sdk/client-s3`. */
  from: string;
  /** The class constructed, e.g. `GetObjectCommand`. */
  name: string;
  /** The constructor's argument text. */
  args: string;
}

export interface Needed {
  /** IAM action, e.g. `s3:GetObject`. */
  action: string;
  /** For SageMaker actions: the resource type in the ARN (`training-job`, `endpoint-config`...). */
  sageMakerType?: string;
  /** Why: the call(s) it comes from. */
  because: string;
}

/** The argument text of a call whose opening parenthesis is at `open`. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced parentheses');
}

/** The names a file imports from AWS SDK packages, to the package. */
function sdkImports(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(@aws-sdk\/[^']+)'/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim();
      if (name) names.set(name, m[2]!);
    }
  }
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

export function sdkCallsIn(dir: string): SdkCall[] {
  return sourceFiles(dir).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const imports = sdkImports(text);
    return [...text.matchAll(/new\s+([A-Z][A-Za-z0-9]*)\s*\(/g)].flatMap((m) => {
      const from = imports.get(m[1]!);
      // Commands and multipart uploads send requests; clients, errors and the like do not.
      if (!from || !(m[1]!.endsWith('Command') || (from === '@aws-sdk/lib-storage' && m[1] === 'Upload'))) return [];
      return [{ file, from, name: m[1]!, args: argumentsAt(text, m.index! + m[0].length - 1) }];
    });
  });
}

const kebab = (noun: string) => noun.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
/** `CreateEndpointConfig` → `endpoint-config`: the SageMaker resource type an operation acts on. */
export function sageMakerTypeOf(operation: string): string {
  const noun = operation.replace(/^(Create|Describe|Update|Stop|Delete|List|Add)/, '');
  return kebab(noun);
}

const S3_ACTIONS: Record<string, string[]> = {
  GetObjectCommand: ['s3:GetObject'],
  HeadObjectCommand: ['s3:GetObject'],
  PutObjectCommand: ['s3:PutObject'],
  ListObjectsV2Command: ['s3:ListBucket'],
  DeleteObjectCommand: ['s3:DeleteObject'],
  CopyObjectCommand: ['s3:GetObject', 's3:PutObject'],
};

/** @mlops/common helpers that send requests with the caller's client, and the IAM actions they need. */
export const SHARED_HELPERS: Record<string, { action: string; sageMakerType: string }[]> = {
  modelVersionOfEndpointConfig: [
    { action: 'sagemaker:DescribeEndpointConfig', sageMakerType: 'endpoint-config' },
    { action: 'sagemaker:DescribeModel', sageMakerType: 'model' },
  ],
};

/** The IAM permissions the calls in `dir` need (see the header for the rules). */
export function neededPermissions(dir: string): Needed[] {
  const needed = new Map<string, Needed>();
  const need = (action: string, because: string, sageMakerType?: string) => {
    const key = `${action}@${sageMakerType ?? ''}`;
    const existing = needed.get(key);
    if (existing) existing.because += `, ${because}`;
    else needed.set(key, { action, because, ...(sageMakerType ? { sageMakerType } : {}) });
  };
  for (const call of sdkCallsIn(dir)) {
    const where = `${call.name} in ${relative(process.cwd(), call.file)}`;
    const fileText = readFileSync(call.file, 'utf8');
    if (call.from === '@aws-sdk/lib-storage' && call.name === 'Upload') {
      // Multipart: CreateMultipartUpload, UploadPart and CompleteMultipartUpload are s3:PutObject; abort has its own action.
      need('s3:PutObject', where);
      need('s3:AbortMultipartUpload', where);
      continue;
    }
    const operation = call.name.replace(/Command$/, '');
    switch (call.from) {
      case '@aws-sdk/client-s3': {
        const actions = S3_ACTIONS[call.name];
        if (!actions) throw new Error(`${where}: add its IAM actions to S3_ACTIONS`);
        for (const action of actions) need(action, where);
        const read = call.name === 'GetObjectCommand' || call.name === 'HeadObjectCommand';
        if (read && /\bVersionId\s*:/.test(call.args)) need('s3:GetObjectVersion', `${where} (VersionId)`);
        if (read && /'NoSuchKey'|'NotFound'|===\s*404|isMissingS3Object\(/.test(fileText)) need('s3:ListBucket', `${where} (a missing key is a 404 only with ListBucket)`);
        break;
      }
      case '@aws-sdk/client-sfn':
        need(`states:${operation}`, where);
        break;
      case '@aws-sdk/client-cloudwatch':
        need(`cloudwatch:${operation}`, where);
        // Tags on PutMetricAlarm are authorized as TagResource on the alarm.
        if (operation === 'PutMetricAlarm' && /\bTags\s*:/.test(fileText)) need('cloudwatch:TagResource', `${where} (Tags)`);
        break;
      case '@aws-sdk/client-sagemaker': {
        const type = sageMakerTypeOf(operation);
        need(`sagemaker:${operation}`, where, type);
        if (operation.startsWith('Create') && /\bTags\s*:/.test(fileText)) need('sagemaker:AddTags', `${where} (Tags)`, type);
        // The request builders in this file hand SageMaker a role: creating with it passes the role.
        if (operation.startsWith('Create') && /\b(Execution)?RoleArn\s*:/.test(fileText)) need('iam:PassRole', `${where} (RoleArn)`);
        break;
      }
      default:
        throw new Error(`${where}: client ${call.from} is not mapped to IAM`);
    }
  }
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const [helper, actions] of Object.entries(SHARED_HELPERS)) {
      if (!new RegExp(`\\b${helper}\\(`).test(text)) continue;
      for (const { action, sageMakerType } of actions) need(action, `${helper}() in ${relative(process.cwd(), file)}`, sageMakerType);
    }
  }
  return [...needed.values()];
}
