import type { McpHttpExchange, McpRequest, McpRequestHook } from './mcp-request-hook.interface';
import { RequestHooks } from './request-hooks';

const request = { server: 's', method: 'tools/call', id: 1, origin: {} } as unknown as McpRequest;

/** An admission hook that records its admission, its release and refusals, in `log`. */
function admitter(name: string, log: string[], answer: 'sync' | 'async' | Error): McpRequestHook {
  return {
    admit: () => {
      if (answer instanceof Error) throw answer;
      log.push(`admit ${name}`);
      const release = () => void log.push(`release ${name}`);
      return answer === 'async' ? Promise.resolve(release) : release;
    },
    refused: (_request, error) => void log.push(`refused ${name}: ${(error as Error).message}`),
  };
}

describe('RequestHooks', () => {
  it('admits synchronously when every hook answers at once, and releases last first', () => {
    const log: string[] = [];
    const hooks = new RequestHooks([admitter('a', log, 'sync'), admitter('b', log, 'sync')]);
    const release = hooks.admit(request);
    expect(release).toBeInstanceOf(Function);
    (release as () => void)();
    expect(log).toEqual(['admit a', 'admit b', 'release b', 'release a']);
  });

  it('goes on after a hook that answers later, and a later refusal releases what was admitted', async () => {
    const log: string[] = [];
    const hooks = new RequestHooks([
      admitter('a', log, 'sync'),
      admitter('b', log, 'async'),
      admitter('c', log, new Error('full')),
    ]);
    const answer = hooks.admit(request);
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).rejects.toThrow('full');
    expect(log).toEqual([
      'admit a',
      'admit b',
      'release b',
      'release a',
      'refused a: full',
      'refused b: full',
      'refused c: full',
    ]);
  });

  it('refuses at once when a hook throws before any promise', () => {
    const log: string[] = [];
    const hooks = new RequestHooks([
      admitter('a', log, 'sync'),
      admitter('b', log, new Error('no')),
    ]);
    expect(() => hooks.admit(request)).toThrow('no');
    expect(log).toEqual(['admit a', 'release a', 'refused a: no', 'refused b: no']);
  });

  it('asks the next authentication hook when one answers later with nobody', async () => {
    const hooks = new RequestHooks([
      { authenticate: () => Promise.resolve(undefined) },
      { authenticate: () => ({ subject: 'alice' }) },
    ]);
    await expect(hooks.authenticate({ server: 's', transport: 'http' })).resolves.toEqual({
      subject: 'alice',
    });
    const sync = new RequestHooks([{ authenticate: () => ({ subject: 'bob' }) }]);
    expect(sync.authenticate({ server: 's', transport: 'http' })).toEqual({ subject: 'bob' });
  });

  it('stops the HTTP hooks at the one that answered the request, sync or async', async () => {
    const seen: string[] = [];
    const response = { writableEnded: false };
    const exchange = { server: 's', response } as unknown as McpHttpExchange;
    const hooks = new RequestHooks([
      { onHttpRequest: () => void seen.push('first') },
      {
        onHttpRequest: async () => {
          seen.push('second');
          response.writableEnded = true;
        },
      },
      { onHttpRequest: () => void seen.push('third') },
    ]);
    await expect(hooks.onHttpRequest(exchange)).resolves.toBe(false);
    expect(seen).toEqual(['first', 'second']);
    response.writableEnded = false;
    expect(new RequestHooks([{ onHttpRequest: () => undefined }]).onHttpRequest(exchange)).toBe(
      true,
    );
  });
});
