import { Server, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { isSessionRestoreError } from '../../errors/session-restore.error';
import type { EventStore } from '../../state/event.store';
import { InMemoryEventStore } from '../../state/in-memory-event.store';
import { runDelivery } from '../../state/server-channel';
import type { SessionRecord } from '../../state/session.store';
import {
  postToSession,
  replicaOfAnswer,
  restoreInitialized,
  SessionEvents,
  SessionTransport,
} from './session-transport';

const record: SessionRecord = {
  id: 'session-1',
  clientKey: 'sub:alice',
  subject: 'alice',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'restored-client', version: '3.0.0' },
  clientCapabilities: { elicitation: { form: {} } },
  logLevel: 'warning',
  subscriptions: [],
  createdAt: 0,
  lastSeen: 0,
  idleTtlMs: 60_000,
  revision: 1,
};

async function connected(
  events = new SessionEvents(new InMemoryEventStore(), 'session-1', 60_000),
) {
  const transport = new SessionTransport(
    { sessionIdGenerator: () => 'session-1', eventStore: events },
    'abcdef012345',
  );
  const server = new Server(
    { name: 'test', version: '1.0.0' },
    { capabilities: { logging: {}, tools: {} } },
  );
  server.setRequestHandler('tools/list', () => ({ tools: [] }));
  server.setRequestHandler('tools/call', async (_request, ctx) => {
    await ctx.mcpReq.log('info', 'an info line');
    await ctx.mcpReq.log('error', 'an error line');
    return { content: [] };
  });
  await server.connect(transport);
  return { transport, server, events };
}

describe('restoreInitialized', () => {
  it("rebuilds a session's SDK server as initialized, leaving no events behind", async () => {
    const store = new InMemoryEventStore();
    const append = jest.spyOn(store, 'append');
    const events = new SessionEvents(store, 'session-1', 60_000);
    const { transport, server } = await connected(events);
    events.muted = true;
    await restoreInitialized(transport, server, record);
    events.muted = false;
    expect(append).not.toHaveBeenCalled();
    expect(transport.sessionId).toBe('session-1');
    expect(server.getClientVersion()).toEqual(record.clientInfo);
    expect(server.getClientCapabilities()).toEqual(record.clientCapabilities);
    expect(server.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    // The restored log level filters what the session's calls log.
    const call = await postToSession(
      transport,
      { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'x', arguments: {} } },
      { sessionId: 'session-1', protocolVersion: '2025-11-25' },
    );
    const logged = call.messages
      .filter((m) => (m as { method?: string }).method === 'notifications/message')
      .map((m) => (m as { params: { data: unknown } }).params.data);
    expect(logged).toEqual(['an error line']);

    // The next request of the client is served as on the replica that opened the session.
    const list = await postToSession(
      transport,
      { jsonrpc: '2.0', id: 7, method: 'tools/list' },
      { sessionId: 'session-1', protocolVersion: '2025-11-25' },
    );
    expect(list.messages).toContainEqual({ jsonrpc: '2.0', id: 7, result: { tools: [] } });
    const again = await postToSession(
      transport,
      {
        jsonrpc: '2.0',
        id: 8,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: record.clientInfo },
      },
      { protocolVersion: '2025-11-25' },
    );
    expect(again.status).toBe(400);
  });

  it('fails loudly when the SDK does not take the replayed handshake', async () => {
    const { transport, server } = await connected();
    const error = await restoreInitialized(transport, server, {
      ...record,
      protocolVersion: '1999-01-01',
    }).catch((e: unknown) => e);
    expect(isSessionRestoreError(error)).toBe(true);
    expect(String(error)).toMatch(/has @modelcontextprotocol\/server changed/);
  });
});

describe('SessionTransport', () => {
  it("names the replica in the ids of the server's requests and takes back their answers", async () => {
    const { transport, server } = await connected();
    await restoreInitialized(transport, server, { ...record, logLevel: undefined });
    const sent: JSONRPCMessage[] = [];
    const send = jest
      .spyOn(Object.getPrototypeOf(SessionTransport.prototype), 'send')
      .mockImplementation(async (m) => void sent.push(m as JSONRPCMessage));
    try {
      await transport.send({ jsonrpc: '2.0', id: 4, method: 'roots/list' });
      expect(sent[0]).toMatchObject({ id: 'abcdef012345.4' });
      expect(replicaOfAnswer('abcdef012345.4')).toBe('abcdef012345');
      expect(replicaOfAnswer(4)).toBeUndefined();
      expect(transport.takeAnswer({ jsonrpc: '2.0', id: 'ffffff000000.4', result: {} })).toBe(
        undefined,
      );
      expect(transport.takeAnswer({ jsonrpc: '2.0', id: 'abcdef012345.4', result: {} })).toEqual({
        jsonrpc: '2.0',
        id: 4,
        result: {},
      });
      // Taken once.
      expect(transport.takeAnswer({ jsonrpc: '2.0', id: 'abcdef012345.4', result: {} })).toBe(
        undefined,
      );
      await transport.send({ jsonrpc: '2.0', id: 5, method: 'roots/list' });
      await transport.send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: 5, reason: 'timeout' },
      });
      expect(sent[2]).toMatchObject({ params: { requestId: 'abcdef012345.5' } });
    } finally {
      send.mockRestore();
    }
  });
});

describe('SessionEvents', () => {
  it('stores a delivered change under its delivery id, once', async () => {
    const store = new InMemoryEventStore();
    const events = new SessionEvents(store, 's', 60_000);
    const message: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/tools/list_changed' };
    const first = await runDelivery('change-1', () => events.storeEvent('_GET_stream', message));
    const second = await runDelivery('change-1', () => events.storeEvent('_GET_stream', message));
    const other = await events.storeEvent('_GET_stream', message);
    expect(second).toBe(first);
    expect(other).not.toBe(first);
  });

  it('still sends an event the store cannot keep, under an id no resumption finds', async () => {
    const broken = {
      append: () => Promise.reject(new Error('Redis did not answer')),
      streamOf: async () => undefined,
      replayAfter: async () => undefined,
      deleteSession: async () => undefined,
    } satisfies EventStore;
    const warn = jest.fn();
    const events = new SessionEvents(broken, 's', 60_000, { warn } as never);
    const message: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/tools/list_changed' };
    expect(await events.storeEvent('_GET_stream', message)).toMatch(/^unstored-/);
    expect(await events.storeEvent('_GET_stream', message)).toMatch(/^unstored-/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(await events.getStreamIdForEventId('unstored-1')).toBeUndefined();
  });
});
