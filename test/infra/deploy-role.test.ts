/**
 * deploy/github-deploy-role.yml, the roles GitHub Actions deploys with (docs/DEPLOYING.md), checked
 * offline. CI does not install cfn-lint (.ci/run), so the template is linted here with the data
 * cfn-lint ships, committed as fixtures: the resource schemas of the two types it declares
 * (fixtures/cfn-schemas.json) and the Service Authorization Reference for the services it grants
 * (fixtures/iam-actions.json). Then the security properties:
 *   - trust: GitHub's OIDC provider, audience sts.amazonaws.com, subject exactly the repository's
 *     main branch (dev) or its `prod` environment (prod), no wildcard anywhere;
 *   - no wildcard action, no NotAction/NotResource, Resource "*" only for the actions IAM
 *     authorises on "*" alone (and each of those on "*", or the grant would not work);
 *   - every other resource a name under the stage's prefix, and of a type its actions act on;
 *   - no privilege escalation through IAM; dev's role cannot touch prod's names.
 * Coverage of the packaged templates' resource types is deploy-role.int.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT, allows, asList, loadCfnYaml, REGION, resolve, ROLE_TEMPLATE, roleTemplate, type Context, type Expanded, type Statement } from './deploy-role';

const iamData = JSON.parse(readFileSync(join(__dirname, 'fixtures/iam-actions.json'), 'utf8')) as Record<string, { actions: Record<string, string[]>; resources: Record<string, string[]> }>;
const cfnSchemas = JSON.parse(readFileSync(join(__dirname, 'fixtures/cfn-schemas.json'), 'utf8')) as Record<string, { properties: Record<string, { type?: string | string[]; pattern?: string; minLength?: number; maxLength?: number; minimum?: number; maximum?: number }>; required: string[]; readOnly: string[] }>;

const STAGES = ['dev', 'prod'] as const;
const ORG = 'octo-org';
const REPO = 'octo-repo';
const ctx: Context = { parameters: { GitHubOrg: ORG, GitHubRepo: REPO } };
/** The subject each stage's role trusts (GitHub: `ref:` for a job without environment, `environment:` with one). */
const SUBJECT = { dev: `repo:${ORG}/${REPO}:ref:refs/heads/main`, prod: `repo:${ORG}/${REPO}:environment:prod` };
/**
 * The only actions granted on Resource "*": the Service Authorization Reference lists no resource
 * type for them, so IAM authorises them on "*" alone.
 *   cloudformation:ValidateTemplate  osls validates the template before the change set
 *   logs:DescribeLogGroups           the log group handler lists before it creates
 *   kms:CreateKey                    the notification topic's key (only via CloudFormation: aws:CalledVia)
 */
const STAR_ONLY = ['cloudformation:ValidateTemplate', 'logs:DescribeLogGroups', 'kms:CreateKey'];
/** IAM actions that would let a deployer grant itself more than the stack's roles have. */
const ESCALATION = [
  'iam:AttachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:CreateUser',
  'iam:CreateAccessKey',
  'iam:AttachUserPolicy',
  'iam:PutUserPolicy',
  'iam:UpdateOpenIDConnectProviderThumbprint',
  'iam:AddClientIDToOpenIDConnectProvider',
  'sts:AssumeRole',
];

const template = roleTemplate();
const roleId = (stage: string) => `DeployRole${stage}`;
const roleOf = (stage: string, t: Expanded = template, c: Context = ctx) => resolve(t, t.Resources[roleId(stage)], c) as { Type: string; Properties: any };
const statementsOf = (stage: string, t?: Expanded, c?: Context): Statement[] => roleOf(stage, t, c).Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
const lower = (action: string) => {
  const [service, name] = action.split(':') as [string, string];
  return { service, name: name.toLowerCase() };
};

