import { Logger } from '@nestjs/common';
import { InMemoryKillSwitchStore } from './in-memory-kill-switch.store';
import { isKillSwitchInputError } from './kill-switch-input.error';

const at = '2026-01-02T03:04:05.000Z';

describe('InMemoryKillSwitchStore', () => {
  let store: InMemoryKillSwitchStore;

  beforeEach(() => (store = new InMemoryKillSwitchStore()));
  afterEach(() => store.close());

  it('throws, replaces, lists in order and clears switches', async () => {
    expect(await store.list()).toEqual([]);
    await store.set({ server: 'web', target: 'b_tool', at });
    await store.set({ server: 'api', at, reason: 'incident 42', by: 'alice' });
    await store.set({ server: 'web', at });
    await store.set({ server: 'web', target: 'a_tool', at });
    await store.set({ server: 'web', target: 'b_tool', reason: 'again', at });
    expect(await store.list()).toEqual([
      { server: 'api', reason: 'incident 42', by: 'alice', at },
      { server: 'web', at },
      { server: 'web', target: 'a_tool', at },
      { server: 'web', target: 'b_tool', reason: 'again', at },
    ]);

    expect(await store.clear('web', 'b_tool')).toBe(true);
    expect(await store.clear('web', 'b_tool')).toBe(false);
    // The server's own switch and its targets' are distinct.
    expect(await store.clear('web')).toBe(true);
    expect(await store.list()).toEqual([
      { server: 'api', reason: 'incident 42', by: 'alice', at },
      { server: 'web', target: 'a_tool', at },
    ]);
  });

  it('keeps a copy: changing what was given or what was listed changes nothing stored', async () => {
    const kill = { server: 'web', target: 'x', at, extra: 'dropped' };
    await store.set(kill);
    kill.target = 'y';
    const [listed] = await store.list();
    listed.reason = 'tampered';
    expect(await store.list()).toEqual([{ server: 'web', target: 'x', at }]);
  });

  it('refuses malformed switches, naming the field', async () => {
    const refusals: [object, string][] = [
      [{ server: '', at }, 'server'],
      [{ server: 'web\u0000x', at }, 'server'],
      [{ server: 'web', target: '', at }, 'target'],
      [{ server: 'web', target: 'a\nb', at }, 'target'],
      [{ server: 'web', at: 'yesterday' }, 'at'],
      [{ server: 'web' }, 'at'],
      [{ server: 'web', reason: 42, at }, 'reason'],
      [{ server: 'web', reason: 'x'.repeat(1_001), at }, 'reason'],
      [{ server: 'web', by: '', at }, 'by'],
    ];
    for (const [kill, field] of refusals) {
      const error: unknown = await store.set(kill as never).catch((e: unknown) => e);
      expect(isKillSwitchInputError(error) && error.field).toBe(field);
    }
    const error: unknown = await store.clear('').catch((e: unknown) => e);
    expect(isKillSwitchInputError(error) && error.field).toBe('server');
    expect(await store.list()).toEqual([]);
  });

  it('calls watch listeners after each change, not during it, and stops on unsubscribe', async () => {
    const calls: string[] = [];
    const off = store.watch(() => calls.push('a'));
    store.watch(() => calls.push('b'));
    const setting = store.set({ server: 'web', at });
    expect(calls).toEqual([]);
    await setting;
    await Promise.resolve();
    expect(calls).toEqual(['a', 'b']);

    off();
    await store.clear('web');
    await store.clear('web'); // nothing to clear: no call
    await Promise.resolve();
    expect(calls).toEqual(['a', 'b', 'b']);
  });

  it('keeps calling the other listeners when one throws', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const heard: number[] = [];
      store.watch(() => {
        throw new Error('boom');
      });
      store.watch(() => heard.push(1));
      await store.set({ server: 'web', at });
      await Promise.resolve();
      expect(heard).toEqual([1]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('boom'));
    } finally {
      warn.mockRestore();
    }
  });
});
