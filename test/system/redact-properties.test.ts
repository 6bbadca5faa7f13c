import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { credentialRedactor, MIN_EMBEDDED_SECRET } from '../../src/probe/redact.js';
import { leaks } from '../helpers/canary.js';

/*
 * Properties of the credentials redactor, in the manner of properties.test.ts (same run count and
 * seed variables): whatever surrounds a secret, in whatever encoding a server echoes it, no form of it
 * survives. The search is the tests' own (helpers/canary.ts), computed apart from the redactor.
 */
const RUNS = Number(process.env.FAST_CHECK_RUNS ?? 2_000);
const SEED = Number(process.env.FAST_CHECK_SEED ?? 20_261_128);
const params = { numRuns: Math.max(100, Math.floor(RUNS / 4)), seed: SEED };
const PROPERTY_TIMEOUT = Math.max(15_000, RUNS * 20);

/** Printable ASCII and a few characters UTF-8 spends two or three bytes on. */
const CHARS = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)), 'ä', 'é', '€'];
const secret = fc
  .array(fc.constantFrom(...CHARS), { minLength: MIN_EMBEDDED_SECRET, maxLength: 40 })
  .map((chars) => chars.join(''));
const bytes = fc.uint8Array({ maxLength: 8 });
const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((chars) => chars.join(''));

describe('the credentials redactor, for any credentials', () => {
  it(
    'leaves no form of them in base64 of anything around them, at any alignment',
    () => {
      fc.assert(
        fc.property(
          secret,
          secret,
          bytes,
          bytes,
          fc.boolean(),
          (username, password, before, after, which) => {
            const credentials = { username, password };
            const inner = Buffer.from(which ? username : password, 'utf8');
            const echoed = Buffer.concat([Buffer.from(before), inner, Buffer.from(after)]).toString('base64');
            const out = credentialRedactor(credentials)(`501 cannot decode ${echoed}`);
            expect(leaks(out, credentials)).toEqual([]);
          },
        ),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'leaves no form of them raw or percent-encoded, whatever text surrounds them',
    () => {
      fc.assert(
        fc.property(secret, secret, text, text, (username, password, before, after) => {
          const credentials = { username, password };
          const redact = credentialRedactor(credentials);
          for (const echoed of [
            password,
            encodeURIComponent(password),
            encodeURIComponent(username),
            username,
          ]) {
            expect(leaks(redact(`${before}${echoed}${after}`), credentials)).toEqual([]);
          }
        }),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );
});
