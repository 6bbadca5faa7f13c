import { describe, expect, it } from 'vitest';
import {
  parseHost,
  parsePortList,
  parseTargetSpec,
  redactCredentials,
  toTargetPlan,
} from '../../src/plan/targets.js';
import { usageError } from '../helpers/usage-error.js';

const DEFAULT_PORT_MODES = [
  { port: 25, mode: 'starttls', explicit: false },
  { port: 465, mode: 'tls', explicit: false },
  { port: 587, mode: 'starttls', explicit: false },
  { port: 2525, mode: 'starttls', explicit: false },
];

describe('target syntax: every form', () => {
  it('a bare host is probed on 25, 465, 587 and 2525, implicit TLS on 465 only', () => {
    expect(parseTargetSpec('smtp.example.com', 'target')).toEqual({
      host: 'smtp.example.com',
      mx: false,
      ports: DEFAULT_PORT_MODES,
      display: 'smtp.example.com',
    });
  });

  it.each([
    ['smtp.example.com:587', 'smtp.example.com', [{ port: 587, mode: 'starttls', explicit: false }]],
    ['smtp.example.com:465', 'smtp.example.com', [{ port: 465, mode: 'tls', explicit: false }]],
    [
      'smtp.example.com:25,465,587',
      'smtp.example.com',
      [
        { port: 25, mode: 'starttls', explicit: false },
        { port: 465, mode: 'tls', explicit: false },
        { port: 587, mode: 'starttls', explicit: false },
      ],
    ],
    ['192.0.2.10:2525', '192.0.2.10', [{ port: 2525, mode: 'starttls', explicit: false }]],
    ['[2001:db8::1]:587', '2001:db8::1', [{ port: 587, mode: 'starttls', explicit: false }]],
    ['[2001:db8::1]', '2001:db8::1', DEFAULT_PORT_MODES],
    ['2001:db8::1', '2001:db8::1', DEFAULT_PORT_MODES],
    ['smtp://smtp.example.com:2525', 'smtp.example.com', [{ port: 2525, mode: 'starttls', explicit: false }]],
    ['smtp://smtp.example.com', 'smtp.example.com', [{ port: 587, mode: 'starttls', explicit: false }]],
    ['smtp://smtp.example.com/', 'smtp.example.com', [{ port: 587, mode: 'starttls', explicit: false }]],
    ['SMTP://smtp.example.com', 'smtp.example.com', [{ port: 587, mode: 'starttls', explicit: false }]],
    ['smtps://smtp.example.com', 'smtp.example.com', [{ port: 465, mode: 'tls', explicit: true }]],
    ['smtps://smtp.example.com:2465', 'smtp.example.com', [{ port: 2465, mode: 'tls', explicit: true }]],
    ['smtp://[::1]:25', '::1', [{ port: 25, mode: 'starttls', explicit: false }]],
  ])('%s → host %s with its ports', (spec, host, ports) => {
    expect(parseTargetSpec(spec, 'target')).toEqual({ host, mx: false, ports, display: spec });
  });

  it('mx:example.com probes port 25 with STARTTLS on each MX host, resolved later', () => {
    expect(parseTargetSpec('mx:example.com', 'target')).toEqual({
      host: 'example.com',
      mx: true,
      ports: [{ port: 25, mode: 'starttls', explicit: false }],
      display: 'mx:example.com',
    });
  });

  it('URL credentials are percent-decoded into auth; display shows **** for the user name and the password', () => {
    expect(parseTargetSpec('smtp://apikey:s%40cr%3At@smtp.example.com:2525', 'target')).toEqual({
      host: 'smtp.example.com',
      mx: false,
      ports: [{ port: 2525, mode: 'starttls', explicit: false }],
      auth: { username: 'apikey', password: 's@cr:t' },
      display: 'smtp://****:****@smtp.example.com:2525',
    });
  });

  it('an unencoded @ in the password still parses, and the whole password is hidden', () => {
    const spec = parseTargetSpec('smtps://user%40example.com:p@ss@smtp.example.com', 'target');
    expect(spec.auth).toEqual({ username: 'user@example.com', password: 'p@ss' });
    expect(spec.display).toBe('smtps://****:****@smtp.example.com');
  });
});

describe('target syntax: defaults from the caller', () => {
  it('a bare host takes the caller’s ports; an explicit port list wins', () => {
    const defaults = { ports: [587, 2525] };
    expect(parseTargetSpec('smtp.example.com', 't', defaults).ports).toEqual([
      { port: 587, mode: 'starttls', explicit: false },
      { port: 2525, mode: 'starttls', explicit: false },
    ]);
    expect(parseTargetSpec('smtp.example.com:25', 't', defaults).ports).toEqual([
      { port: 25, mode: 'starttls', explicit: false },
    ]);
  });

  it('the caller’s mode applies to every port, but smtps:// always means implicit TLS', () => {
    expect(parseTargetSpec('smtp.example.com:465,587', 't', { mode: 'plain' }).ports).toEqual([
      { port: 465, mode: 'plain', explicit: true },
      { port: 587, mode: 'plain', explicit: true },
    ]);
    expect(parseTargetSpec('smtps://smtp.example.com', 't', { mode: 'plain' }).ports).toEqual([
      { port: 465, mode: 'tls', explicit: true },
    ]);
  });
});

