import { Injectable, Module } from '@nestjs/common';
import { IsString } from 'class-validator';
import { McpModule, McpServers, Tool } from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';

@Injectable()
class BaseTools {
  @Tool({ description: 'always there' })
  base() {
    return 'base';
  }
}

class TopicArgs {
  @IsString()
  topic!: string;
}

@Module({
  imports: [McpModule.forRoot({ name: 'changes', version: '1.0.0' })],
  providers: [BaseTools],
})
class ChangesModule {}

const setups = mcpTestMatrix();

/** Resolves with the next notification of `method` the client receives. */
function next(t: McpTestApp, method: string): Promise<unknown> {
  return new Promise((resolve) =>
    t.client.setNotificationHandler(method as never, (n: unknown) => resolve(n)),
  );
}

describe.each(setups)('run-time changes over %s', (_name, setup) => {
  let t: McpTestApp;
  let close: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    t = await createMcpTestApp({ imports: [ChangesModule], ...setup });
    close = undefined;
    // 2026-07-28 has no unsolicited notifications: clients listen for them explicitly.
    if (setup.era === 'modern') {
      const subscription = await t.client.listen({
        toolsListChanged: true,
        promptsListChanged: true,
        resourcesListChanged: true,
        resourceSubscriptions: ['memo://today'],
      });
      close = () => subscription.close();
    } else if (setup.transport === 'http') {
      // A 2025 client opens its GET stream in the background after initialize; notifications sent
      // before it is open have nowhere to go. Probe until one arrives.
      const host = t.app.get(McpServers).get('changes');
      let arrived = false;
      t.client.setNotificationHandler('notifications/tools/list_changed', () => {
        arrived = true;
      });
      for (let i = 0; i < 100 && !arrived; i++) {
        host.notifyListChanged('tools');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(arrived).toBe(true);
    }
  });

  afterEach(async () => {
    await close?.();
    await t.close();
  });

  it('adds and removes resources and prompts through the registry API, notifying the client', async () => {
    const host = t.app.get(McpServers).get('changes');

    const resourcesChanged = next(t, 'notifications/resources/list_changed');
    host.addResource({
      uri: 'memo://today',
      name: 'today',
      mimeType: 'text/plain',
      handler: () => 'buy milk',
    });
    await resourcesChanged;
    expect((await t.client.listResources()).resources.map((r) => r.uri)).toEqual(['memo://today']);
    expect((await t.client.readResource({ uri: 'memo://today' })).contents[0]).toMatchObject({
      text: 'buy milk',
    });

    const promptsChanged = next(t, 'notifications/prompts/list_changed');
    host.addPrompt({
      name: 'brief',
      description: 'Brief on a topic',
      arguments: TopicArgs,
      handler: (args: TopicArgs) => `Brief me on ${args.topic}`,
    });
    await promptsChanged;
    const { prompts } = await t.client.listPrompts();
    expect(prompts).toEqual([
      {
        name: 'brief',
        description: 'Brief on a topic',
        arguments: [{ name: 'topic', required: true }],
      },
    ]);
    const prompt = await t.client.getPrompt({ name: 'brief', arguments: { topic: 'Redis' } });
    expect(prompt.messages[0].content).toEqual({ type: 'text', text: 'Brief me on Redis' });
    await expect(t.client.getPrompt({ name: 'brief', arguments: {} })).rejects.toThrow(/topic/);

    const updated = next(t, 'notifications/resources/updated');
    if (setup.era === 'legacy') await t.client.subscribeResource({ uri: 'memo://today' });
    host.notifyResourceUpdated('memo://today');
    expect(await updated).toMatchObject({ params: { uri: 'memo://today' } });

    const removed = next(t, 'notifications/prompts/list_changed');
    expect(host.removePrompt('brief')).toBe(true);
    await removed;
    expect((await t.client.listPrompts()).prompts).toEqual([]);
    expect(host.removeResource('memo://today')).toBe(true);
    expect(host.removeResource('memo://today')).toBe(false);
  });

  it('tells clients about list changes the registry cannot see', async () => {
    const host = t.app.get(McpServers).get('changes');
    const changed = next(t, 'notifications/tools/list_changed');
    host.notifyListChanged('tools');
    await expect(changed).resolves.toBeDefined();
  });
});
