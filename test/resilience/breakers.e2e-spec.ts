import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Client } from '@modelcontextprotocol/client';
import {
  MCP_BREAKER_STATES,
  RampartChannel,
  type BreakerStateEvent,
  type McpBreakerStates,
} from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp, toolText } from '@rampart/testing';
import { BreakersFixtureModule, UpstreamTools } from './breakers.fixture';

type Result = Awaited<ReturnType<Client['callTool']>>;
const body = (r: Result) => JSON.parse(toolText(r)) as Record<string, any>;
const text = toolText;

/**
 * Fakes only `Date` (what breakers read to know when to half-open), so the test can move the
 * clock on while timers and I/O keep running for real.
 */
function fakeClock(): void {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

describe.each(mcpTestMatrix((s) => s.adapter !== 'fastify'))(
  'circuit breakers over %s',
  (_n, setup) => {
    let t: McpTestApp;
    let tools: UpstreamTools;
    let states: McpBreakerStates;
    /** The states of `fetch_page`'s breakers, one per host. */
    const hosts = () => states.snapshot().filter((s) => s.name === 'fetch_page');
    const fetchPage = (url: unknown) =>
      t.client.callTool({ name: 'fetch_page', arguments: { url } });

    beforeEach(async () => {
      t = await createMcpTestApp({ imports: [BreakersFixtureModule.register()], ...setup });
      tools = t.app.get(UpstreamTools);
      states = t.app.get<McpBreakerStates>(MCP_BREAKER_STATES);
    });
    afterEach(async () => {
      jest.useRealTimers();
      await t.close();
    });

    it('opens the breaker of the failing host only, and names the key in the refusal', async () => {
      tools.down.add('a.test');
      for (let i = 0; i < 2; i++)
        expect(body(await fetchPage('http://a.test/x')).code).toBe('INTERNAL_ERROR');
      const refused = await fetchPage('http://a.test/y');
      expect(refused.isError).toBe(true);
      expect(body(refused)).toMatchObject({
        code: 'CIRCUIT_OPEN',
        retryable: true,
        details: { key: 'a.test' },
      });
      expect(body(refused).retryAfterMs).toBeGreaterThan(0);
      expect(tools.runs['a.test']).toBe(2);
      expect(text(await fetchPage('http://b.test/'))).toBe('page of b.test');
      expect(hosts()).toEqual([
        { name: 'fetch_page', key: 'a.test', state: 'open', critical: true },
        { name: 'fetch_page', key: 'b.test', state: 'closed', critical: true },
      ]);
    });

    it('keeps maxKeys breakers, dropping closed ones first: an open host stays open through a flood of others', async () => {
      tools.down.add('a.test');
      for (let i = 0; i < 3; i++) await fetchPage('http://a.test/');
      expect(tools.runs['a.test']).toBe(2);
      await fetchPage('http://b.test/');
      await fetchPage('http://c.test/');
      // b.test (closed) made room for c.test; a.test (open) was kept.
      expect(hosts().map((s) => s.key)).toEqual(['a.test', 'c.test']);
      expect(body(await fetchPage('http://a.test/')).code).toBe('CIRCUIT_OPEN');
      expect(tools.runs['a.test']).toBe(2);
    });

    it('answers INVALID_ARGUMENTS, not INTERNAL_ERROR, when the key function throws on bad arguments', async () => {
      for (const url of ['not a url', undefined, 42]) {
        const r = await fetchPage(url);
        expect(r.isError).toBe(true);
        expect(body(r)).toMatchObject({ code: 'INVALID_ARGUMENTS', retryable: false });
      }
      expect(tools.runs).toEqual({});
      // Bad arguments are client faults: they never open anything.
      expect(hosts()).toEqual([
        { name: 'fetch_page', key: '(invalid)', state: 'closed', critical: true },
      ]);
    });

    it('keeps a breaker open when the half-open probe fails validation (it never reached the tool)', async () => {
      fakeClock();
      const fetchAny = (url: unknown) =>
        t.client.callTool({ name: 'fetch_any', arguments: { url } });
      tools.down.add('a.test');
      expect(body(await fetchAny('http://a.test/')).code).toBe('INTERNAL_ERROR');
      jest.setSystemTime(Date.now() + 600_000);
      expect(body(await fetchAny('not a url')).code).toBe('INVALID_ARGUMENTS');
      tools.down.delete('a.test');
      expect(body(await fetchAny('http://a.test/')).code).toBe('CIRCUIT_OPEN');
      expect(tools.anyRuns).toBe(1);
      jest.setSystemTime(Date.now() + 600_000);
      expect(text(await fetchAny('http://a.test/'))).toBe('page of a.test');
      expect(states.snapshot()).toContainEqual({
        name: 'fetch_any',
        state: 'closed',
        critical: false,
      });
    });

    describe("the caller's faults", () => {
      const fetchChecked = (url: string) =>
        t.client.callTool({ name: 'fetch_checked', arguments: { url } });
      const checked = () => states.snapshot().filter((s) => s.name === 'fetch_checked');

      it('are neither retried nor counted, while upstream failures are retried and open the breaker', async () => {
        for (let i = 0; i < 5; i++)
          expect(body(await fetchChecked('http://user@a.test/'))).toMatchObject({
            code: 'INVALID_URL',
            retryable: false,
          });
        // One attempt each, and the breaker of a.test (threshold 3) stays closed for everyone.
        expect(tools.checkedRuns['a.test']).toBe(5);
        expect(checked()).toEqual([
          { name: 'fetch_checked', key: 'a.test', state: 'closed', critical: false },
        ]);
        expect(text(await fetchChecked('http://a.test/'))).toBe('page of a.test');

        tools.down.add('a.test');
        // Three attempts, three failures in a row: the breaker opens.
        expect(body(await fetchChecked('http://a.test/')).code).toBe('NETWORK_ERROR');
        expect(tools.checkedRuns['a.test']).toBe(9);
        expect(body(await fetchChecked('http://a.test/'))).toMatchObject({
          code: 'CIRCUIT_OPEN',
          details: { key: 'a.test' },
        });
        expect(tools.checkedRuns['a.test']).toBe(9);
      });

      it('do not reset the count of upstream failures; an upstream fault counts once, even when not retryable', async () => {
        const fetch = () => fetchChecked('http://b.test/');
        tools.garbled.add('b.test');
        for (let i = 0; i < 2; i++)
          expect(body(await fetch())).toMatchObject({ code: 'UPSTREAM_GARBLED', retryable: false });
        expect(tools.checkedRuns['b.test']).toBe(2);
        for (let i = 0; i < 5; i++)
          expect(body(await fetchChecked('http://user@b.test/')).code).toBe('INVALID_URL');
        // The third upstream failure in a row opens the breaker.
        expect(body(await fetch()).code).toBe('UPSTREAM_GARBLED');
        expect(body(await fetch()).code).toBe('CIRCUIT_OPEN');
        expect(tools.checkedRuns['b.test']).toBe(8);
      });

      it('keep an open breaker open when the half-open probe is one (it never reached the upstream)', async () => {
        fakeClock();
        tools.down.add('c.test');
        expect(body(await fetchChecked('http://c.test/')).code).toBe('NETWORK_ERROR');
        tools.down.delete('c.test');
        jest.setSystemTime(Date.now() + 600_000);
        expect(body(await fetchChecked('http://user@c.test/')).code).toBe('INVALID_URL');
        expect(body(await fetchChecked('http://c.test/')).code).toBe('CIRCUIT_OPEN');
        jest.setSystemTime(Date.now() + 600_000);
        expect(text(await fetchChecked('http://c.test/'))).toBe('page of c.test');
        expect(checked()).toEqual([
          { name: 'fetch_checked', key: 'c.test', state: 'closed', critical: false },
        ]);
      });
    });

    it('opens a sampling breaker on the failure rate, probes once, closes, and publishes each transition', async () => {
      const events: BreakerStateEvent[] = [];
      const listener = (e: unknown) => events.push(e as BreakerStateEvent);
      subscribe(RampartChannel.breakerState, listener);
      try {
        fakeClock();
        const sampled = () => t.client.callTool({ name: 'sampled', arguments: {} });
        for (let i = 0; i < 3; i++) expect(text(await sampled())).toBe('fine');
        tools.failing = true;
        // 3 failures of 6 calls: not more than half.
        for (let i = 0; i < 3; i++) expect(body(await sampled()).code).toBe('INTERNAL_ERROR');
        expect(states.snapshot()).toContainEqual({
          name: 'sampled',
          state: 'closed',
          critical: false,
        });
        expect(events).toEqual([]);
        expect(body(await sampled()).code).toBe('INTERNAL_ERROR');
        expect(events).toEqual([{ name: 'sampled', state: 'open', critical: false }]);
        expect(states.snapshot()).toContainEqual({
          name: 'sampled',
          state: 'open',
          critical: false,
        });
        const refused = await sampled();
        expect(body(refused)).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
        expect(tools.sampledRuns).toBe(7);

        jest.setSystemTime(Date.now() + 600_000);
        tools.failing = false;
        expect(text(await sampled())).toBe('fine');
        expect(tools.sampledRuns).toBe(8);
        expect(events.map((e) => e.state)).toEqual(['open', 'half-open', 'closed']);
        expect(states.snapshot()).toContainEqual({
          name: 'sampled',
          state: 'closed',
          critical: false,
        });
      } finally {
        unsubscribe(RampartChannel.breakerState, listener);
      }
    });
  },
);
