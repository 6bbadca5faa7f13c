import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/plan/config.js';
import { parseTargetSpec } from '../../src/plan/targets.js';
import { usageError } from '../helpers/usage-error.js';

// A password no message has any reason to contain; also checked in its percent-encoded form.
const CANARY = 'Kanari-7f3e9c';
const ENCODED = 'Kanari%2D7f3e9c';

function expectNoCanary(text: string): void {
  expect(text).not.toContain(CANARY);
  expect(text).not.toContain(ENCODED);
  expect(text).not.toContain('7f3e9c');
}

describe('a password never appears in a message or a display string', () => {
  it('display shows **** where the user name and the password were, however they were written', () => {
    for (const spec of [
      `smtp://apikey:${CANARY}@smtp.example.com:2525`,
      `smtps://apikey:${ENCODED}@smtp.example.com`,
      `smtp://apikey:${CANARY}@pw@smtp.example.com`,
    ]) {
      const parsed = parseTargetSpec(spec, 'target');
      expect(parsed.auth?.password).toMatch(/^Kanari-7f3e9c/);
      expectNoCanary(parsed.display);
      expect(parsed.display).toContain('//****:****@smtp.example.com');
      expect(parsed.display).not.toContain('apikey');
    }
  });

  it.each([
    `smtp://user:${CANARY}@smtp.example.com:0`,
    `smtp://user:${CANARY}@smtp.example.com/path`,
    `smtp://user:${CANARY}@smtp..example.com`,
    `smtp://user:${CANARY}@[::1`,
    `smtp://user:${CANARY}@`,
    `smtp://user:Kanari/7f3e9c@smtp.example.com`,
    `smtp://user:Kanari 7f3e9c@smtp.example.com`,
    `smtp://user:${CANARY}%zz@smtp.example.com`,
    `ftp://user:${CANARY}@smtp.example.com`,
    `user:${CANARY}@smtp.example.com:587`,
    `mx:user:${CANARY}@example.com`,
    `smtp://${CANARY}@smtp.example.com`,
  ])('a bad target %#', (spec) => {
    // The caller builds its source from display, never from the raw spec.
    const error = usageError(() => parseTargetSpec(spec, '--targets line 1'));
    expectNoCanary(error.message);
    expectNoCanary(String(error));
  });

  it('a bad URL target in a config file', () => {
    const text = `targets:\n  - "smtp://user:${CANARY}@smtp.example.com:70000"\n`;
    const error = usageError(() => parseConfig(text, 'smtp-probe.yml', {}));
    expect(error.source).toBe('smtp-probe.yml:2:5');
    expectNoCanary(error.message);
  });

  it('a YAML syntax error on the line that holds the URL', () => {
    const text = `targets:\n  - smtp://user:${CANARY}@smtp.example.com : port: 25\n`;
    const error = usageError(() => parseConfig(text, 'smtp-probe.yml', {}));
    expect(error.message).toContain('invalid YAML');
    expectNoCanary(error.message);
  });

  it('a password from the environment, with a mistake elsewhere in the same target', () => {
    const text = [
      'targets:',
      '  - host: smtp.example.com',
      '    username_env: SMTP_USER',
      '    password_env: SMTP_PASS',
      '    envelope: { from: not-a-mailbox }',
      '',
    ].join('\n');
    const env = { SMTP_USER: 'apikey', SMTP_PASS: CANARY };
    const error = usageError(() => parseConfig(text, 'smtp-probe.yml', env));
    expect(error.source).toBe('smtp-probe.yml:5:23');
    expectNoCanary(error.message);
  });

  it('a password from the environment that holds a line break is refused by name, not by value', () => {
    const text = 'targets:\n  - host: smtp.example.com\n    username_env: U\n    password_env: P\n';
    const error = usageError(() =>
      parseConfig(text, 'smtp-probe.yml', { U: 'apikey', P: `${CANARY}\r\nQUIT` }),
    );
    expect(error.message).toBe(
      'smtp-probe.yml:4:19: targets[0].password_env: environment variable P contains a line break or NUL',
    );
  });
});
