import type { Spelling } from '../result/settings.js';

/** How the CLI names each setting: its flag, or the config key where no flag exists. */
export const CLI_SPELLING: Spelling = {
  targets: 'the target arguments',
  config: '--config',
  ports: '--ports',
  mode: '--mode',
  timeout: '--timeout',
  connect_timeout: '--connect-timeout',
  greeting_timeout: '--greeting-timeout',
  command_timeout: '--command-timeout',
  overall_timeout: '--overall-timeout',
  concurrency: '--concurrency',
  retries: '--retries',
  helo: '--helo',
  ca: '--ca',
  min_tls: '--min-tls',
  'expect.tls': '--expect-tls',
  'expect.cert.min_days': '`expect.cert.min_days` in the config file',
  auth: '--auth-user-env and --auth-pass-env',
  allow_unverified_auth: '--allow-unverified-auth',
  allow_plaintext_auth: '--allow-plaintext-auth',
  envelope: '`envelope` in the config file',
  fail_on: '--fail-on',
  vantages: '--vantage',
  controls: '--control',
  gcp_id_token: 'the SMTP_PROBE_GCP_ID_TOKEN environment variable',
};
