import { formatValidationMessage, stepFunctionsModel, validateRequest } from '@mlops/aws-models';
import { invalidExecutionInput, invalidName, invalidToken, validationException } from './errors';
import { PAYLOAD_LIMIT_BYTES } from './definition';
import type { Json } from './types';

/** Checks a request against the official SFN model, as the AWS front end does before the service sees it. */
export function validateAgainstModel(operation: string, request: unknown): void {
  const issues = validateRequest(stepFunctionsModel, operation, request);
  if (issues.length > 0) throw validationException(formatValidationMessage(issues));
}

/**
 * AWS naming rules for state machines and executions (StartExecution `name`): no whitespace, brackets
 * `< > { } [ ]`, wildcards `? *`, special characters `" # % \ ^ | ~ ` $ & , ; : /`, or control
 * characters (U+0000-001F, U+007F-009F). Length (1-80) is the model's constraint.
 */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export const isValidName = (name: string) => name.length >= 1 && [...name].length <= 80 && !FORBIDDEN_NAME_CHARACTERS.test(name);

export function checkName(name: string): void {
  if (!isValidName(name)) throw invalidName(name);
}

/** StartExecution input: JSON text of at most 256 KiB of UTF-8 (AWS's payload quota). */
export function parseExecutionInput(input: string): Json {
  if (Buffer.byteLength(input, 'utf8') > PAYLOAD_LIMIT_BYTES) {
    throw invalidExecutionInput(`Input size exceeds the maximum of ${PAYLOAD_LIMIT_BYTES} bytes`);
  }
  try {
    return JSON.parse(input) as Json;
  } catch (e) {
    throw invalidExecutionInput((e as Error).message);
  }
}

/** Page sizes: the model allows 0-1000; 0 or absent means the default, 100. */
export const pageSize = (maxResults: number | undefined) => (maxResults === undefined || maxResults === 0 ? 100 : maxResults);

/**
 * Opaque pagination tokens bound to the request they continue (AWS rejects a token used with other
 * parameters as InvalidToken).
 */
export function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64url');
}

export function decodeToken(token: string | undefined, scope: string): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; o?: unknown };
    if (parsed.s === scope && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through
  }
  throw invalidToken(token);
}

/** One page of `items` from a token, and the token of the next page if any. */
export function paginate<T>(items: T[], scope: string, maxResults: number | undefined, nextToken: string | undefined): { page: T[]; nextToken?: string } {
  const offset = decodeToken(nextToken, scope);
  const size = pageSize(maxResults);
  const page = items.slice(offset, offset + size);
  return offset + size < items.length ? { page, nextToken: encodeToken(scope, offset + size) } : { page };
}
