/**
 * The contract carries the core's results without loss: what a remote vantage's probe returned is what
 * the caller judges, field for field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  AnswerError,
  CONTRACT_VERSION,
  ContractMismatch,
  decodeAnswer,
  encodeAnswer,
} from '../../src/contract/index.js';
import { type ProbeResult, probe, STATUSES } from '../../src/probe/index.js';
import { testPki } from '../helpers/certs.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const fast = { timeout: 3_000, connectTimeout: 1_000, greetingTimeout: 500, commandTimeout: 1_000 };
const servers: Array<SmtpFixture | ServerHandle> = [];
const real: ProbeResult[] = [];

function answer(results: ProbeResult[]): Answer {
  return {
    contract: CONTRACT_VERSION,
    vantage: { provider: 'local', runtime: `node ${process.version}` },
    durationMs: 12.5,
    results: results.map((result, i) => ({ jobs: [i], result })),
    refused: [{ jobs: [results.length], host: '10.0.0.7', address: '10.0.0.7', reason: 'private (10/8)' }],
  };
}

beforeAll(async () => {
  const pki = await testPki();
  const relay = await startSmtpServer({ auth: { username: 'u', password: 'p' } });
  const refusing = await startSmtpServer({ auth: { username: 'u', password: 'other' } });
  const hostile = await startRawServer(smtpScript({ greeting: '554 5.7.1 go away \u0000 ✉ \u202e' }));
  const silent = await startRawServer((socket) => socket.resume());
  const closed = await startRawServer(smtpScript({ greeting: '220 x' }));
  await closed.close();
  servers.push(relay, refusing, hostile, silent);
  const tls = { ca: pki.ca.cert };
  real.push(
    // TLS facts, certificate, chain, EHLO keywords, AUTH and the envelope: the richest result there is.
    await probe(
      { host: '127.0.0.1', port: relay.port },
      {
        ...fast,
        tls,
        auth: { username: 'u', password: 'p' },
        envelope: { from: 'a@example.test', to: 'b@example.test' },
      },
    ),
    await probe(
      { host: 'localhost', port: refusing.port },
      { ...fast, tls, auth: { username: 'u', password: 'p' } },
    ),
    await probe({ host: '127.0.0.1', port: hostile.port }, fast),
    await probe({ host: '127.0.0.1', port: silent.port }, fast),
    await probe({ host: '127.0.0.1', port: closed.port }, fast),
    await probe({ host: 'no-such-host.invalid', port: 587 }, { ...fast, lookup: async () => [] }),
  );
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('the contract codec', () => {
  it('decode(encode(answer)) deep-equals the answer, for real results of several kinds', () => {
    expect(new Set(real.map((r) => r.status)).size).toBeGreaterThanOrEqual(5);
    const original = answer(real);
    expect(decodeAnswer(encodeAnswer(original))).toStrictEqual(original);
  });

  it.each(STATUSES)('a result with status %s survives the trip unchanged', (status) => {
    for (const base of real) {
      const result: ProbeResult = structuredClone({
        ...base,
        status,
        sessions: base.sessions.map((s) => ({ ...s, status })),
      });
      const decoded = decodeAnswer(encodeAnswer(answer([result])));
      expect(decoded.results[0]?.result).toStrictEqual(result);
    }
  });

  it('a field the contract does not know is refused, not dropped', () => {
    const text = encodeAnswer(answer(real)).replace('"heloFallback"', '"smuggled":1,"heloFallback"');
    expect(() => decodeAnswer(text)).toThrow(AnswerError);
    expect(() => decodeAnswer(text)).toThrow(/malformed contract 2 answer/);
  });

  it('an answer of another version names both versions', () => {
    const older = JSON.stringify({ schemaVersion: 1, results: [] });
    expect(() => decodeAnswer(older)).toThrow(ContractMismatch);
    expect(() => decodeAnswer(older)).toThrow(
      'the answer carries no contract version (version 1 sent none), this side speaks contract version 2: deploy the function of this release',
    );
    expect(() => decodeAnswer(JSON.stringify({ contract: 3 }))).toThrow(
      /carries contract version 3, this side speaks contract version 2: update the caller/,
    );
  });

  it('an error answer becomes an error naming its type, field and message', () => {
    const text = JSON.stringify({
      contract: CONTRACT_VERSION,
      error: { type: 'BadRequest', field: 'jobs[0].port', message: 'too small' },
    });
    expect(() => decodeAnswer(text)).toThrow('BadRequest (jobs[0].port): too small');
  });
});
