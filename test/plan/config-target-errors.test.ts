import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/plan/config.js';
import { usageError } from '../helpers/usage-error.js';

const FILE = 'smtp-probe.yml';
const ENV = { MJ_USER: 'mailjet-user', MJ_PASS: 'mailjet-pass', EMPTY: '' };

/** Lines joined with newlines, so that each case reads like the file it stands for. */
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
/** A file with one target, `smtp.example.com`, and these lines under it. */
const target = (...lines: string[]): string => yaml('targets:', '  - host: smtp.example.com', ...lines);

describe('a mistake in a target is one UsageError at the node to fix', () => {
  it.each([
    // Targets
    [
      'a bad port in a target string',
      yaml('targets:', '  - smtp.example.com:0'),
      '2:5',
      'targets[0]: invalid port "0"',
    ],
    [
      'an unknown scheme',
      yaml('targets:', '  - a.example.com', '  - ftp://smtp.example.com'),
      '3:5',
      'targets[1]: unknown scheme "ftp://"',
    ],
    [
      'a number as a target',
      yaml('targets:', '  - 25'),
      '2:5',
      'targets[0]: expected a target such as smtp.example.com:587, or a mapping with host and ports, got 25',
    ],
    [
      'a typo in a target',
      target('    prots: [25]'),
      '3:5',
      'targets[0]: unknown key "prots" (did you mean "ports"?)',
    ],
    [
      'neither host nor mx',
      yaml('targets:', '  - name: relay', '    ports: [25]'),
      '2:5',
      'targets[0].host: missing',
    ],
    [
      'both host and mx',
      target('    mx: example.com'),
      '3:9',
      'targets[0].mx: give either host or mx, not both',
    ],
    [
      'an empty host',
      yaml('targets:', '  - host:'),
      '2:5',
      'targets[0].host: expected a host name or IP address, got an empty value',
    ],
    [
      'a host with a port',
      yaml('targets:', '  - host: smtp.example.com:587'),
      '2:11',
      'targets[0].host: host "smtp.example.com:587" includes a port',
    ],
    [
      'an invalid host',
      yaml('targets:', '  - host: smtp..example.com'),
      '2:11',
      'host "smtp..example.com" is neither a host name nor an IP address',
    ],
    [
      'an IP for mx',
      yaml('targets:', '  - mx: 192.0.2.1'),
      '2:9',
      'targets[0].mx: an mx target needs a domain name, got the address "192.0.2.1"',
    ],
    [
      'ports with mx',
      yaml('targets:', '  - mx: example.com', '    ports: [25]'),
      '3:12',
      'targets[0].ports: an mx target always probes port 25',
    ],
    ['an empty name', target('    name: ""'), '3:11', 'targets[0].name: expected a name, got ""'],
    [
      'a target mode',
      target('    mode: SSL'),
      '3:11',
      'targets[0].mode: expected one of starttls, tls, plain, got "SSL"',
    ],
    [
      'require',
      target('    require: most'),
      '3:14',
      'targets[0].require: expected one of all, any, got "most"',
    ],
    // YAML reads brackets as a list, and `host: port` as a mapping
    [
      'an unquoted [IPv6]:port',
      yaml('targets:', '  - [2001:db8::1]:587'),
      '2:18',
      'quote a bracketed IPv6 address, as in "[2001:db8::1]:587"',
    ],
    [
      'an unquoted [IPv6]',
      yaml('targets:', '  - [2001:db8::1]'),
      '2:5',
      'targets[0]: expected a target such as smtp.example.com:587, or a mapping with host and ports, got a list (YAML reads [...] as a list',
    ],
    [
      'an unquoted [IPv6] host',
      yaml('targets:', '  - host: [2001:db8::1]'),
      '2:11',
      'targets[0].host: expected a host name or IP address, got a list (YAML reads [...]',
    ],
    [
      'a space after host:',
      yaml('targets:', '  - smtp.example.com: 587'),
      '2:5',
      'targets[0]: unknown key "smtp.example.com": to give a target as text, write host:port with no space',
    ],
    // Ports
    [
      'port 0',
      target('    ports: [25, 0]'),
      '3:17',
      'targets[0].ports[1]: expected a port number from 1 to 65535, got 0',
    ],
    [
      'port 65536',
      target('    ports: [65536]'),
      '3:13',
      'targets[0].ports[0]: expected a port number from 1 to 65535, got 65536',
    ],
    [
      'a port as a word',
      target('    ports: [smtp]'),
      '3:13',
      'targets[0].ports[0]: expected a port number or a mapping with port, mode, expect, got "smtp"',
    ],
    [
      'a port listed twice with different settings',
      target('    ports: [587, 2525, { port: 587, mode: tls }]'),
      '3:24',
      'targets[0].ports[2]: port 587 is listed twice with different settings',
    ],
    [
      'no ports at all',
      target('    ports: []'),
      '3:12',
      'targets[0].ports: expected at least one port, got an empty list',
    ],
    [
      'a port mapping without port',
      target('    ports:', '      - mode: tls'),
      '4:9',
      'targets[0].ports[0].port: missing, expected a port number',
    ],
    [
      'a port mode',
      target('    ports:', '      - port: 465', '        mode: ssl'),
      '5:15',
      'targets[0].ports[0].mode: expected one of starttls, tls, plain, got "ssl"',
    ],
    // Credentials by environment variable: named, never shown
    [
      'username_env alone',
      target('    username_env: MJ_USER'),
      '2:5',
      'targets[0].password_env: missing: username_env and password_env go together',
    ],
    [
      'an unset variable',
      target('    username_env: MJ_USER', '    password_env: MJ_PASSWORD'),
      '4:19',
      'targets[0].password_env: environment variable MJ_PASSWORD is not set or is empty',
    ],
    [
      'an empty variable',
      target('    username_env: EMPTY', '    password_env: MJ_PASS'),
      '3:19',
      'targets[0].username_env: environment variable EMPTY is not set or is empty',
    ],
    [
      'a variable name with a dash',
      target('    username_env: MJ-USER', '    password_env: MJ_PASS'),
      '3:19',
      'targets[0].username_env: is not an environment variable name (letters, digits, _); the value is not shown',
    ],
    // Envelope and expectations
    [
      'an envelope sender',
      target('    envelope: { from: app }'),
      '3:23',
      'targets[0].envelope.from: expected a mail address like app@example.com, got "app"',
    ],
    [
      'an envelope without from',
      target('    envelope: { to: ops@example.com }'),
      '3:15',
      'targets[0].envelope.from: missing',
    ],
    [
      'expect.tls',
      target('    expect: { tls: maybe }'),
      '3:20',
      'targets[0].expect.tls: expected one of required, optional, none, got "maybe"',
    ],
    [
      'expect.reachable',
      target('    expect: { reachable: "yes" }'),
      '3:26',
      'targets[0].expect.reachable: expected true or false, got "yes"',
    ],
    [
      'expect.auth',
      target('    expect: { auth: required }'),
      '3:21',
      'targets[0].expect.auth: expected ok, got "required"',
    ],
    [
      'expect.max_latency',
      target('    expect: { max_latency: fast }'),
      '3:28',
      'targets[0].expect.max_latency: invalid duration "fast"',
    ],
    [
      'an invalid banner regex',
      target('    expect:', '      banner: "(ESMTP"'),
      '4:15',
      'targets[0].expect.banner: invalid regular expression "(ESMTP": Unterminated group',
    ],
    [
      'a port expect',
      target('    ports:', '      - port: 465', '        expect: { min_tls: SSLv3 }'),
      '5:28',
      'targets[0].ports[0].expect.min_tls: expected one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, got "SSLv3"',
    ],
  ])('%s', (_story, text, where, says) => {
    const error = usageError(() => parseConfig(text, FILE, ENV));
    expect(error.source).toBe(`${FILE}:${where}`);
    expect(error.message.startsWith(`${FILE}:${where}: `)).toBe(true);
    expect(error.message).toContain(says);
    expect(error.message).not.toMatch(/\n|\bat \w+ \(|"code":|invalid_type|ZodError/);
  });
});
