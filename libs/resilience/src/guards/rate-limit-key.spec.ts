import type { McpContext } from '@rampart/core';
import { callBucketKey, idempotencyCaller, INVALID_KEY_BUCKET } from './rate-limit-key';

const ctx = (identity?: { subject: string; tenant?: string }, ip?: string) =>
  ({ identity, request: ip ? { ip } : undefined }) as unknown as McpContext;

describe('callBucketKey', () => {
  it('keys by identity, then client IP, then one anonymous bucket', () => {
    expect(callBucketKey('identity', ctx({ subject: 'u1' }, '10.0.0.1'), {})).toBe('id:u1');
    expect(callBucketKey(undefined, ctx(undefined, '10.0.0.1'), {})).toBe('ip:10.0.0.1');
    expect(callBucketKey('identity', ctx(), {})).toBe('anonymous');
    expect(callBucketKey('tenant', ctx({ subject: 'u1', tenant: 'acme' }), {})).toBe('tenant:acme');
    expect(callBucketKey('ip', ctx({ subject: 'u1' }, '10.0.0.2'), {})).toBe('ip:10.0.0.2');
  });

  it('counts an IPv6 client by its /64, so its other addresses take no fresh budget', () => {
    // The attack: a host that holds a /64 (as most do) sends each call from another of its 2^64
    // addresses. Counted by address, each call had a fresh bucket (and left one behind).
    const buckets = new Set<string>();
    for (let i = 0; i < 1_000; i++)
      buckets.add(callBucketKey('ip', ctx(undefined, `2001:db8:1:2:${i.toString(16)}::1`), {}));
    expect([...buckets]).toEqual(['ip:2001:db8:1:2::/64']);
    expect(callBucketKey('ip', ctx(undefined, '2001:db8:1:3::1'), {})).toBe('ip:2001:db8:1:3::/64');
    expect(callBucketKey('ip', ctx(undefined, '::ffff:10.0.0.1'), {})).toBe('ip:10.0.0.1');
    expect(idempotencyCaller(undefined, { ip: '2001:db8:1:2:ffff::9' })).toBe(
      'ip:2001:db8:1:2::/64',
    );
  });

  it('keys by a function of the call, and puts calls it cannot read in one bucket of their own', () => {
    const byHost = (_c: McpContext, args: Record<string, unknown>) =>
      new URL(String(args.url)).host;
    expect(callBucketKey(byHost, ctx(), { url: 'https://a.example/x' })).toBe('fn:a.example');
    expect(callBucketKey(byHost, ctx(), { url: 'not a url' })).toBe(INVALID_KEY_BUCKET);
  });
});

describe('idempotencyCaller', () => {
  it('keys by tenant and subject, so the same subject in another tenant is another caller', () => {
    const t1 = idempotencyCaller({ subject: 'alice', tenant: 't1' }, undefined);
    expect(idempotencyCaller({ subject: 'alice', tenant: 't2' }, undefined)).not.toBe(t1);
    expect(idempotencyCaller({ subject: 'alice' }, undefined)).not.toBe(t1);
    expect(idempotencyCaller({ subject: 'alice', tenant: 't1' }, { ip: '10.0.0.9' })).toBe(t1);
  });

  it('cannot be forged by a subject or tenant spelled with separators', () => {
    expect(idempotencyCaller({ subject: 'b', tenant: 'a:' }, undefined)).not.toBe(
      idempotencyCaller({ subject: ':b', tenant: 'a' }, undefined),
    );
    expect(idempotencyCaller({ subject: '"a",null' }, undefined)).not.toBe(
      idempotencyCaller({ subject: 'null', tenant: 'a' }, undefined),
    );
  });

  it('falls back to the client IP, then anonymous', () => {
    expect(idempotencyCaller(undefined, { ip: '10.0.0.1' })).toBe('ip:10.0.0.1');
    expect(idempotencyCaller(undefined, undefined)).toBe('anonymous');
  });
});
