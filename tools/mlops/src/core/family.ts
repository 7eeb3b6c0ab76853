/** A family's names on a stage: its model package group and its endpoint are both `<NamePrefix>-<family>`. */
import { DescribeModelPackageGroupCommand } from '@aws-sdk/client-sagemaker';
import { FAMILY_NAME_MAX, FAMILY_NAME_PATTERN, familyResourceName, isNotFound } from '@mlops/common';
import { OperationError, UsageError } from '../errors';
import type { StageTarget } from '../stage/types';

export interface FamilyOnStage {
  family: string;
  /** `<NamePrefix>-<family>`: the group's and the endpoint's name. */
  name: string;
  groupArn: string;
}

export function familyName(target: StageTarget, family: string): string {
  if (!FAMILY_NAME_PATTERN.test(family) || family.length > FAMILY_NAME_MAX) {
    throw new UsageError(`'${family}' is not a family name: lowercase letters, digits and single hyphens, at most ${FAMILY_NAME_MAX} characters`);
  }
  try {
    return familyResourceName(target.outputs.NamePrefix, family);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The family's model package group on the stage; a stage that never registered a model of it has none. */
export async function requireFamily(target: StageTarget, family: string): Promise<FamilyOnStage> {
  const name = familyName(target, family);
  try {
    const group = await target.clients.sageMaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }));
    return { family, name, groupArn: group.ModelPackageGroupArn! };
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw new OperationError('unknown-family', `unknown family '${family}' on stage '${target.stage}': there is no model package group ${name} (a family's group is created when its first model is registered)`);
  }
}

/** `arn:...:model-package-group/<group>` → `arn:...:model-package/<group>/<version>`. */
export function versionArn(groupArn: string, version: number): string {
  return `${groupArn.replace(':model-package-group/', ':model-package/')}/${version}`;
}
