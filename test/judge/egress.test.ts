/**
 * The truth table of attribution (src/judge/egress.ts), cell by cell, on results shaped like the core's:
 * the judge is a pure function of what the vantages saw. test/system/egress-truth.test.ts makes each
 * case happen for real with nftables; this file pins every row of the table and its wording.
 */
import { describe, expect, it } from 'vitest';
import { attribute, job } from '../helpers/judge-kit.js';

const relay = job('relay', '192.0.2.10', 25);
const control25 = job('ctl.test', '192.0.2.20', 25, true);

describe('attribution: one verdict per vantage × port, with its evidence', () => {
  it('nothing on 25 answers from one vantage while a control answers elsewhere: egress-blocked, silently dropped', () => {
    const report = attribute([relay, control25], {
      runner: ['ok', 'ok'],
      'aws-lambda:eu-west-1': ['ok', 'ok'],
      'aws-lambda:us-east-1': ['timeout', 'timeout'],
    });
    expect(report.findings.map((f) => [f.vantage, f.rule, f.target, f.severity])).toEqual([
      ['aws-lambda:us-east-1', 'egress-blocked', 'relay', 'error'],
      ['aws-lambda:us-east-1', 'egress-blocked', 'ctl.test', 'warning'],
    ]);
    expect(report.findings[0]?.message).toBe(
      'port 25 is blocked from aws-lambda:us-east-1: nothing on it answers there (relay:25 timeout, control ctl.test:25 timeout) (silently dropped), while control ctl.test:25 answers from runner, aws-lambda:eu-west-1',
    );
    expect(report.findings[0]?.hint).toMatch(/^AWS blocks outbound port 25 from Lambda/);
    expect(report.findings[1]?.control).toBe(true);
  });

  it('the target drops one vantage while a control on the port answers from it: target-filtered', () => {
    const report = attribute([relay, control25], {
      runner: ['ok', 'ok'],
      'aws-lambda:us-east-1': ['timeout', 'ok'],
    });
    expect(report.findings.map((f) => [f.vantage, f.rule])).toEqual([
      ['aws-lambda:us-east-1', 'target-filtered'],
    ]);
    expect(report.findings[0]?.message).toBe(
      'relay:25 drops aws-lambda:us-east-1 (timeout) but answers from runner, and port 25 works from aws-lambda:us-east-1 (control ctl.test:25 answers): the target filters this vantage',
    );
  });

  it('a refusal is told apart from a drop: the target refuses, it is not a network block', () => {
    const report = attribute([relay, control25], {
      runner: ['ok', 'ok'],
      'aws-lambda:us-east-1': ['refused', 'ok'],
    });
    expect(report.findings.map((f) => f.rule)).toEqual(['target-filtered']);
    expect(report.findings[0]?.message).toMatch(/^relay:25 refuses aws-lambda:us-east-1 \(refused\)/);
    expect(report.findings[0]?.hint).toMatch(/refuses connections/);
  });

  it('an egress that rejects instead of dropping is still this network, and the message says it was a reject', () => {
    const report = attribute([relay, control25], {
      runner: ['ok', 'ok'],
      'aws-lambda:us-east-1': ['unreachable', 'unreachable'],
    });
    expect(report.findings.map((f) => f.rule)).toEqual(['egress-blocked', 'egress-blocked']);
    expect(report.findings[0]?.message).toMatch(/\(rejected, not dropped: a firewall on the path answers/);
  });

  it('no vantage reaches the target while the control answers everywhere: target-down, from each vantage', () => {
    const report = attribute([relay, control25], {
      runner: ['timeout', 'ok'],
      'aws-lambda:us-east-1': ['timeout', 'ok'],
    });
    expect(report.findings.map((f) => [f.vantage, f.rule])).toEqual([
      ['runner', 'target-down'],
      ['aws-lambda:us-east-1', 'target-down'],
    ]);
    expect(report.findings[0]?.message).toBe(
      'relay:25 answers from no vantage (runner: timeout, aws-lambda:us-east-1: timeout) while port 25 works from runner (control ctl.test:25 answers): the target is down, or drops every vantage tried',
    );
  });

  it('without a control on the port, a timeout from one vantage is inconclusive, naming what is missing', () => {
    const report = attribute([relay], { runner: ['ok'], 'aws-lambda:us-east-1': ['timeout'] });
    expect(report.findings.map((f) => [f.vantage, f.rule])).toEqual([
      ['aws-lambda:us-east-1', 'inconclusive'],
    ]);
    expect(report.findings[0]?.message).toMatch(
      /^relay:25 timeout from aws-lambda:us-east-1 but answers from runner; missing: there is no control on port 25/,
    );
    expect(report.findings[0]?.hint).toMatch(/`controls`/);
  });

  it('a control that answers from no vantage proves nothing: inconclusive for the target, and the control is down', () => {
    const report = attribute([relay, control25], {
      runner: ['ok', 'timeout'],
      'aws-lambda:us-east-1': ['timeout', 'timeout'],
    });
    const byTarget = report.findings.map((f) => [f.vantage, f.target, f.rule, f.severity]);
    expect(byTarget).toEqual([
      ['aws-lambda:us-east-1', 'relay', 'inconclusive', 'error'],
      ['runner', 'ctl.test', 'target-down', 'warning'],
      ['aws-lambda:us-east-1', 'ctl.test', 'inconclusive', 'warning'],
    ]);
    expect(report.findings[0]?.message).toMatch(
      /controls on port 25 \(control ctl\.test:25\) answer from no vantage/,
    );
  });

  it('one vantage and no control keeps the guess, and its hint says how to prove it', () => {
    const report = attribute([relay], { runner: ['timeout'] }, 'github-hosted');
    expect(report.findings.map((f) => f.rule)).toEqual(['egress-blocked-likely']);
    expect(report.findings[0]?.hint).toMatch(/add a control on port 25 \(`controls`\) or another vantage/);
  });

  it('the runner is named for what it is, and its platform policy is the hint', () => {
    const report = attribute(
      [relay, control25],
      { runner: ['timeout', 'timeout'], 'aws-lambda:eu-west-1': ['ok', 'ok'] },
      'github-hosted',
    );
    expect(report.findings[0]?.message).toMatch(/^port 25 is blocked from GitHub-hosted runners:/);
    expect(report.findings[0]?.hint).toMatch(/^GitHub-hosted runners run in Azure/);
    expect(report.recommendations.find((r) => r.vantage === 'runner')?.reason).toMatch(
      /^nothing is reachable from GitHub-hosted runners/,
    );
  });

  it('controls are reported but never recommended, and alone fail nothing at fail-on error', () => {
    const report = attribute([relay, control25], {
      runner: ['ok', 'ok'],
      'aws-lambda:us-east-1': ['ok', 'timeout'],
    });
    expect(report.results.filter((r) => r.control).map((r) => [r.vantage, r.status])).toEqual([
      ['runner', 'ok'],
      ['aws-lambda:us-east-1', 'timeout'],
    ]);
    expect(report.recommendations.map((r) => r.target)).toEqual(['relay', 'relay']);
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([['target-filtered', 'warning']]);
    expect(report.verdict.pass).toBe(true);
  });
});
