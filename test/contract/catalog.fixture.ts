// The app that test/contract/contract-cli.e2e-spec.ts runs `rampart-contract` against: one
// server, `catalog`, in four builds. The spec compiles this file on its own (transpileModule) to a
// temporary directory; each export is one build, named with `--app catalog.fixture.js#<export>`.
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { Args, McpModule, Prompt, Resource, Tool } from '@rampart/core';

const SERVER = McpModule.forRoot({ name: 'catalog', version: '1.0.0', http: false });

export class SearchInput {
  @IsString()
  q!: string;

  @IsOptional()
  @IsIn(['title', 'body'])
  field?: 'title' | 'body';
}

/** A compatible change: a new optional argument. */
export class SearchInputWithLimit extends SearchInput {
  @IsOptional()
  @IsInt()
  @Min(1)
  limit?: number;
}

/** A breaking change: `q` renamed `query`, and one value of `field` gone. */
export class SearchQueryInput {
  @IsString()
  query!: string;

  @IsOptional()
  @IsIn(['title'])
  field?: 'title';
}

class CardArgs {
  @IsString()
  name!: string;
}

/** What every build serves besides `search`. */
@Injectable()
export class CatalogExtras {
  @Resource({ uri: 'catalog://readme', mimeType: 'text/plain' })
  readme() {
    return 'Search the catalog.';
  }

  @Prompt({ name: 'card', description: 'A greeting card' })
  card(@Args() { name }: CardArgs) {
    return `Write a card for ${name}.`;
  }
}

@Injectable()
export class SearchV1 {
  @Tool({ name: 'search', description: 'Search the catalog', annotations: { readOnlyHint: true } })
  search(@Args() input: SearchInput) {
    return input.q;
  }
}

@Injectable()
export class SearchCompatible {
  @Tool({
    name: 'search',
    description: 'Search the catalog, a page at a time',
    annotations: { readOnlyHint: true },
  })
  search(@Args() input: SearchInputWithLimit) {
    return input.q;
  }
}

@Injectable()
export class SearchBreaking {
  @Tool({ name: 'search', description: 'Search the catalog', annotations: { readOnlyHint: true } })
  search(@Args() input: SearchQueryInput) {
    return input.query;
  }
}

/** The breaking change done right: version 2 under the name, version 1 kept, deprecated. */
@Injectable()
export class SearchBumped {
  @Tool({
    name: 'search',
    version: 2,
    description: 'Search the catalog',
    annotations: { readOnlyHint: true },
  })
  search(@Args() input: SearchQueryInput) {
    return input.query;
  }

  @Tool({
    name: 'search_v1',
    version: 1,
    deprecated: { since: '2', replacedBy: 'search' },
    description: 'Search the catalog',
    annotations: { readOnlyHint: true },
  })
  searchV1(@Args() input: SearchInput) {
    return input.q;
  }
}

/** The first build, as a module class. */
@Module({ imports: [SERVER], providers: [SearchV1, CatalogExtras] })
export class Unchanged {}

@Module({ imports: [SERVER], providers: [SearchCompatible, CatalogExtras] })
export class Compatible {}

@Module({ imports: [SERVER], providers: [SearchBreaking, CatalogExtras] })
export class Breaking {}

@Module({ imports: [SERVER], providers: [SearchBumped, CatalogExtras] })
export class Bumped {}

/** The first build again, as a dynamic module from a static method (`#UnchangedDynamic.forRoot`). */
@Module({})
export class UnchangedDynamic {
  static forRoot(): DynamicModule {
    return { module: UnchangedDynamic, imports: [SERVER], providers: [SearchV1, CatalogExtras] };
  }
}

/** The first build again, as an application context the app creates itself. */
export const createUnchanged = () =>
  NestFactory.createApplicationContext(Unchanged, { logger: false });
