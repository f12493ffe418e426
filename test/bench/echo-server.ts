/**
 * Rampart target: a Nest app built on `@rampart/core`'s public API only, with
 * the same surface as the other targets: an `echo` tool declared as a provider
 * method with a class-validator DTO, plus TOOLS extra tools added at run time
 * through `McpServers`. ADAPTER=express|fastify picks the HTTP adapter; Nest's
 * logger is off so logging does not weigh on the figures. Listens on
 * 127.0.0.1:$PORT, path /mcp.
 *
 * Run alone (any load tool can then be pointed at it):
 *   PORT=3000 ADAPTER=fastify npm run start:bench-echo
 */
import 'reflect-metadata';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Args, McpModule, McpServers, Tool, type JsonSchemaObject } from '@rampart/core';
import { IsString } from 'class-validator';
import {
  BENCH_HOST,
  DEFAULT_TOOLS,
  ECHO_DESCRIPTION,
  extraTools,
  intFromEnv,
  MCP_PATH,
  portFromEnv,
} from './shared';

/** Name of the Rampart server, sent as `serverInfo.name`. */
const SERVER_NAME = 'bench-rampart';

/** Extra tools registered next to `echo`. */
const TOOL_COUNT = intFromEnv('TOOLS', DEFAULT_TOOLS);

/** Arguments of `echo` (and of every extra tool). */
export class EchoInput {
  @IsString()
  text!: string;
}

/** The extra tools' input schema: what Rampart generates from the DTO above, written by hand. */
const TEXT_INPUT_SCHEMA: JsonSchemaObject = {
  type: 'object',
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  properties: { text: { type: 'string' } },
  required: ['text'],
};

@Injectable()
export class EchoTools {
  @Tool({ name: 'echo', description: ECHO_DESCRIPTION })
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

@Module({
  imports: [
    McpModule.forRoot({
      name: SERVER_NAME,
      version: '1.0.0',
      http: { path: MCP_PATH },
      // One page holds every tool, as in the raw and SDK targets, which do not paginate.
      pageSize: TOOL_COUNT + 1,
    }),
  ],
  providers: [EchoTools],
})
export class AppModule {}

type Adapter = 'express' | 'fastify';

function adapterFromEnv(): Adapter {
  const adapter = process.env.ADAPTER ?? 'fastify';
  if (adapter !== 'express' && adapter !== 'fastify') {
    throw new Error(`ADAPTER must be "express" or "fastify", got "${adapter}"`);
  }
  return adapter;
}

async function createApp(adapter: Adapter): Promise<INestApplication> {
  return adapter === 'fastify'
    ? NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
    : NestFactory.create(AppModule, { logger: false });
}

async function bootstrap(): Promise<void> {
  const port = portFromEnv();
  const adapter = adapterFromEnv();
  const app = await createApp(adapter);
  app.enableShutdownHooks();
  await app.init();
  const server = app.get(McpServers).get(SERVER_NAME);
  for (const tool of extraTools(TOOL_COUNT)) {
    server.addTool({
      name: tool.name,
      description: tool.description,
      input: TEXT_INPUT_SCHEMA,
      handler: ({ text }: EchoInput) => text,
    });
  }
  await app.listen(port, BENCH_HOST);
  console.log(`[echo-server] ${adapter} listening on http://${BENCH_HOST}:${port}${MCP_PATH}`);
}

bootstrap().catch((error: unknown) => {
  console.error('[echo-server] failed to start:', error);
  process.exit(1);
});
