/**
 * Model families. A family is the unit that owns an endpoint, a model package group and a schema per
 * stage; the upload's key names it: `incoming/<family>/<file>.csv` (and `incoming/<family>/<dataset>/...`)
 * belongs to `<family>`, `incoming/<file>.csv` to the family named after the file's stem.
 *
 * Names are sanitized to SageMaker's resource-name pattern (lower-case letters, digits, single hyphens)
 * and capped so that `<namePrefix>-<family>` and the names derived from it stay within 63 characters.
 */
import { SAGEMAKER_NAME_MAX } from './naming';

/** `mlops-<stage>-<family>` with a stage of up to 12 characters leaves 32 for the family and its suffixes. */
export const FAMILY_NAME_MAX = 32;
export const FAMILY_NAME_PATTERN = /^[a-z0-9](-?[a-z0-9])*$/;

export type FamilyOfKey = { family: string; raw: string } | { rejection: string };

/** The family part of a key below the incoming prefix: its first folder, or the file's stem. */
function rawFamily(relativeKey: string): string {
  const segments = relativeKey.split('/');
  if (segments.length > 1) return segments[0]!;
  return segments[0]!.replace(/\.[^.]*$/, '');
}

export function sanitizeFamily(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, FAMILY_NAME_MAX)
    .replace(/-+$/g, '');
}

export function familyOfKey(key: string, incomingPrefix: string): FamilyOfKey {
  if (!key.startsWith(incomingPrefix)) return { rejection: `key '${key}' is not under the incoming prefix ${incomingPrefix}` };
  const raw = rawFamily(key.slice(incomingPrefix.length));
  const family = sanitizeFamily(raw);
  if (!family) {
    return { rejection: `the family name '${raw}' taken from the key has no letter or digit; upload to ${incomingPrefix}<family>/<file>.csv with a family of letters, digits and hyphens` };
  }
  return { family, raw };
}

/** The family's endpoint and model package group share one name per stage: `<namePrefix>-<family>`. */
export function familyResourceName(namePrefix: string, family: string): string {
  const name = `${namePrefix}-${family}`;
  if (name.length > SAGEMAKER_NAME_MAX || !FAMILY_NAME_PATTERN.test(family)) throw new Error(`'${family}' is not a valid family name for prefix ${namePrefix}`);
  return name;
}