describe('deploy/github-deploy-role.yml as CloudFormation (cfn-lint data, offline)', () => {
  it('is a template of the sections CloudFormation knows, expanded by AWS::LanguageExtensions into one role per stage', () => {
    const raw = loadCfnYaml(readFileSync(ROLE_TEMPLATE, 'utf8'));
    expect(Object.keys(raw).filter((k) => !['AWSTemplateFormatVersion', 'Transform', 'Description', 'Parameters', 'Conditions', 'Mappings', 'Resources', 'Outputs', 'Metadata', 'Rules'].includes(k))).toEqual([]);
    expect(raw.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(raw.Transform).toBe('AWS::LanguageExtensions');
    expect(Object.keys(template.Resources).sort()).toEqual(['DeployRoledev', 'DeployRoleprod', 'GitHubOidcProvider']);
    expect(Object.keys(template.Outputs).sort()).toEqual(['DeployRoleArndev', 'DeployRoleArnprod']);
    for (const id of [...Object.keys(template.Resources), ...Object.keys(template.Outputs)]) expect(id).toMatch(/^[A-Za-z0-9]{1,255}$/);
  });

  it('declares only properties of the resource schemas, with their required ones, types and patterns', () => {
    for (const [id, resource] of Object.entries(template.Resources)) {
      const schema = cfnSchemas[resource.Type];
      expect({ id, known: schema !== undefined }).toEqual({ id, known: true });
      expect(Object.keys(resource).filter((k) => !['Type', 'Properties', 'Condition', 'DependsOn', 'DeletionPolicy', 'UpdateReplacePolicy', 'Metadata'].includes(k))).toEqual([]);
      const props = resolve(template, resource.Properties, ctx) as Record<string, unknown>;
      for (const name of schema!.required) expect({ id, name, present: name in props }).toEqual({ id, name, present: true });
      for (const [name, value] of Object.entries(props)) {
        const spec = schema!.properties[name];
        expect({ id, name, settable: spec !== undefined && !schema!.readOnly.includes(name) }).toEqual({ id, name, settable: true });
        const types = asList(spec!.type);
        const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
        expect({ id, name, type: types.length === 0 || types.includes(actual) || (actual === 'integer' && types.includes('number')) }).toEqual({ id, name, type: true });
        if (typeof value === 'string') {
          if (spec!.pattern) expect({ id, name, value, pattern: new RegExp(spec!.pattern).test(value) }).toEqual({ id, name, value, pattern: true });
          expect(value.length).toBeGreaterThanOrEqual(spec!.minLength ?? 0);
          expect(value.length).toBeLessThanOrEqual(spec!.maxLength ?? Infinity);
        }
        if (typeof value === 'number') expect(value >= (spec!.minimum ?? -Infinity) && value <= (spec!.maximum ?? Infinity)).toBe(true);
      }
    }
  });

  it('resolves every Ref, condition, mapping and Sub, with the OIDC provider created or given', () => {
    for (const stage of STAGES) {
      expect(resolve(template, template.Resources[roleId(stage)], ctx).Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
        Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      });
      const existing = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
      const given = { parameters: { ...ctx.parameters, OidcProviderArn: existing } };
      expect(resolve(template, { Condition: 'CreateOidcProvider' }, given)).toBe(false);
      expect(roleOf(stage, template, given).Properties.AssumeRolePolicyDocument.Statement[0].Principal.Federated).toBe(existing);
      expect(resolve(template, template.Outputs[`DeployRoleArn${stage}`].Value, ctx)).toBe(`arn:aws:iam::${ACCOUNT}:role/mlops-github-deploy-${stage}`);
      expect(roleOf(stage).Properties.RoleName).toBe(`mlops-github-deploy-${stage}`);
    }
    expect(new RegExp(template.Parameters.OidcProviderArn.AllowedPattern).test(`arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`)).toBe(true);
    expect(new RegExp(template.Parameters.OidcProviderArn.AllowedPattern).test(`arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`)).toBe(false);
  });

  it("creates GitHub's OIDC provider for the STS audience, with no thumbprint (IAM trusts GitHub's CA)", () => {
    expect(template.Resources.GitHubOidcProvider).toEqual({
      Type: 'AWS::IAM::OIDCProvider',
      Condition: 'CreateOidcProvider',
      Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] },
    });
  });

  it('names only real IAM actions, without wildcards, and stays within the inline policy quota', () => {
    for (const stage of STAGES) {
      const statements = statementsOf(stage);
      for (const s of statements) {
        expect(Object.keys(s).filter((k) => !['Sid', 'Effect', 'Action', 'Resource', 'Condition'].includes(k))).toEqual([]);
        expect(s.Effect).toBe('Allow');
        for (const action of asList(s.Action)) {
          expect(action).not.toMatch(/[*?]/);
          const { service, name } = lower(action);
          expect({ action, known: iamData[service]?.actions[name] !== undefined }).toEqual({ action, known: true });
        }
      }
      // IAM counts a role's inline policies without whitespace: at most 10,240 characters
      // (IAM User Guide, "IAM and AWS STS quotas").
      const size = JSON.stringify(roleOf(stage).Properties.Policies.map((p: any) => p.PolicyDocument)).length;
      expect(size).toBeLessThanOrEqual(10_240);
    }
  });
});

