/** Identifiers Lambda gives functions, environments and invocations, in Lambda's formats. */
import { randomBytes } from 'node:crypto';
import { FUNCTION_VERSION } from './limits';

export function functionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** One stream per execution environment: `2024/01/31/[$LATEST]<32 hex digits>`. */
export function logStreamName(now: Date, random: Buffer = randomBytes(16)): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${FUNCTION_VERSION}]${random.toString('hex')}`;
}

/**
 * An X-Ray trace header for one invocation. Not sampled, so an X-Ray SDK in the bundle
 * has a segment context but sends nothing.
 */
export function traceHeader(now: Date, random: Buffer = randomBytes(20)): string {
  const epoch = Math.floor(now.getTime() / 1000).toString(16).padStart(8, '0');
  const hex = random.toString('hex');
  return `Root=1-${epoch}-${hex.slice(0, 24)};Parent=${hex.slice(24, 40)};Sampled=0`;
}

export interface FunctionIdentifier {
  name: string;
  region?: string;
  accountId?: string;
  qualifier?: string;
}

const NAME = '([A-Za-z0-9_-]{1,64})';
const QUALIFIER = '(?::(\\$LATEST|[A-Za-z0-9_-]{1,128}))?';
const FULL_ARN = new RegExp(`^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:${NAME}${QUALIFIER}$`);
const PARTIAL_ARN = new RegExp(`^(\\d{12}):function:${NAME}${QUALIFIER}$`);
const BARE_NAME = new RegExp(`^${NAME}${QUALIFIER}$`);

/** Reads the forms `FunctionName` accepts: a name, a partial ARN or a full ARN, each with an optional qualifier. */
export function parseFunctionIdentifier(identifier: string): FunctionIdentifier | undefined {
  const optional = (key: 'region' | 'accountId' | 'qualifier', value: string | undefined) => (value === undefined ? {} : { [key]: value });
  let m = FULL_ARN.exec(identifier);
  if (m) return { name: m[3]!, region: m[1]!, accountId: m[2]!, ...optional('qualifier', m[4]) };
  m = PARTIAL_ARN.exec(identifier);
  if (m) return { name: m[2]!, accountId: m[1]!, ...optional('qualifier', m[3]) };
  m = BARE_NAME.exec(identifier);
  if (m) return { name: m[1]!, ...optional('qualifier', m[2]) };
  return undefined;
}
