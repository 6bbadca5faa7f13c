// Writes dist/gcp/package.json, the manifest Cloud Run functions' Node.js buildpack reads when the
// function is deployed from dist/gcp (gcloud functions deploy --source=dist/gcp): an ES module whose
// main is the bundle, and functions-framework (kept out of the bundle, so that the framework the
// platform runs and the one the entry registers with are one) at the version the tests ran.
import { readFileSync, writeFileSync } from 'node:fs';

const root = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const framework = JSON.parse(
  readFileSync(
    new URL('../node_modules/@google-cloud/functions-framework/package.json', import.meta.url),
    'utf8',
  ),
);
const manifest = {
  name: 'smtp-port-probe-gcp',
  version: root.version,
  private: true,
  description: 'smtp-port-probe as a Cloud Run function (2nd gen, HTTP): deploy with --entry-point=probe',
  license: root.license,
  type: 'module',
  main: 'index.js',
  dependencies: { '@google-cloud/functions-framework': framework.version },
};
writeFileSync(new URL('../dist/gcp/package.json', import.meta.url), `${JSON.stringify(manifest, null, 2)}\n`);