describe('who may assume the deploy roles', () => {
  it('gives dev and prod different subjects, so the main branch cannot assume the prod role', () => {
    const subjectOf = (stage: string) => roleOf(stage).Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'];
    expect(subjectOf('prod')).not.toBe(subjectOf('dev'));
    expect(subjectOf('prod')).toMatch(/:environment:prod$/);
  });

  it('accepts no wildcard, slash or colon in the owner and repository parameters', () => {
    const org = new RegExp(template.Parameters.GitHubOrg.AllowedPattern);
    const repo = new RegExp(template.Parameters.GitHubRepo.AllowedPattern);
    for (const ok of ['octo-org', 'Octo2']) expect(org.test(ok)).toBe(true);
    for (const ok of ['octo-repo', 'serverless.mlops_2']) expect(repo.test(ok)).toBe(true);
    for (const bad of ['*', 'octo*', 'oct?', 'a/b', 'a:b', '', '-lead']) expect({ bad, org: org.test(bad) }).toEqual({ bad, org: false });
    for (const bad of ['*', 'repo*', 'rep?', 'a/b', 'a:b', '']) expect({ bad, repo: repo.test(bad) }).toEqual({ bad, repo: false });
  });
});

/** Each rule returns what breaks it in one stage's role (empty: it holds). */
type Rule = (stage: (typeof STAGES)[number], statements: Statement[], trust: Statement[], roleName: string) => string[];
const other = (stage: string) => (stage === 'dev' ? 'prod' : 'dev');
const viaCloudFormation = { 'aws:CalledVia': ['cloudformation.amazonaws.com'] };

