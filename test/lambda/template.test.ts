/**
 * lambda/template.yaml read as CloudFormation reads it (the `yaml` package with CloudFormation's short
 * intrinsic tags), its IAM statements evaluated for the ARNs a caller invokes, and the README's deploy
 * guide and workflow held to what the template really creates.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { engineNodeMajors, lambdaNodeMajor } from '../helpers/node-runtime.js';

/** CloudFormation's short-form intrinsics, read as `{ Fn: args }` so the structure can be checked. */
const FUNCTIONS = [
  'Ref',
  'GetAtt',
  'Sub',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Select',
  'GetAZs',
  'Cidr',
  'Join',
  'Condition',
];
const intrinsics: Tags = FUNCTIONS.flatMap(
  (name) =>
    (['scalar', 'seq'] as const).map((nodeClass) => ({
      tag: `!${name}`,
      collection: nodeClass === 'seq' ? 'seq' : undefined,
      resolve: (value: unknown) => ({ [name]: (value as { toJSON?: () => unknown }).toJSON?.() ?? value }),
    })) as never,
);

interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
}
interface Template {
  Parameters: Record<
    string,
    { Default?: string | number; AllowedPattern?: string; AllowedValues?: unknown[] }
  >;
  Conditions: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Condition?: string }>;
}

const root = new URL('../../', import.meta.url);
const template = parse(readFileSync(new URL('lambda/template.yaml', root), 'utf8'), {
  customTags: intrinsics,
}) as Template;
const readme = readFileSync(new URL('README.md', root), 'utf8');
const resource = (name: string) => template.Resources[name] as Resource;
const props = (name: string) => resource(name).Properties;

