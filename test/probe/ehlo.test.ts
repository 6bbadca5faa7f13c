import { describe, expect, it } from 'vitest';
import { parseEhlo } from '../../src/probe/ehlo.js';

describe('EHLO extensions', () => {
  it('reads every extension and its parameters', () => {
    const facts = parseEhlo({
      code: 250,
      lines: [
        'mx.example.test at your service',
        'SIZE 35882577',
        '8BITMIME',
        'STARTTLS',
        'ENHANCEDSTATUSCODES',
        'PIPELINING',
        'CHUNKING',
        'SMTPUTF8',
        'DSN',
        'auth login Plain XOAUTH2',
      ],
    });
    expect(facts).toMatchObject({
      domain: 'mx.example.test',
      size: 35_882_577,
      eightBitMime: true,
      starttls: true,
      enhancedStatusCodes: true,
      pipelining: true,
      chunking: true,
      smtpUtf8: true,
      dsn: true,
      auth: ['LOGIN', 'PLAIN', 'XOAUTH2'],
    });
  });

  it('folds the pre-RFC 4954 AUTH= form into AUTH and treats SIZE without a number as no limit', () => {
    const facts = parseEhlo({ code: 250, lines: ['host', 'AUTH=LOGIN PLAIN', 'AUTH PLAIN', 'SIZE'] });
    expect(facts.auth).toEqual(['LOGIN', 'PLAIN']);
    expect(facts.size).toBe(0);
    expect(facts.starttls).toBe(false);
  });

  it('reports no size when SIZE is not advertised', () => {
    expect(parseEhlo({ code: 250, lines: ['host'] })).not.toHaveProperty('size');
  });
});