const RULES: Record<string, Rule> = {
  'trusts only the repository on its branch (dev) or environment (prod), for STS': (stage, _s, trust) => {
    const expected = [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': SUBJECT[stage] } },
      },
    ];
    return JSON.stringify(trust) === JSON.stringify(expected) ? [] : [`trust is ${JSON.stringify(trust)}`];
  },
  'allows only, names actions without wildcards, uses no NotAction/NotResource': (_stage, statements) =>
    statements.flatMap((s) => [
      ...(s.Effect === 'Allow' ? [] : [`${s.Sid}: Effect ${s.Effect}`]),
      ...(s.NotAction || s.NotResource ? [`${s.Sid}: NotAction/NotResource`] : []),
      ...asList(s.Action)
        .filter((a) => /[*?]/.test(a))
        .map((a) => `${s.Sid}: wildcard action ${a}`),
    ]),
  'grants Resource "*" only for the actions IAM authorises on "*" alone, and those only on "*"': (_stage, statements) =>
    statements.flatMap((s) =>
      asList(s.Action).flatMap((action) => {
        const { service, name } = lower(action);
        const starOnly = iamData[service]?.actions[name]?.length === 0;
        const onStar = asList(s.Resource).includes('*');
        if (onStar && !(starOnly && STAR_ONLY.includes(action))) return [`${s.Sid}: ${action} on "*"`];
        if (starOnly && !onStar) return [`${s.Sid}: ${action} is authorised on "*" only, not on ${JSON.stringify(s.Resource)}`];
        return [];
      }),
    ),
  "names only the stage's resources, of a type each action acts on": (stage, statements) =>
    statements.flatMap((s) =>
      asList(s.Resource)
        .filter((r) => r !== '*')
        .flatMap((resource) => [
          ...asList(s.Action).flatMap((action) => {
            const { service, name } = lower(action);
            const formats = (iamData[service]?.actions[name] ?? []).flatMap((type) => iamData[service]!.resources[type] ?? []);
            const fits = formats.some((f) => new RegExp(`^${f.replace('${Partition}', 'aws').replace('${Region}', REGION).replace('${Account}', ACCOUNT)}$`).test(resource));
            return fits ? [] : [`${s.Sid}: ${action} does not act on ${resource}`];
          }),
          // A KMS key's ARN is a random id, not a name: its statement is held to CloudFormation instead (rule below).
          ...(resource.startsWith(`arn:aws:kms:${REGION}:${ACCOUNT}:key/`) || new RegExp(`(:|/)mlops-${stage}([-/]|$)`).test(resource) ? [] : [`${s.Sid}: ${resource} is not under mlops-${stage}`]),
        ]),
    ),
  'creates and manages KMS keys only through CloudFormation (aws:CalledVia)': (_stage, statements) => {
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    return ['kms:CreateKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKey'].flatMap((action) => {
      const resource = action === 'kms:CreateKey' ? '*' : key;
      if (!allows(statements, action, resource, viaCloudFormation)) return [`${action} not granted through CloudFormation`];
      return allows(statements, action, resource) ? [`${action} granted outside CloudFormation`] : [];
    });
  },
  'cannot escalate through IAM, pass a role to SageMaker, or change its own role': (stage, statements, _trust, roleName) => {
    const anyRole = `arn:aws:iam::${ACCOUNT}:role/mlops-${stage}-IngestRole-ABC123`;
    const own = `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
    return [
      ...ESCALATION.filter((a) => allows(statements, a, anyRole, viaCloudFormation) || allows(statements, a, '*', viaCloudFormation)).map((a) => `may ${a}`),
      ...(allows(statements, 'iam:PassRole', anyRole, { 'iam:PassedToService': 'sagemaker.amazonaws.com' }) ? ['passes roles to SageMaker'] : []),
      ...(allows(statements, 'iam:PassRole', anyRole) ? ['passes roles to any service'] : []),
      ...['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRole'].filter((a) => allows(statements, a, own, viaCloudFormation)).map((a) => `may ${a} on itself`),
    ];
  },
  "cannot touch the other stage's names": (stage, statements) => {
    const o = other(stage);
    const foreign = [
      ['cloudformation:ExecuteChangeSet', `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/mlops-${o}/0a1b2c3d`],
      ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/mlops-${o}-IngestRole-ABC123`],
      ['lambda:UpdateFunctionCode', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:mlops-${o}-mlops_ingest`],
      ['s3:PutBucketPolicy', `arn:aws:s3:::mlops-${o}-data-${ACCOUNT}-${REGION}`],
      ['s3:PutObject', `arn:aws:s3:::mlops-${o}-serverlessdeploymentbucket-abc/serverless/mlops/${o}/x.zip`],
      ['states:UpdateStateMachine', `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:mlops-${o}-pipeline`],
      ['sns:SetTopicAttributes', `arn:aws:sns:${REGION}:${ACCOUNT}:mlops-${o}-notifications`],
    ];
    return foreign.filter(([action, resource]) => allows(statements, action!, resource!, viaCloudFormation)).map(([action, resource]) => `may ${action} on ${resource}`);
  },
};

function violations(t: Expanded, c: Context = ctx): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const stage of STAGES) {
    const role = roleOf(stage, t, c);
    for (const [name, rule] of Object.entries(RULES)) {
      const found = rule(stage, statementsOf(stage, t, c), role.Properties.AssumeRolePolicyDocument.Statement, role.Properties.RoleName);
      if (found.length > 0) out[`${stage}: ${name}`] = found;
    }
  }
  return out;
}

describe('what the deploy roles may do', () => {
  it.each(Object.keys(RULES))('dev and prod: %s', (name) => {
    const found = violations(template);
    expect(Object.entries(found).filter(([key]) => key.endsWith(`: ${name}`))).toEqual([]);
  });

  it('the trust accepts this repository’s main branch (dev) and prod environment (prod), and no other token', () => {
    for (const stage of STAGES) {
      const trust = (roleOf(stage).Properties.AssumeRolePolicyDocument.Statement as Statement[]).map((t) => ({ ...t, Resource: '*' }));
      const token = (sub: string, aud = 'sts.amazonaws.com') => allows(trust, 'sts:AssumeRoleWithWebIdentity', '*', { 'token.actions.githubusercontent.com:aud': aud, 'token.actions.githubusercontent.com:sub': sub });
      expect(token(SUBJECT[stage])).toBe(true);
      expect(token(SUBJECT[stage], 'https://github.com/octo-org')).toBe(false);
      for (const sub of [`repo:${ORG}/${REPO}:pull_request`, `repo:${ORG}/${REPO}:ref:refs/heads/feature`, `repo:${ORG}/${REPO}:ref:refs/tags/v1.0.0`, `repo:fork-owner/${REPO}:ref:refs/heads/main`, `repo:${ORG}/${REPO}:environment:staging`, SUBJECT[other(stage)]]) {
        expect({ stage, sub, allowed: token(sub) }).toEqual({ stage, sub, allowed: false });
      }
    }
  });

  // Each rule catches the change it exists for: the suite cannot pass on a policy that breaks it.
  const text = readFileSync(ROLE_TEMPLATE, 'utf8');
  const mutations: [string, string, string, RegExp][] = [
    ['a wildcard action', '- lambda:GetFunctionConfiguration', '- lambda:Get*', /wildcard action lambda:Get\*/],
    ['an action on "*" that has a resource type', 'Action: cloudformation:ValidateTemplate', 'Action: [cloudformation:ValidateTemplate, iam:PassRole]', /iam:PassRole on "\*"/],
    ['a "*"-only action scoped to a name (it would not work)', 'Action: logs:DescribeLogGroups\n                    Resource: \'*\'', 'Action: logs:DescribeLogGroups\n                    Resource: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:mlops-${Stage}-*', /authorised on "\*" only/],
    ['a resource outside the stage', 'role/mlops-${Stage}-*\n                  # The stack hands', 'role/mlops-*\n                  # The stack hands', /is not under mlops-/],
    ['an action on a resource type it does not act on', '- sqs:ListQueueTags', '- sqs:ListQueueTags\n                      - sns:Publish', /sns:Publish does not act on arn:aws:sqs/],
    ['an unscoped trust subject', 'token.actions.githubusercontent.com:sub: !Sub', 'token.actions.githubusercontent.com:sub_unused: !Sub', /trust is/],
    ['a wildcard trust', 'StringEquals:\n                    token.actions.githubusercontent.com:aud', 'StringLike:\n                    token.actions.githubusercontent.com:aud', /trust is/],
    ['AttachRolePolicy', '- iam:TagRole', '- iam:TagRole\n                      - iam:AttachRolePolicy', /may iam:AttachRolePolicy/],
    ['PassRole to any service', "iam:PassedToService: [lambda.amazonaws.com, states.amazonaws.com, events.amazonaws.com, scheduler.amazonaws.com]", "iam:PassedToService: [lambda.amazonaws.com, states.amazonaws.com, events.amazonaws.com, scheduler.amazonaws.com, sagemaker.amazonaws.com]", /passes roles to SageMaker/],
    ['KMS outside CloudFormation', "kms:ScheduleKeyDeletion\n                    Resource: !Sub arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*\n                    Condition:\n                      ForAnyValue:StringEquals:\n                        aws:CalledVia: cloudformation.amazonaws.com", 'kms:ScheduleKeyDeletion\n                    Resource: !Sub arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*', /kms:ScheduleKeyDeletion granted outside CloudFormation/],
    ['the role named inside its own prefix', 'RoleName: !Sub mlops-github-deploy-${Stage}', 'RoleName: !Sub mlops-${Stage}-github-deploy', /may iam:PutRolePolicy on itself/],
  ];
  it.each(mutations)('fails on %s', (_name, from, to, expected) => {
    expect(text).toContain(from);
    const mutated = roleTemplate(text.replace(from, to));
    expect(Object.values(violations(mutated)).flat().join('\n')).toMatch(expected);
  });
});
