import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { TasksModule } from '@rampart/tasks';
import { ContentTools } from './content.tools';
import { InputRequiredTools } from './input-required.tools';
import { InteractionTools } from './interaction.tools';
import { ConformancePrompts } from './prompts';
import { ConformanceResources } from './resources';
import { SchemaTools } from './schema.tools';
import { StatelessTools } from './stateless.tools';
import { TaskTools } from './task.tools';

/**
 * The fixture server of the official MCP conformance suite: every tool, resource, prompt and
 * completion that its scenarios call, for both protocol revisions on one endpoint.
 */
@Module({
  imports: [
    McpModule.forRoot({
      name: 'rampart-conformance',
      version: '1.0.0',
      instructions: 'Fixture server for the MCP conformance suite.',
      http: { path: '/mcp' },
      listCacheHint: { ttlMs: 300_000, cacheScope: 'public' },
    }),
    TasksModule.forRoot({}),
  ],
  providers: [
    ContentTools,
    InteractionTools,
    InputRequiredTools,
    StatelessTools,
    SchemaTools,
    TaskTools,
    ConformanceResources,
    ConformancePrompts,
  ],
})
export class AppModule {}
