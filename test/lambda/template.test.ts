import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';

/** CloudFormation's short-form intrinsics, read as `{ Fn: [args] }` so the structure can be checked. */
const intrinsics: Tags = ['Ref', 'GetAtt', 'Sub', 'If', 'Equals'].flatMap(
  (name) =>
    (['scalar', 'seq'] as const).map((nodeClass) => ({
      tag: `!${name}`,
      collection: nodeClass === 'seq' ? 'seq' : undefined,
      resolve: (value: unknown) => ({ [name]: (value as { toJSON?: () => unknown }).toJSON?.() ?? value }),
    })) as never,
);

const template = parse(await readFile(new URL('../../lambda/template.yaml', import.meta.url), 'utf8'), {
  customTags: intrinsics,
}) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

describe('the SAM template', () => {
  it('deploys the bundled handler on Node 22, arm64, behind a Function URL with IAM auth', () => {
    const fn = template.Resources.ProbeFunction?.Properties;
    expect(fn).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      FunctionUrlConfig: { AuthType: 'AWS_IAM' },
    });
    expect(fn?.Timeout).toBeGreaterThan(5);
  });

  it('lets only one repository assume the role, and the role only invoke this function', () => {
    const role = template.Resources.InvokeRole?.Properties as {
      AssumeRolePolicyDocument: {
        Statement: Array<{ Action: string; Condition: Record<string, Record<string, unknown>> }>;
      };
      Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }>;
    };
    const [trust] = role.AssumeRolePolicyDocument.Statement;
    expect(trust?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust?.Condition.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
    });
    expect(trust?.Condition.StringLike).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's !Sub syntax, not a JS template
      'token.actions.githubusercontent.com:sub': { Sub: 'repo:${GitHubRepository}:*' },
    });
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl'],
        Resource: { GetAtt: 'ProbeFunction.Arn' },
      },
    ]);
  });
});
