import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { AddressPolicy } from './address-policy';
import type { EgressResolver, ResolvedAddress } from './egress-resolver';
import { createPinnedConnector, type Connector } from './pinned-connector';

/** Answers from a script, one answer per lookup of a name; records every lookup. */
class ScriptedResolver implements EgressResolver {
  readonly lookups: string[] = [];
  constructor(private readonly answers: Record<string, (string[] | Error)[]>) {}

  async lookup(hostname: string): Promise<readonly ResolvedAddress[]> {
    this.lookups.push(hostname);
    const script = this.answers[hostname] ?? [];
    const answer = script.length > 1 ? script.shift()! : script[0];
    if (answer === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    if (answer instanceof Error) throw answer;
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }
}

/** Records what the real connector would have opened; opens nothing. */
class RecordingConnector {
  readonly opened: buildConnector.Options[] = [];
  readonly connect: Connector = (options, callback) => {
    this.opened.push(options);
    callback(null, {} as Socket);
  };
}

class Refusal extends Error {}

function setup(answers: Record<string, (string[] | Error)[]>, allow: string[] = []) {
  const resolver = new ScriptedResolver(answers);
  const real = new RecordingConnector();
  const refusals: string[] = [];
  const connector = createPinnedConnector({
    policy: new AddressPolicy(allow),
    resolver,
    connect: real.connect,
    lookupTimeoutMs: 1_000,
    refuse: (host, port, reason) => {
      refusals.push(`${host}:${port} ${reason}`);
      return new Refusal('refused');
    },
  });
  const connect = (hostname: string, protocol = 'http:', port = '') =>
    new Promise<Error | null>((resolve) =>
      connector({ hostname, host: hostname, protocol, port }, (error, _socket) => resolve(error)),
    );
  return { resolver, real, refusals, connect };
}

describe('createPinnedConnector', () => {
  it('connects to the address it checked, once resolved, with the name as TLS server name', async () => {
    const { resolver, real, connect } = setup({ 'example.com': [['93.184.215.14', '8.8.8.8']] });
    expect(await connect('example.com', 'https:', '443')).toBeNull();
    expect(resolver.lookups).toEqual(['example.com']);
    expect(real.opened).toEqual([
      expect.objectContaining({
        hostname: '93.184.215.14',
        host: 'example.com',
        servername: 'example.com',
        port: '443',
      }),
    ]);
  });

  it('sends no server name over plain HTTP (undici would resolve it again)', async () => {
    const { real, connect } = setup({ 'example.com': [['93.184.215.14']] });
    await connect('example.com');
    expect(real.opened[0].hostname).toBe('93.184.215.14');
    expect(real.opened[0].servername).toBeUndefined();
  });

  it('checks an IP literal without a lookup', async () => {
    const { resolver, real, refusals, connect } = setup({});
    expect(await connect('8.8.8.8')).toBeNull();
    expect(await connect('169.254.169.254')).toBeInstanceOf(Refusal);
    expect(await connect('::ffff:7f00:1')).toBeInstanceOf(Refusal);
    expect(resolver.lookups).toEqual([]);
    expect(real.opened.map((o) => o.hostname)).toEqual(['8.8.8.8']);
    expect(refusals).toEqual([
      expect.stringContaining('169.254.169.254:80 link-local'),
      expect.stringContaining('::ffff:7f00:1:80 IPv4-mapped address of 127.0.0.1: loopback'),
    ]);
  });

  it('refuses a name when any of its addresses is refused, and opens nothing', async () => {
    const { real, refusals, connect } = setup({ 'mixed.test': [['8.8.8.8', '10.0.0.1']] });
    expect(await connect('mixed.test')).toBeInstanceOf(Refusal);
    expect(real.opened).toEqual([]);
    expect(refusals).toEqual([expect.stringContaining('mixed.test resolved to 10.0.0.1: private')]);
  });

  it('refuses a name that does not resolve, or resolves to nothing', async () => {
    const { real, refusals, connect } = setup({ 'empty.test': [[]] });
    expect(await connect('nowhere.test')).toBeInstanceOf(Refusal);
    expect(await connect('empty.test')).toBeInstanceOf(Refusal);
    expect(real.opened).toEqual([]);
    expect(refusals).toEqual([
      expect.stringContaining('did not resolve (ENOTFOUND)'),
      expect.stringContaining('resolved to no address'),
    ]);
  });

  it('refuses an answer that is not an address', async () => {
    const { real, connect } = setup({ 'odd.test': [['localhost']] });
    expect(await connect('odd.test')).toBeInstanceOf(Refusal);
    expect(real.opened).toEqual([]);
  });

  it('resolves and checks again for every new connection (DNS rebinding)', async () => {
    const { resolver, real, connect } = setup({
      'rebind.test': [['93.184.215.14'], ['127.0.0.1']],
    });
    expect(await connect('rebind.test')).toBeNull();
    expect(await connect('rebind.test')).toBeInstanceOf(Refusal);
    expect(resolver.lookups).toEqual(['rebind.test', 'rebind.test']);
    expect(real.opened.map((o) => o.hostname)).toEqual(['93.184.215.14']);
  });

  it('opens an allowed private address', async () => {
    const { real, connect } = setup({ 'fixture.test': [['127.0.0.1']] }, ['127.0.0.1/32']);
    expect(await connect('fixture.test')).toBeNull();
    expect(real.opened[0].hostname).toBe('127.0.0.1');
  });

  it('refuses a lookup that does not answer in time', async () => {
    jest.useFakeTimers();
    try {
      const resolver: EgressResolver = { lookup: () => new Promise(() => undefined) };
      const real = new RecordingConnector();
      const refusals: string[] = [];
      const connector = createPinnedConnector({
        policy: new AddressPolicy(),
        resolver,
        connect: real.connect,
        lookupTimeoutMs: 500,
        refuse: (_h, _p, reason) => (refusals.push(reason), new Refusal('refused')),
      });
      const done = new Promise<Error | null>((resolve) =>
        connector({ hostname: 'slow.test', protocol: 'http:', port: '' }, (e, _socket) =>
          resolve(e),
        ),
      );
      await jest.advanceTimersByTimeAsync(500);
      expect(await done).toBeInstanceOf(Refusal);
      expect(refusals).toEqual([expect.stringContaining('ETIMEOUT')]);
      expect(real.opened).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('hands a connector that throws to the callback', async () => {
    const connector = createPinnedConnector({
      policy: new AddressPolicy(),
      resolver: { lookup: async () => [{ address: '8.8.8.8', family: 4 }] },
      connect: () => {
        throw new Error('boom');
      },
      lookupTimeoutMs: 1_000,
      refuse: () => new Refusal('refused'),
    });
    const error = await new Promise<Error | null>((resolve) =>
      connector({ hostname: 'x.test', protocol: 'http:', port: '' }, (e, _socket) => resolve(e)),
    );
    expect(error?.message).toBe('boom');
  });
});
