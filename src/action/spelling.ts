import type { Spelling } from '../result/settings.js';

/** How the Action names each setting: its input (action.yml), or the config key where none exists. */
export const ACTION_SPELLING: Spelling = {
  targets: 'input `targets`',
  config: 'input `config`',
  ports: 'input `ports`',
  mode: 'input `mode`',
  timeout: 'input `timeout`',
  connect_timeout: 'input `connect-timeout`',
  greeting_timeout: 'input `greeting-timeout`',
  command_timeout: 'input `command-timeout`',
  overall_timeout: '`defaults.overall_timeout` in the config file',
  concurrency: 'input `concurrency`',
  retries: 'input `retries`',
  helo: 'input `helo`',
  ca: 'input `ca`',
  min_tls: 'input `min-tls`',
  'expect.tls': 'input `expect-tls`',
  'expect.cert.min_days': '`expect.cert.min_days` in the config file',
  auth: 'inputs `auth-username` and `auth-password`',
  allow_unverified_auth: 'input `allow-unverified-auth: true`',
  allow_plaintext_auth: 'input `allow-plaintext-auth: true`',
  envelope: '`envelope` in the config file',
  fail_on: 'input `fail-on`',
  vantages: 'input `vantages`',
  controls: 'input `controls`',
  gcp_id_token: 'input `gcp-id-token`',
};
