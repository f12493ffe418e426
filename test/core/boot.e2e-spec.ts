import {
  Inject,
  Injectable,
  Module,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  Args,
  EventStore,
  InMemoryEventStore,
  InMemoryNotificationBus,
  InMemorySessionStore,
  McpExecutionContext,
  McpModule,
  McpServerHost,
  McpServers,
  NotificationBus,
  SessionStore,
  Tool,
  isMcpDefinitionError,
} from '@rampart/core';
import { createMcpTestApp } from '@rampart/testing';

async function boot(module: unknown): Promise<unknown> {
  try {
    const ref = await Test.createTestingModule({ imports: [module as never] }).compile();
    const app = ref.createNestApplication({ logger: false });
    await app.init();
    await app.close();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('boot-time checks', () => {
  it('refuses two tools with the same name, naming both', async () => {
    @Injectable()
    class A {
      @Tool({ name: 'fetch' })
      get() {}
    }
    @Injectable()
    class B {
      @Tool({ name: 'fetch' })
      load() {}
    }
    @Module({ imports: [McpModule.forRoot({ name: 'dup', version: '1' })], providers: [A, B] })
    class Dup {}
    const error = await boot(Dup);
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /Duplicate tool "fetch" on server "dup": declared by A\.get and by B\.load/,
    );
  });

  it('refuses a DTO without class-validator metadata', async () => {
    class Bare {
      url!: string;
    }
    @Injectable()
    class T {
      @Tool()
      go(@Args() input: Bare) {
        return input.url;
      }
    }
    @Module({ imports: [McpModule.forRoot({ name: 'bare', version: '1' })], providers: [T] })
    class BareModule {}
    const error = await boot(BareModule);
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/T\.go.*Bare/s);
  });

  it('refuses a completion for a prompt nobody declares', async () => {
    const { Completion } = await import('@rampart/core');
    @Injectable()
    class C {
      @Completion({ prompt: 'ghost', argument: 'x' })
      complete() {
        return [];
      }
    }
    @Module({ imports: [McpModule.forRoot({ name: 'c', version: '1' })], providers: [C] })
    class CModule {}
    expect(String(await boot(CModule))).toMatch(
      /completes the prompt "ghost", which no provider declares/,
    );
  });
});

class NoteInput {
  @IsString()
  note!: string;
}

@Injectable()
class SharedTools {
  @Tool({ description: 'on every server' })
  ping() {
    return 'pong';
  }

  @Tool({ server: 'billing', description: 'billing only' })
  invoice(@Args() input: NoteInput) {
    return `invoice: ${input.note}`;
  }

  @Tool({ server: ['support', 'billing'], description: 'two servers' })
  ticket() {
    return 'ticket';
  }
}

/** A global guard that refuses calls whose arguments carry `blocked: true`, on any tool. */
@Injectable()
class BlockGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return (
      !McpExecutionContext.isMcp(context) ||
      McpExecutionContext.getArgs<{ blocked?: boolean }>(context).blocked !== true
    );
  }
}

@Module({
  imports: [
    McpModule.forRoot({ name: 'billing', version: '1', http: { path: '/billing' } }),
    McpModule.forRoot({ name: 'support', version: '1', http: { path: '/support' } }),
  ],
  providers: [SharedTools, { provide: APP_GUARD, useClass: BlockGuard }],
})
class TwoServers {}

describe('several servers in one app', () => {
  it('exposes to each server only the tools that belong to it', async () => {
    const billing = await createMcpTestApp({ imports: [TwoServers], server: 'billing' });
    const support = await createMcpTestApp({
      imports: [TwoServers],
      server: 'support',
      transport: 'http',
    });
    try {
      expect((await billing.client.listTools()).tools.map((t) => t.name)).toEqual([
        'invoice',
        'ping',
        'ticket',
      ]);
      expect((await support.client.listTools()).tools.map((t) => t.name)).toEqual([
        'ping',
        'ticket',
      ]);
      expect(support.url?.pathname).toBe('/support');
      await expect(
        support.client.callTool({ name: 'invoice', arguments: { note: 'x' } }),
      ).rejects.toThrow(/Unknown tool/);
    } finally {
      await billing.close();
      await support.close();
    }
  });

  it('adds and removes tools at run time, notifies clients, and runs them through global guards', async () => {
    const t = await createMcpTestApp({ imports: [TwoServers], server: 'support', era: 'legacy' });
    try {
      const changed = new Promise<void>((resolve) =>
        t.client.setNotificationHandler('notifications/tools/list_changed', () => resolve()),
      );
      const host = t.app.get(McpServers).get('support');
      host.addTool({
        name: 'shout',
        description: 'Upper-cases text',
        input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
        handler: (args: { text: string }) => args.text.toUpperCase(),
      });
      await changed;
      expect((await t.client.listTools()).tools.map((x) => x.name)).toContain('shout');
      const ok = await t.client.callTool({ name: 'shout', arguments: { text: 'hey' } });
      expect(ok.content).toEqual([{ type: 'text', text: 'HEY' }]);
      const invalid = await t.client.callTool({ name: 'shout', arguments: { text: 3 } });
      expect(invalid.isError).toBe(true);
      const blocked = await t.client.callTool({
        name: 'shout',
        arguments: { text: 'x', blocked: true },
      });
      expect(JSON.parse((blocked.content[0] as { text: string }).text).code).toBe('FORBIDDEN');
      expect(host.removeTool('shout')).toBe(true);
      await expect(t.client.callTool({ name: 'shout', arguments: { text: 'x' } })).rejects.toThrow(
        /Unknown tool/,
      );
    } finally {
      await t.close();
    }
  });

  it('refuses two servers with the same name', async () => {
    @Module({
      imports: [
        McpModule.forRoot({ name: 'same', version: '1' }),
        McpModule.forRoot({ name: 'same', version: '2' }),
      ],
    })
    class Twice {}
    expect(String(await boot(Twice))).toMatch(/Two McpModule.forRoot\(\) servers are named "same"/);
  });
});

