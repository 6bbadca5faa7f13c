import type { Spelling } from '../result/settings.js';

/** How the config file names each setting, for hints about what a config line produced. */
export const CONFIG_SPELLING: Spelling = {
  targets: '`targets` in the config file',
  config: 'the config file',
  ports: '`ports` of the target in the config file',
  mode: '`mode` in the config file',
  timeout: '`defaults.timeout` in the config file',
  connect_timeout: '`defaults.connect_timeout` in the config file',
  greeting_timeout: '`defaults.greeting_timeout` in the config file',
  command_timeout: '`defaults.command_timeout` in the config file',
  overall_timeout: '`defaults.overall_timeout` in the config file',
  concurrency: '`defaults.concurrency` in the config file',
  retries: '`defaults.retries` in the config file',
  helo: '`defaults.helo` in the config file',
  ca: '`defaults.tls.ca_file` in the config file',
  min_tls: '`expect.min_tls` in the config file',
  'expect.tls': '`expect.tls` in the config file',
  'expect.cert.min_days': '`expect.cert.min_days` in the config file',
  auth: '`username_env` and `password_env` of the target in the config file',
  allow_unverified_auth: '`defaults.tls.allow_unverified_auth: true` in the config file',
  allow_plaintext_auth: '`defaults.tls.allow_plaintext_auth: true` in the config file',
  envelope: '`envelope` of the target in the config file',
  fail_on: '`fail_on` in the config file',
  vantages: 'the vantages',
  controls: '`controls` in the config file',
  gcp_id_token: 'the Google ID token (input `gcp-id-token`, or SMTP_PROBE_GCP_ID_TOKEN for the CLI)',
};
