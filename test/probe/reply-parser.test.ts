import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/probe/options.js';
import { type ParsedItem, ReplyParser, sniffProtocol } from '../../src/probe/reply-parser.js';

function parse(chunks: Array<string | Buffer>, limits = DEFAULT_LIMITS): ParsedItem[] {
  const parser = new ReplyParser(limits);
  const items: ParsedItem[] = [];
  for (const chunk of chunks) {
    parser.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    for (let item = parser.shift(); item; item = parser.shift()) items.push(item);
  }
  return items;
}

describe('reply parser', () => {
  it('joins continuation lines until the line with a space after the code', () => {
    const [item] = parse(['250-mail.example.test hello\r\n250-PIPELINING\r\n250 STARTTLS\r\n']);
    expect(item).toEqual({
      reply: { code: 250, lines: ['mail.example.test hello', 'PIPELINING', 'STARTTLS'] },
      lines: ['250-mail.example.test hello', '250-PIPELINING', '250 STARTTLS'],
      bytes: '250-mail.example.test hello\r\n250-PIPELINING\r\n250 STARTTLS\r\n'.length,
    });
  });

  it('keeps the unfinished tail across chunks, however the bytes are split', () => {
    const text = '220 ready\r\n250-a\r\n250 b\r\n';
    const whole = parse([text]);
    for (let i = 1; i < text.length; i++) {
      expect(parse([text.slice(0, i), text.slice(i)])).toEqual(whole);
    }
    expect(parse(text.split(''))).toEqual(whole);
  });

  it('accepts bare LF line ends and a bare code with no text', () => {
    expect(parse(['220\n250 ok\n']).map((i) => ('reply' in i ? i.reply : i))).toEqual([
      { code: 220, lines: [''] },
      { code: 250, lines: ['ok'] },
    ]);
  });

  it('reads an RFC 3463 enhanced status code', () => {
    const [item] = parse(['535 5.7.8 Authentication credentials invalid\r\n']);
    expect(item && 'reply' in item && item.reply.enhanced).toBe('5.7.8');
  });

  it('flags an HTTP status line as soon as its first bytes arrive, without waiting for a newline', () => {
    const [item] = parse(['HTTP']);
    expect(item).toMatchObject({ error: 'EBADLINE' });
    expect(item && 'head' in item && sniffProtocol(item.head)).toBe('http');
  });

  it('recognises a TLS alert record as TLS', () => {
    const [item] = parse([Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46])]);
    expect(item && 'head' in item && sniffProtocol(item.head)).toBe('tls');
  });

  it('refuses a reply that changes its code mid-way', () => {
    expect(parse(['250-a\r\n251 b\r\n'])[0]).toMatchObject({ error: 'EMIXEDCODES' });
  });

  it('stops at the line-length limit even when no newline ever comes', () => {
    const items = parse(['220 ', 'x'.repeat(100)], { ...DEFAULT_LIMITS, maxLineLength: 64 });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ error: 'ELINETOOLONG' });
  });

  it('stops an endless multi-line reply at the line limit', () => {
    const items = parse(['250-x\r\n'.repeat(50)], { ...DEFAULT_LIMITS, maxReplyLines: 10 });
    expect(items).toEqual([expect.objectContaining({ error: 'ETOOMANYLINES' })]);
  });

  it('stops a reply at the byte limit', () => {
    const items = parse([`250-${'y'.repeat(60)}\r\n`.repeat(40)], { ...DEFAULT_LIMITS, maxReplyBytes: 1000 });
    expect(items).toEqual([expect.objectContaining({ error: 'EREPLYTOOLARGE' })]);
  });

  it('ignores everything after an error', () => {
    const parser = new ReplyParser(DEFAULT_LIMITS);
    parser.push(Buffer.from('SSH-2.0-OpenSSH\r\n220 hi\r\n'));
    expect(parser.shift()).toMatchObject({ error: 'EBADLINE' });
    parser.push(Buffer.from('250 more\r\n'));
    expect(parser.shift()).toBeUndefined();
    expect(parser.idle).toBe(true);
  });

  it('tells how many bytes of the stream each reply took, line ends included', () => {
    const items = parse(['220-a\r\n220 b\n250 ok\r', '\n']);
    expect(items.map((item) => 'bytes' in item && item.bytes)).toEqual([13, 8]);
  });

  it('decodes invalid UTF-8 without throwing', () => {
    const [item] = parse([
      Buffer.concat([Buffer.from('220 caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\r\n')]),
    ]);
    expect(item && 'reply' in item && item.reply.lines[0]).toBe('caf\uFFFD\uFFFD');
  });

  it('drops what is buffered, a failed line too, when discarding before a TLS upgrade', () => {
    const parser = new ReplyParser(DEFAULT_LIMITS);
    parser.push(Buffer.from('220 go ahead\r\n250 injected\r\nMAIL FROM:<x@evil>\r\n'));
    expect(parser.shift()).toMatchObject({ reply: { code: 220 } });
    expect(parser.idle).toBe(false);
    parser.discard();
    expect(parser.idle).toBe(true);
    expect(parser.shift()).toBeUndefined();
  });
});
