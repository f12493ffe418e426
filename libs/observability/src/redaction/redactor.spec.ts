import { join } from 'node:path';
import { inWorker } from '../../../../test/in-worker';
import { DEFAULT_VALUE_PATTERNS, Redactor } from './redactor';

/** The default value patterns as first written: the same matches, in quadratic time. */
const PLAIN_VALUE_PATTERNS = [
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi,
  /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
];

const censorWith = (patterns: readonly RegExp[], text: string) =>
  patterns.reduce((out, pattern) => out.replace(pattern, '[REDACTED]'), text);

describe('Redactor', () => {
  it('keeps an own __proto__ key as a key of the copy, redacted, without touching its prototype', () => {
    const input = JSON.parse('{"__proto__": {"password": "hunter2", "x": 1}}') as object;
    const out = new Redactor().redact(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({
      password: '[REDACTED]',
      x: 1,
    });
  });

  it('hides values under credential-like keys at any depth, and leaves the input untouched', () => {
    const input = {
      user: 'ada',
      password: 'hunter2',
      nested: { apiKey: 'k', api_key: 'k2', Authorization: 'Basic x', list: [{ token: 't' }] },
    };
    const snapshot = structuredClone(input);
    const out = new Redactor().redact(input);
    expect(out).toEqual({
      user: 'ada',
      password: '[REDACTED]',
      nested: {
        apiKey: '[REDACTED]',
        api_key: '[REDACTED]',
        Authorization: '[REDACTED]',
        list: [{ token: '[REDACTED]' }],
      },
    });
    expect(input).toEqual(snapshot);
    expect(out).not.toBe(input);
    expect(out.nested).not.toBe(input.nested);
  });

  it('hides emails, bearer tokens and JWTs inside strings, keeping the rest', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const out = new Redactor().redact({
      note: 'write to ada@example.com today',
      header: 'Bearer abc.def-123',
      raw: `token=${jwt}`,
      n: 3,
      ok: true,
    });
    expect(out).toEqual({
      note: 'write to [REDACTED] today',
      header: '[REDACTED]',
      raw: 'token=[REDACTED]',
      n: 3,
      ok: true,
    });
  });

  it('finds in strings exactly what the plain forms of its patterns find', () => {
    // Short strings from an alphabet of the patterns' edges (a fixed seed: the same strings in
    // every run), including runs of email and base64url characters with several starts in them.
    const alphabet = [...'e y J eyJ - . a @ x _ co % ='.split(' '), ' ', 'Bearer '];
    let seed = 42;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return (seed >>> 16) % n;
    };
    let found = 0;
    const differ: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      let text = '';
      for (let length = 1 + next(14); length > 0; length--) text += alphabet[next(alphabet.length)];
      const expected = censorWith(PLAIN_VALUE_PATTERNS, text);
      if (censorWith(DEFAULT_VALUE_PATTERNS, text) !== expected) differ.push(text);
      if (expected !== text) found++;
    }
    expect(differ).toEqual([]);
    // The comparison covered strings with something to hide, not only strings without.
    expect(found).toBeGreaterThan(1_000);
  });

  it('scans a caller-chosen megabyte in linear time (the plain patterns take minutes on it)', async () => {
    // The attack: one tool argument of a long run of letters (no `@` for the email pattern to
    // stop at), or of `-eyJ` repeated (a JWT start at every fourth character), audited or logged
    // with its arguments. With the plain patterns each such string held the event loop for
    // minutes (1 MB of `a`: about 8 minutes here), for every caller of the server.
    const attacks = ['a'.repeat(1_000_000), '-eyJ'.repeat(250_000), `a@${'a.'.repeat(500_000)}`];
    for (const attack of attacks) {
      const out = await inWorker<string>({
        module: join(__dirname, '../../dist/redaction/redactor.js'),
        run: '(m, text) => new m.Redactor().redact(text)',
        input: `${attack} ada@example.com`,
        deadlineMs: 60_000,
      });
      expect(out).toBe(`${attack} [REDACTED]`);
    }
  }, 120_000);

  it('hides values at dot paths, with * matching any key or index', () => {
    const redactor = new Redactor({
      paths: ['card.number', 'users.*.ssn', 'items.1'],
      keyPatterns: [],
      valuePatterns: [],
      censor: '***',
    });
    expect(
      redactor.redact({
        card: { number: '4111', brand: 'visa' },
        users: [
          { name: 'a', ssn: '1' },
          { name: 'b', ssn: '2' },
        ],
        items: ['x', 'y', 'z'],
        number: 'kept',
      }),
    ).toEqual({
      card: { number: '***', brand: 'visa' },
      users: [
        { name: 'a', ssn: '***' },
        { name: 'b', ssn: '***' },
      ],
      items: ['x', '***', 'z'],
      number: 'kept',
    });
  });

  it('hides a whole subtree when a path or key names an object', () => {
    expect(new Redactor({ paths: ['auth'] }).redact({ auth: { a: 1 }, b: 2 })).toEqual({
      auth: '[REDACTED]',
      b: 2,
    });
    expect(new Redactor().redact({ credentials: { user: 'u' } })).toEqual({
      credentials: '[REDACTED]',
    });
  });

  it('keeps non-plain objects, survives cycles and returns primitives as they are', () => {
    const date = new Date(0);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const out = new Redactor().redact({ date, cyclic });
    expect(out.date).toBe(date);
    expect(out.cyclic).toEqual({ a: 1, self: '[Circular]' });
    expect(new Redactor().redact(42)).toBe(42);
    expect(new Redactor().redact(null)).toBeNull();
    expect(new Redactor().redact('mail me: a@b.io')).toBe('mail me: [REDACTED]');
  });

  it('rejects an empty path when built', () => {
    expect(() => new Redactor({ paths: [''] })).toThrow(/empty/);
  });
});