describe('McpModule.forRootAsync', () => {
  it('takes its options from a factory', async () => {
    @Module({
      imports: [
        McpModule.forRootAsync({
          useFactory: async () => ({ name: 'async-server', version: '2.0.0' }),
        }),
      ],
      providers: [SharedTools],
    })
    class AsyncModule {}
    const t = await createMcpTestApp({ imports: [AsyncModule], era: 'legacy' });
    try {
      expect(t.client.getServerVersion()).toMatchObject({ name: 'async-server', version: '2.0.0' });
    } finally {
      await t.close();
    }
  });
});

describe('module options', () => {
  it('refuses options that cannot work, naming each', async () => {
    @Module({
      imports: [
        McpModule.forRoot({ name: '', version: '1', pageSize: 0, http: { maxBodyBytes: -1 } }),
      ],
    })
    class Bad {}
    const error = await boot(Bad);
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Invalid McpModule options: "name" must be a non-empty string; "pageSize" must be a positive integer; "http.maxBodyBytes" must be a positive integer',
    );
  });

  it('refuses session and listen caps that cannot work, naming each', async () => {
    @Module({
      imports: [
        McpModule.forRoot({
          name: 'caps',
          version: '1',
          http: {
            maxSessions: 10,
            maxSessionsPerClient: 20,
            maxListenStreamsPerClient: 0,
            capacityRetryAfterMs: 1.5,
          },
        }),
      ],
    })
    class Bad {}
    const error = await boot(Bad);
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Invalid McpModule options for "caps": "http.maxListenStreamsPerClient" must be a positive integer; "http.capacityRetryAfterMs" must be a positive integer; "http.maxSessionsPerClient" (20) must not exceed "http.maxSessions" (10)',
    );
  });

  it('refuses a state option that cannot work, with a named error', async () => {
    @Module({
      imports: [
        McpModule.forRootAsync({
          useFactory: () => ({ name: 'state', version: '1', state: { redis: 'localhost:6379' } }),
        }),
      ],
    })
    class Bad {}
    const error = await boot(Bad);
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /"state.redis" must be a redis:\/\/ or rediss:\/\/ URL/,
    );
  });

  it('provides its state stores under their tokens', async () => {
    const store = new InMemorySessionStore();
    @Injectable()
    class NeedsStores {
      constructor(
        @Inject(SessionStore) readonly sessions: SessionStore,
        @Inject(EventStore) readonly events: EventStore,
        @Inject(NotificationBus) readonly bus: NotificationBus,
      ) {}
    }
    @Module({
      imports: [McpModule.forRoot({ name: 'stores', version: '1', state: { sessions: store } })],
      providers: [NeedsStores],
    })
    class WithStores {}
    const app = await NestFactory.createApplicationContext(WithStores, { logger: false });
    try {
      const needs = app.get(NeedsStores);
      expect(needs.sessions).toBe(store);
      expect(needs.events).toBeInstanceOf(InMemoryEventStore);
      expect(needs.bus).toBeInstanceOf(InMemoryNotificationBus);
    } finally {
      await app.close();
    }
  });

  it('makes the server injectable app-wide with isGlobal, on the async path too', async () => {
    @Injectable()
    class NeedsHost {
      constructor(readonly host: McpServerHost) {}
    }
    @Module({ providers: [NeedsHost] })
    class Feature {}
    @Module({
      imports: [
        McpModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({ name: 'global', version: '1' }),
        }),
        Feature,
      ],
    })
    class Root {}
    const ref = await Test.createTestingModule({ imports: [Root] }).compile();
    const app = ref.createNestApplication({ logger: false });
    await app.init();
    try {
      expect(app.get(NeedsHost).host.name).toBe('global');
    } finally {
      await app.close();
    }
  });
});

describe('provider scopes', () => {
  it('refuses MCP handlers on request-scoped providers instead of dropping them', async () => {
    const { Scope } = await import('@nestjs/common');
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @Tool()
      lookup() {
        return 'x';
      }
    }
    @Module({
      imports: [McpModule.forRoot({ name: 'scoped', version: '1' })],
      providers: [PerRequest],
    })
    class Scoped {}
    const error = await boot(Scoped);
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /PerRequest\.lookup is an MCP handler on a request- or transient-scoped provider/,
    );
  });
});
