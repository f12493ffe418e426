import type { INestApplication, INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import {
  Client,
  InMemoryTransport,
  StreamableHTTPClientTransport,
  type ClientOptions,
} from '@modelcontextprotocol/client';
import type { Server } from 'node:http';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { McpServers, MODERN_PROTOCOL_VERSION, type ProtocolEra } from '@rampart/core';

/** How the test client reaches the server. */
export type McpTestTransport = 'memory' | 'http' | 'stdio';

/** Options of {@link createMcpTestApp}. */
export interface McpTestAppOptions extends Pick<
  ModuleMetadata,
  'imports' | 'providers' | 'controllers'
> {
  /** @default 'memory' */
  transport?: Exclude<McpTestTransport, 'stdio'>;
  /** HTTP adapter, for `transport: 'http'`. @default 'express' */
  adapter?: 'express' | 'fastify';
  /** Protocol era the client speaks: `modern` pins 2026-07-28, `legacy` does the 2025 handshake. @default 'modern' */
  era?: ProtocolEra;
  /** Which server to talk to when the app has several. @default the only one */
  server?: string;
  /** Change the testing module before it compiles (override providers, guards...). */
  configure?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Runs on the app before `init()` (global prefix, middleware, global guards). */
  beforeInit?: (app: INestApplication) => void | Promise<void>;
  /** Options of the SDK client (capabilities, request handlers...). */
  client?: ClientOptions;
  /**
   * Headers the client sends with every HTTP request, e.g. `{ authorization: 'Bearer …' }`.
   * Ignored in memory.
   */
  headers?: Record<string, string>;
}

/** A booted app with a connected SDK client. */
export interface McpTestApp {
  /** The connected MCP client (the official SDK's). */
  client: Client;
  /** The Nest app (an application context for `memory`). */
  app: INestApplicationContext;
  /** The testing module, to `get()` providers. */
  module: TestingModule;
  /** The endpoint URL, for `transport: 'http'`. */
  url?: URL;
  /**
   * Connects one more client to the same server, the same way (transport and era), with its own
   * HTTP `headers`: another caller. It is closed with the app.
   */
  connect(headers?: Record<string, string>): Promise<Client>;
  /** Closes the clients and the app. */
  close(): Promise<void>;
}

/**
 * Boots a Nest testing module with Rampart and returns an SDK client connected to it in memory
 * or over HTTP on 127.0.0.1 (Express or Fastify), in either protocol era.
 *
 * @example
 * ```ts
 * const { client, close } = await createMcpTestApp({ imports: [AppModule], era: 'legacy' });
 * const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
 * await close();
 * ```
 */
export async function createMcpTestApp(options: McpTestAppOptions): Promise<McpTestApp> {
  let builder = Test.createTestingModule({
    imports: options.imports,
    providers: options.providers,
    controllers: options.controllers,
  });
  if (options.configure) builder = options.configure(builder);
  const module = await builder.compile();
  const newClient = () =>
    new Client(
      { name: 'rampart-test', version: '1.0.0' },
      {
        ...options.client,
        ...(options.era !== 'legacy' && {
          versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } },
        }),
      },
    );
  const clients: Client[] = [];

  if ((options.transport ?? 'memory') === 'memory') {
    const app = module.createNestApplication();
    if (options.beforeInit) await options.beforeInit(app);
    await app.init();
    const host = pickServer(app.get(McpServers), options.server);
    const connect = async () => {
      const client = newClient();
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      host.connect(serverSide);
      await client.connect(clientSide);
      clients.push(client);
      return client;
    };
    const client = await first(connect, app);
    return { client, app, module, connect, close: () => closeAll(clients, app) };
  }

  const app = await createHttpApp(module, options.adapter ?? 'express');
  if (options.beforeInit) await options.beforeInit(app);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  // Clients (undici's fetch) keep an idle connection 4 s at most, and the server drops one at
  // its 5 s default: on a busy machine a client can reuse a connection just as the server closes
  // it (ECONNRESET). The server outlasts its clients instead; closing the app ends idle ones.
  server.keepAliveTimeout = 30_000;
  const host = pickServer(app.get(McpServers), options.server);
  const address = server.address() as { port: number };
  const url = new URL(`http://127.0.0.1:${address.port}${host.httpPath}`);
  const connect = async (headers = options.headers) => {
    const client = newClient();
    await client.connect(
      new StreamableHTTPClientTransport(url, headers && { requestInit: { headers } }),
    );
    clients.push(client);
    return client;
  };
  const client = await first(() => connect(), app);
  return { client, app, module, url, connect, close: () => closeAll(clients, app) };
}

/**
 * Starts a server process on stdio (e.g. `node dist/main.js --stdio`) and connects an SDK client
 * to it; for testing the built app the way a desktop client runs it.
 */
export async function connectStdio(
  command: string,
  args: string[],
  options: {
    era?: ProtocolEra;
    env?: Record<string, string>;
    cwd?: string;
    client?: ClientOptions;
  } = {},
): Promise<{ client: Client; stderr: () => string; close(): Promise<void> }> {
  const transport = new StdioClientTransport({
    command,
    args,
    env: options.env,
    cwd: options.cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client(
    { name: 'rampart-test', version: '1.0.0' },
    {
      ...options.client,
      ...(options.era !== 'legacy' && {
        versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } },
      }),
    },
  );
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

async function createHttpApp(
  module: TestingModule,
  adapter: 'express' | 'fastify',
): Promise<INestApplication> {
  // Open streams (SSE, keep-alive sockets of aborted calls) must not hold up `close()`.
  const options = { logger: false as const, forceCloseConnections: true };
  if (adapter === 'express') return module.createNestApplication(options);
  // Loaded lazily: Fastify is an optional peer of the app under test.
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return module.createNestApplication(new FastifyAdapter(), options);
}

function pickServer(servers: McpServers, name?: string) {
  if (name) return servers.get(name);
  const names = servers.names();
  if (names.length !== 1)
    throw new Error(
      `The app has ${names.length} MCP servers (${names.join(', ')}): pass "server" to pick one`,
    );
  return servers.get(names[0]);
}

async function closeAll(clients: Client[], app: INestApplicationContext): Promise<void> {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await app.close();
}

/** The first client, or the app closed and the connection's error thrown. */
async function first(
  connect: () => Promise<Client>,
  app: INestApplicationContext,
): Promise<Client> {
  try {
    return await connect();
  } catch (error) {
    await app.close();
    throw error;
  }
}
