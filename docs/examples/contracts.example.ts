// The contracts guide's catalog server, compiled and run by test/docs/contracts-example.e2e-spec.ts.
// Version 1 of `search` took `q`; version 2 takes `query` and a `limit`. The old shape stays
// served, deprecated, as `search_v1`, so `rampart-contract check` accepts the change.
import { Injectable, Module } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { Args, McpModule, Tool } from '@rampart/core';

export class SearchInput {
  @IsString()
  query!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

/** The arguments of version 1. */
export class SearchV1Input {
  @IsString()
  q!: string;
}

@Injectable()
export class CatalogTools {
  private readonly titles = ['NestJS in Action', 'MCP for Servers', 'Guards and Pipes'];

  @Tool({
    name: 'search',
    version: 2,
    description: 'Finds catalog titles that contain the query.',
    annotations: { readOnlyHint: true },
  })
  search(@Args() { query, limit = 10 }: SearchInput) {
    const needle = query.toLowerCase();
    return this.titles.filter((t) => t.toLowerCase().includes(needle)).slice(0, limit);
  }

  @Tool({
    name: 'search_v1',
    version: 1,
    deprecated: { since: '2', replacedBy: 'search', reason: '`q` is now `query`' },
    description: 'Finds catalog titles that contain q. Deprecated: use search.',
    annotations: { readOnlyHint: true },
  })
  searchV1(@Args() { q }: SearchV1Input) {
    return this.search({ query: q });
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'catalog', version: '2.0.0', http: { path: '/mcp' } })],
  providers: [CatalogTools],
})
export class CatalogModule {}