/** `!Sub` with the stack's parameters and pseudo parameters. */
function sub(value: unknown, params: Record<string, string>): string {
  const text = (value as { Sub: string }).Sub;
  return text.replace(/\$\{([\w:]+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for \${${name}} in ${text}`);
    return params[name] as string;
  });
}

/** Does an IAM Resource pattern (`*` and `?` wildcards) match this ARN? */
const iamMatches = (pattern: string, arn: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(arn);

const defaults = () =>
  Object.fromEntries(
    Object.entries(template.Parameters)
      .filter(([, p]) => p.Default !== undefined)
      .map(([name, p]) => [name, String(p.Default)]),
  );

/** The actions the invoke role's policy allows on an ARN, for a stack in this account with these parameters. */
function allowed(arn: string, overrides: Record<string, string> = {}): string[] {
  const params = {
    ...defaults(),
    GitHubRepository: 'acme/shop',
    ...overrides,
    'AWS::Partition': 'aws',
    'AWS::AccountId': overrides['AWS::AccountId'] ?? '123456789012',
  };
  const statements = (
    props('InvokeRole').Policies as Array<{
      PolicyDocument: { Statement: Array<{ Effect: string; Action: string[]; Resource: unknown[] }> };
    }>
  ).flatMap((p) => p.PolicyDocument.Statement);
  return statements
    .filter((s) => s.Effect === 'Allow' && s.Resource.some((r) => iamMatches(sub(r, params), arn)))
    .flatMap((s) => s.Action)
    .sort();
}

describe('the SAM template', () => {
  it('deploys the bundled handler, named, on the runtime the toolchain tests, with source maps on and a Function URL with IAM auth', () => {
    const fn = props('ProbeFunction');
    expect(fn).toMatchObject({
      FunctionName: { Ref: 'FunctionName' },
      Handler: 'index.handler',
      Runtime: `nodejs${lambdaNodeMajor()}.x`,
      Architectures: ['arm64'],
      FunctionUrlConfig: { AuthType: 'AWS_IAM' },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
    // One value: the runtime test/toolchain runs the bundle on is the one deployed, and a maintained one.
    expect(engineNodeMajors()).toContain(lambdaNodeMajor());
    expect(template.Parameters.FunctionName?.Default).toBe('smtp-port-probe');
    // scripts/package-lambda.mjs zips every file of dist/lambda: the map travels beside the bundle.
    expect(existsSync(new URL('dist/lambda/index.js.map', root))).toBe(true);
    expect(readFileSync(new URL('dist/lambda/index.js', root), 'utf8').trimEnd()).toMatch(
      /\/\/# sourceMappingURL=index\.js\.map$/,
    );
    expect(fn.Timeout).toBeGreaterThan(5);
  });

  it('one invoke role, created once per account, may invoke that function name in every region, with both actions', () => {
    expect(resource('InvokeRole').Condition).toBe('CreateRole');
    expect(template.Conditions.CreateRole).toEqual({ Equals: [{ Ref: 'CreateInvokeRole' }, 'true'] });
    expect(props('InvokeRole').RoleName).toEqual({ Ref: 'InvokeRoleName' });
    expect(template.Outputs.InvokeRoleArn?.Condition).toBe('CreateRole');
    const both = ['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl'];
    for (const region of ['eu-west-1', 'us-east-1', 'ap-southeast-2']) {
      expect(allowed(`arn:aws:lambda:${region}:123456789012:function:smtp-port-probe`)).toEqual(both);
      expect(allowed(`arn:aws:lambda:${region}:123456789012:function:smtp-port-probe:live`)).toEqual(both);
    }
    expect(allowed('arn:aws:lambda:eu-west-1:123456789012:function:smtp-port-probe-other')).toEqual([]);
    expect(allowed('arn:aws:lambda:eu-west-1:999999999999:function:smtp-port-probe')).toEqual([]);
    expect(allowed('arn:aws:lambda:eu-west-1:123456789012:function:payments')).toEqual([]);
  });

  it("trusts one repository's branch, tag pattern or environment through GitHub's OIDC provider, never the whole repository", () => {
    const [trust] = (
      props('InvokeRole').AssumeRolePolicyDocument as {
        Statement: Array<{ Action: string; Condition: Record<string, Record<string, unknown>> }>;
      }
    ).Statement;
    expect(trust?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust?.Condition).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's !Sub syntax, not a JS template
        'token.actions.githubusercontent.com:sub': { Sub: 'repo:${GitHubRepository}:${GitHubSubject}' },
      },
    });
    const subject = template.Parameters.GitHubSubject;
    expect(subject?.Default).toBe('ref:refs/heads/main');
    const pattern = new RegExp(subject?.AllowedPattern ?? '');
    for (const ok of [
      'ref:refs/heads/main',
      'ref:refs/heads/release/2026',
      'ref:refs/tags/v*',
      'environment:production',
    ])
      expect(pattern.test(ok), ok).toBe(true);
    for (const bad of ['*', 'ref:*', 'ref:refs/heads/*', 'environment:*', 'pull_request', ''])
      expect(pattern.test(bad), bad).toBe(false);
    expect(resource('GitHubOidcProvider').Condition).toBe('CreateOidcProvider');
  });

  it('keeps the log for LogRetentionDays and can reserve (and cap) concurrency', () => {
    expect(props('ProbeLogGroup')).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's !Sub syntax
      LogGroupName: { Sub: '/aws/lambda/${FunctionName}' },
      RetentionInDays: { Ref: 'LogRetentionDays' },
    });
    expect(template.Parameters.LogRetentionDays?.Default).toBe(30);
    expect(props('ProbeFunction').LoggingConfig).toEqual({
      LogGroup: { Ref: 'ProbeLogGroup' },
      LogFormat: 'JSON',
    });
    expect(props('ProbeFunction').ReservedConcurrentExecutions).toEqual({
      If: ['HasReservedConcurrency', { Ref: 'ReservedConcurrency' }, { Ref: 'AWS::NoValue' }],
    });
  });

  it('port 25 through a NAT gateway is a parameter: the function in a private subnet whose default route is the NAT', () => {
    expect(template.Parameters.Port25Egress?.AllowedValues).toEqual(['blocked', 'nat']);
    expect(template.Parameters.Port25Egress?.Default).toBe('blocked');
    expect(props('ProbeFunction').VpcConfig).toEqual({
      If: [
        'UseNat',
        { SubnetIds: [{ Ref: 'PrivateSubnet' }], SecurityGroupIds: [{ Ref: 'ProbeSecurityGroup' }] },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(props('PrivateDefaultRoute')).toMatchObject({
      RouteTableId: { Ref: 'PrivateRouteTable' },
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: { Ref: 'NatGateway' },
    });
    expect(props('PrivateSubnetRoutes')).toEqual({
      SubnetId: { Ref: 'PrivateSubnet' },
      RouteTableId: { Ref: 'PrivateRouteTable' },
    });
    expect(props('NatGateway')).toEqual({
      SubnetId: { Ref: 'PublicSubnet' },
      AllocationId: {
        If: ['CreateNatEip', { GetAtt: 'NatEip.AllocationId' }, { Ref: 'NatEipAllocationId' }],
      },
    });
    expect(props('PublicDefaultRoute')).toMatchObject({ GatewayId: { Ref: 'InternetGateway' } });
    const vpcPart = Object.entries(template.Resources).filter(([, r]) => r.Type.startsWith('AWS::EC2::'));
    expect(vpcPart.length).toBeGreaterThanOrEqual(10);
    for (const [name, r] of vpcPart)
      expect([name, r.Condition]).toEqual([name, expect.stringMatching(/^(UseNat|CreateNatEip)$/)]);
    expect(props('ProbeExecutionRole').ManagedPolicyArns).toContainEqual({
      If: [
        'UseNat',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's !Sub syntax
        { Sub: 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole' },
        { Ref: 'AWS::NoValue' },
      ],
    });
  });
});

interface Workflow {
  name?: string;
  on: unknown;
  permissions?: Record<string, string>;
  steps: Array<{ uses?: string; with?: Record<string, unknown> }>;
}

/** The README's complete workflows (as .ci/readme-workflows.mjs extracts them for actionlint), steps flattened. */
function readmeWorkflows(): Workflow[] {
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map(
      (m) =>
        parse(m[1] as string) as {
          name?: string;
          on?: unknown;
          permissions?: Record<string, string>;
          jobs?: object;
        },
    )
    .filter((w) => w.on !== undefined && w.jobs !== undefined)
    .map((w) => ({
      ...(w.name ? { name: w.name } : {}),
      on: w.on,
      ...(w.permissions ? { permissions: w.permissions } : {}),
      steps: Object.values(w.jobs as Record<string, { steps?: Workflow['steps'] }>).flatMap(
        (j) => j.steps ?? [],
      ),
    }));
}

/** Every `sam deploy` command of the README: region and parameter overrides. */
function samDeploys(): Array<{ text: string; region: string; overrides: Record<string, string> }> {
  const commands = [...readme.matchAll(/^sam deploy (?:.*\\\n)*.*$/gm)].map((m) =>
    m[0].replace(/\\\n\s*/g, ' '),
  );
  return commands.map((text) => {
    const overrides = /--parameter-overrides ((?:\S+=\S+ ?)+)/.exec(text)?.[1] ?? '';
    return {
      text,
      region: /--region (\S+)/.exec(text)?.[1] ?? '',
      overrides: Object.fromEntries(
        overrides
          .trim()
          .split(/\s+/)
          .map((kv) => kv.split('=') as [string, string]),
      ),
    };
  });
}

describe("the README's AWS guide", () => {
  it('deploys the template once per region: the first creates the invoke role, the others do not', () => {
    const deploys = samDeploys();
    expect(deploys.length).toBeGreaterThanOrEqual(2);
    for (const d of deploys) {
      expect(d.text).toContain('--template-file lambda/template.yaml');
      expect(d.text).toContain('--capabilities CAPABILITY_NAMED_IAM');
      for (const key of Object.keys(d.overrides)) expect(Object.keys(template.Parameters)).toContain(key);
      expect(d.overrides.GitHubRepository).toMatch(
        new RegExp(template.Parameters.GitHubRepository?.AllowedPattern ?? ''),
      );
    }
    const creating = deploys.filter((d) => (d.overrides.CreateInvokeRole ?? 'true') === 'true');
    expect(creating.map((d) => d.region)).toEqual([deploys[0]?.region]);
    expect(new Set(deploys.map((d) => d.region)).size).toBe(deploys.length);
  });

  it('the multi-region workflow assumes the role the template creates and invokes the functions it names, each allowed', () => {
    const deploys = samDeploys();
    const names = { ...defaults(), ...deploys[0]?.overrides };
    // The deploy guide's workflow (others, like the scheduled watch, assume the same role).
    const aws = readmeWorkflows().filter((w) =>
      w.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')),
    );
    const workflow = aws.find((w) => w.name === 'SMTP from production regions');
    for (const other of aws) {
      const assumed = other.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect(String(assumed?.with?.['role-to-assume'])).toMatch(new RegExp(`:role/${names.InvokeRoleName}$`));
    }
    expect(workflow).toBeDefined();
    const credentials = workflow?.steps.find((s) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    const role = /^arn:aws:iam::(\d{12}):role\/(\S+)$/.exec(String(credentials?.with?.['role-to-assume']));
    expect(role?.[2]).toBe(names.InvokeRoleName);
    const vantages = String(workflow?.steps.find((s) => s.with?.vantages)?.with?.vantages)
      .split('\n')
      .filter((v) => v.startsWith('aws-lambda:'))
      .map((v) => v.split(':'));
    expect(vantages.length).toBeGreaterThanOrEqual(2);
    for (const [, region = '', name = ''] of vantages) {
      expect(name).toBe(names.FunctionName);
      expect(deploys.map((d) => d.region)).toContain(region);
      const arn = `arn:aws:lambda:${region}:${role?.[1]}:function:${name}`;
      expect(allowed(arn, { ...deploys[0]?.overrides, 'AWS::AccountId': role?.[1] as string })).toEqual([
        'lambda:InvokeFunction',
        'lambda:InvokeFunctionUrl',
      ]);
    }
    // The workflow runs where the role's default subject (ref:refs/heads/main) lets it assume the role.
    expect(names.GitHubSubject).toBe('ref:refs/heads/main');
    expect(workflow?.on).toEqual({ push: { branches: ['main'] } });
    expect(workflow?.permissions).toMatchObject({ 'id-token': 'write' });
  });
});
