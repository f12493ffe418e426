import { Redactor } from './redactor';

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