describe('target syntax: mistakes name the bad value and where it came from', () => {
  it.each([
    ['smtp.example.com:0', 'invalid port "0"'],
    ['smtp.example.com:65536', 'invalid port "65536"'],
    ['smtp.example.com:abc', 'invalid port "abc"'],
    ['smtp.example.com:+25', 'invalid port "+25"'],
    ['smtp.example.com:25,,587', 'empty entry in port list "25,,587"'],
    ['', 'empty target'],
    [':587', 'missing host in ":587"'],
    ['smtp.example.com:', 'missing port after ":" in "smtp.example.com:"'],
    ['smtp.example.com :587', 'target "smtp.example.com :587" contains whitespace'],
    ['ftp://smtp.example.com', 'unknown scheme "ftp://"'],
    ['https://smtp.example.com', 'unknown scheme "https://"'],
    ['smtp://smtp.example.com:587/submit', 'no path or query, got "/submit"'],
    ['smtp://smtp.example.com?tls=1', 'no path or query, got "?tls=1"'],
    ['smtp://smtp.example.com:25,587', 'takes one port, got "25,587"'],
    ['smtp://smtp.example.com:0', 'invalid port "0"'],
    ['smtp://', 'missing host in "smtp://"'],
    ['smtp://user@smtp.example.com', 'user name without a password in "smtp://****@smtp.example.com"'],
    ['smtp://:pw@smtp.example.com', 'empty user name in "smtp://:****@smtp.example.com"'],
    ['smtp://user:@smtp.example.com', 'empty password in "smtp://****:@smtp.example.com"'],
    ['smtp://user:%zz@smtp.example.com', 'malformed percent-encoding in the password'],
    ['mx:', '"mx:" needs a domain'],
    ['mx:example.com:25', 'port "25" after an mx domain'],
    ['mx:192.0.2.1', 'got the address "192.0.2.1"'],
    ['[::1', 'unbalanced "[" in "[::1"'],
    ['::1]:25', 'unbalanced "]" in "::1]:25"'],
    ['[example.com]:25', '"[example.com]" is not an IPv6 address'],
    ['[::1]587', 'unexpected "587" after "]"'],
    ['2001:db8::zz', '"2001:db8::zz" is neither host:port nor an IPv6 address'],
    ['exa_mple..com', 'host "exa_mple..com" is neither a host name nor an IP address'],
    ['-smtp.example.com:25', 'host "-smtp.example.com" is neither'],
    ['user:pw@smtp.example.com', 'credentials in "****:****@smtp.example.com" need a URL'],
  ])('%j is refused: %s', (spec, named) => {
    const source = `target ${JSON.stringify(redactCredentials(spec))}`;
    const error = usageError(() => parseTargetSpec(spec, source));
    expect(error.source).toBe(source);
    expect(error.message.startsWith(`${source}: `)).toBe(true);
    expect(error.message).toContain(named);
  });

  it('the caller chooses the source, such as a line of --targets', () => {
    const error = usageError(() => parseTargetSpec('smtp.example.com:0', '--targets line 3'));
    expect(error.source).toBe('--targets line 3');
    expect(error.message).toBe('--targets line 3: invalid port "0": use a whole number from 1 to 65535');
  });
});

describe('helpers the CLI and the config file share', () => {
  it('parsePortList reads a --ports value and refuses junk', () => {
    expect(parsePortList('25,465,587', '--ports')).toEqual([25, 465, 587]);
    expect(usageError(() => parsePortList('25;587', '--ports')).message).toBe(
      '--ports: invalid port "25;587": use a whole number from 1 to 65535',
    );
  });

  it('a port given twice is probed once, wherever it is written', () => {
    expect(parsePortList('25,465,25,587,465', '--ports')).toEqual([25, 465, 587]);
    expect(parseTargetSpec('smtp.example.com:587,587,25', 't').ports.map((p) => p.port)).toEqual([587, 25]);
  });

  it('parseHost takes a lone host, strips IPv6 brackets, and sends ports to their own key', () => {
    expect(parseHost('[2001:db8::1]', 'host')).toBe('2001:db8::1');
    expect(parseHost('2001:db8::1', 'host')).toBe('2001:db8::1');
    expect(usageError(() => parseHost('smtp.example.com:587', 'host')).message).toContain(
      'host "smtp.example.com:587" includes a port',
    );
  });

  it('toTargetPlan gives every port its own copy of the expectations and the location', () => {
    const location = { file: 'smtp-probe.yml', line: 3, column: 5 };
    const plan = toTargetPlan(parseTargetSpec('smtp.example.com:25,587', 't'), {
      expect: { cert: { minDays: 14 } },
      location,
    });
    expect(plan).toEqual({
      name: 'smtp.example.com',
      host: 'smtp.example.com',
      mx: false,
      ports: [
        { port: 25, mode: 'starttls', modeExplicit: false, expect: { cert: { minDays: 14 } }, location },
        { port: 587, mode: 'starttls', modeExplicit: false, expect: { cert: { minDays: 14 } }, location },
      ],
      require: 'all',
      location,
    });
    expect(plan.ports[0]?.expect.cert).not.toBe(plan.ports[1]?.expect.cert);
    expect(toTargetPlan(parseTargetSpec('mx:example.com', 't')).name).toBe('mx:example.com');
  });
});
