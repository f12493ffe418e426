import { Injectable } from '@nestjs/common';
import {
  MAX_SUBSCRIBED_URI_CHARS,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  McpModule,
  Resource,
} from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';

@Injectable()
class Memo {
  @Resource({ uri: 'memo://today', name: 'today', description: "Today's memo" })
  today() {
    return 'nothing yet';
  }
}

// `resources/subscribe` exists on 2025-11-25 connections only (2026-07-28 listens instead).
describe.each(mcpTestMatrix((s) => s.era === 'legacy' && s.adapter !== 'fastify'))(
  'resources/subscribe limits over %s',
  (_name, setup) => {
    let t: McpTestApp;

    beforeAll(async () => {
      t = await createMcpTestApp({
        imports: [McpModule.forRoot({ name: 'subscriptions', version: '1.0.0' })],
        providers: [Memo],
        ...setup,
      });
    });
    afterAll(() => t.close());

    it('holds a bounded number of subscriptions per session, each of a bounded URI', async () => {
      // The attack: one session subscribes to as many URIs as it likes, as long as it likes;
      // each was kept with the session (and, with replicas, in Redis) for the session's life.
      const client = await t.connect();
      for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CONNECTION; i++)
        await client.subscribeResource({ uri: `memo://junk/${i}` });
      await expect(client.subscribeResource({ uri: 'memo://junk/one-more' })).rejects.toMatchObject(
        {
          code: -32602,
          message: expect.stringContaining(
            `at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} resource subscriptions`,
          ),
        },
      );
      // What it already holds stays acceptable, and room made is room to use.
      await client.subscribeResource({ uri: 'memo://junk/7' });
      await client.unsubscribeResource({ uri: 'memo://junk/7' });
      await client.subscribeResource({ uri: 'memo://today' });

      // Another session has its own room.
      const other = await t.connect();
      await other.subscribeResource({ uri: 'memo://today' });

      await expect(
        other.subscribeResource({ uri: `memo://${'x'.repeat(MAX_SUBSCRIBED_URI_CHARS)}` }),
      ).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining(`at most ${MAX_SUBSCRIBED_URI_CHARS} characters`),
      });
      await other.close();
      await client.close();
    }, 60_000);
  },
);
