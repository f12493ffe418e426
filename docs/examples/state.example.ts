// The state guide's example server, compiled and run by test/docs/state-example.e2e-spec.ts.
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import {
  Args,
  McpModule,
  RedisEventStore,
  RedisNotificationBus,
  RedisSessionStore,
  Tool,
  type McpStateOptions,
  type RedisClientLike,
} from '@rampart/core';

@Injectable()
export class NotesTools {
  @Tool({ description: 'Echoes a note' })
  note(@Args() args: { text: string }) {
    return args.text;
  }
}

/**
 * One replica of the notes server. Alone, everything lives in memory; behind a load balancer,
 * every replica gets the same Redis URL and any replica serves any 2025 session.
 */
@Module({})
export class NotesModule {
  static forRoot(redisUrl = process.env.NOTES_REDIS_URL, keyPrefix = 'notes:'): DynamicModule {
    return {
      module: NotesModule,
      imports: [
        McpModule.forRoot({
          name: 'notes',
          version: '1.0.0',
          http: {
            path: '/mcp',
            sessionIdleTtlMs: 15 * 60_000,
            maxSessions: 20_000, // over every replica, with Redis
            maxSessionsPerClient: 50, // per identity, or per address when anonymous
            maxListenStreamsPerClient: 8, // per replica
          },
          state: { redis: redisUrl, keyPrefix }, // memory when unset
        }),
      ],
      providers: [NotesTools],
    };
  }
}

/** The same, with stores built by the app: a client of its own and a longer event log. */
export function notesState(client: RedisClientLike, keyPrefix = 'notes:'): McpStateOptions {
  return {
    sessions: new RedisSessionStore(client, { keyPrefix }),
    events: new RedisEventStore(client, { keyPrefix, maxEventsPerSession: 5_000 }),
    bus: new RedisNotificationBus(client, { keyPrefix }),
  };
}
