import { InMemoryServerEventBus, type Server } from '@modelcontextprotocol/server';
import { ConnectedServers, LIST_CHANGED_EVENTS } from './connected-servers';

/** Records what a connection was sent. */
class FakeServer {
  readonly sent: string[] = [];
  onclose?: () => void;
  sendToolListChanged = async () => void this.sent.push('tools');
  sendPromptListChanged = async () => void this.sent.push('prompts');
  sendResourceListChanged = async () => void this.sent.push('resources');
  sendResourceUpdated = async ({ uri }: { uri: string }) => void this.sent.push(`updated ${uri}`);
}

const asServer = (s: FakeServer) => s as unknown as Server;

describe('ConnectedServers', () => {
  it('sends list changes to every connection', () => {
    const bus = new InMemoryServerEventBus();
    const connections = new ConnectedServers(bus);
    const a = new FakeServer();
    const b = new FakeServer();
    connections.add(asServer(a), 'legacy');
    connections.add(asServer(b), 'modern');
    bus.publish(LIST_CHANGED_EVENTS.tools);
    bus.publish(LIST_CHANGED_EVENTS.prompts);
    expect(a.sent).toEqual(['tools', 'prompts']);
    expect(b.sent).toEqual(['tools', 'prompts']);
  });

  it('sends a resource update to 2025 connections that subscribed to it, and to 2026 ones', () => {
    const bus = new InMemoryServerEventBus();
    const connections = new ConnectedServers(bus);
    const subscribed = new FakeServer();
    const other = new FakeServer();
    const modern = new FakeServer();
    connections.add(asServer(subscribed), 'legacy');
    connections.add(asServer(other), 'legacy');
    connections.add(asServer(modern), 'modern');
    connections.subscribe(asServer(subscribed), 'test://a');
    bus.publish({ kind: 'resource_updated', uri: 'test://a' });
    connections.unsubscribeResource(asServer(subscribed), 'test://a');
    bus.publish({ kind: 'resource_updated', uri: 'test://a' });
    expect(subscribed.sent).toEqual(['updated test://a']);
    expect(other.sent).toEqual([]);
    expect(modern.sent).toEqual(['updated test://a', 'updated test://a']);
  });

  it('forgets a connection when its server closes, keeping the earlier onclose', () => {
    const bus = new InMemoryServerEventBus();
    const connections = new ConnectedServers(bus);
    const server = new FakeServer();
    let closed = false;
    server.onclose = () => (closed = true);
    connections.add(asServer(server), 'legacy');
    server.onclose!();
    bus.publish(LIST_CHANGED_EVENTS.tools);
    expect(closed).toBe(true);
    expect(connections.size).toBe(0);
    expect(server.sent).toEqual([]);
  });

  it('keeps delivering when one connection fails to send', () => {
    const bus = new InMemoryServerEventBus();
    const connections = new ConnectedServers(bus);
    const broken = new FakeServer();
    broken.sendToolListChanged = () => Promise.reject(new Error('stream closed'));
    const ok = new FakeServer();
    connections.add(asServer(broken), 'legacy');
    connections.add(asServer(ok), 'legacy');
    bus.publish(LIST_CHANGED_EVENTS.tools);
    expect(ok.sent).toEqual(['tools']);
    connections.close();
    bus.publish(LIST_CHANGED_EVENTS.tools);
    expect(ok.sent).toEqual(['tools']);
  });
});
