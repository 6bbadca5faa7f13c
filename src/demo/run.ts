import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan } from '../plan/build.js';
import type { FailOn } from '../plan/types.js';
import type { Report } from '../result/model.js';
import { runPlan } from '../run/pipeline.js';
import { createCa, createLeaf } from './certificates.js';
import { closedPort, type LocalServer, startLocalSmtp } from './servers.js';

const DAY = 86_400_000;
const LOCAL = { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

export interface DemoOptions {
  failOn?: FailOn;
  /** Where to tell the person what the demo is doing (stderr: stdout carries the report). */
  say: (line: string) => void;
}

/**
 * Starts local SMTP servers (STARTTLS with AUTH, implicit TLS, one whose certificate expires in 9 days,
 * and a closed port), writes a config for them, and probes them through the same path as a real run:
 * config file, plan, probes, findings. Needs no network beyond loopback.
 */
export async function runDemo(options: DemoOptions): Promise<Report> {
  const dir = await mkdtemp(join(tmpdir(), 'smtp-probe-demo-'));
  const servers: LocalServer[] = [];
  try {
    const ca = await createCa('smtp-probe demo CA');
    const [valid, expiring] = await Promise.all([
      createLeaf(ca, LOCAL),
      createLeaf(ca, { ...LOCAL, notAfter: new Date(Date.now() + 9 * DAY + 3_600_000) }),
    ]);
    const password = randomBytes(12).toString('hex');
    const credentials = { username: 'demo', password };
    const start = async (extra: Parameters<typeof startLocalSmtp>[0]) => {
      const server = await startLocalSmtp(extra);
      servers.push(server);
      return server.port;
    };
    const relay = await start({
      key: valid.key,
      cert: valid.cert,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, callback) =>
        auth.username === credentials.username && auth.password === credentials.password
          ? callback(null, { user: auth.username })
          : callback(
              Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }),
            ),
    });
    const smtps = await start({
      secure: true,
      key: valid.key,
      cert: valid.cert,
      authOptional: true,
      disabledCommands: ['AUTH'],
    });
    const aging = await start({
      key: expiring.key,
      cert: expiring.cert,
      authOptional: true,
      disabledCommands: ['AUTH'],
    });
    const closed = await closedPort();

    await writeFile(join(dir, 'ca.pem'), ca.cert);
    const config = demoConfig({ relay, smtps, aging, closed });
    await writeFile(join(dir, 'smtp-probe.yml'), config);
    options.say(
      `demo: local SMTP servers on 127.0.0.1 ports ${relay}, ${smtps}, ${aging}; nothing on ${closed}`,
    );
    options.say(`demo: probing them with this config:\n\n${config.replace(/^/gm, '    ')}`);

    const { plan } = await buildPlan({
      targets: [],
      configPath: 'smtp-probe.yml',
      ...(options.failOn ? { failOn: options.failOn } : {}),
      env: { DEMO_SMTP_USER: credentials.username, DEMO_SMTP_PASSWORD: credentials.password },
      cwd: dir,
    });
    return await runPlan(plan);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

function demoConfig(ports: { relay: number; smtps: number; aging: number; closed: number }): string {
  return `# The demo's config: the same format as .github/smtp-probe.yml
fail_on: error
defaults:
  timeout: 5s
  tls:
    ca_file: ca.pem              # the demo's private CA, as a company relay would have
targets:
  - name: relay
    host: 127.0.0.1
    ports: [${ports.closed}, ${ports.relay}]       # alternatives: the closed one stands for a blocked 587
    require: any
    username_env: DEMO_SMTP_USER
    password_env: DEMO_SMTP_PASSWORD
    envelope: { from: app@demo.test, to: ops@demo.test }
  - name: smtps
    host: 127.0.0.1
    ports:
      - { port: ${ports.smtps}, mode: tls }
  - name: aging-certificate
    host: 127.0.0.1
    ports: [${ports.aging}]
    expect:
      cert: { min_days: 30 }
`;
}
