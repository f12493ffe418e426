// The app that test/tokens/tokens-cli.e2e-spec.ts runs `rampart-tokens` against: two servers,
// `catalog` (a tool, a resource, a resource template and a prompt) and `notes` (two tools). The
// spec compiles this file on its own (transpileModule) to a temporary directory; each export is
// one build, named with `--app tokens.fixture.js#<export>`.
import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { Args, McpModule, Prompt, Resource, ResourceTemplate, Tool } from '@rampart/core';

export class SearchInput {
  @IsString()
  q!: string;

  @IsOptional()
  @IsIn(['title', 'body'])
  field?: 'title' | 'body';
}

class NoteInput {
  @IsString()
  text!: string;
}

class CardArgs {
  @IsString()
  name!: string;
}

@Injectable()
export class Catalog {
  @Tool({
    name: 'search',
    server: 'catalog',
    description: 'Search the catalog',
    annotations: { readOnlyHint: true },
  })
  search(@Args() input: SearchInput) {
    return input.q;
  }

  @Resource({ uri: 'catalog://readme', server: 'catalog', mimeType: 'text/plain' })
  readme() {
    return 'Search the catalog.';
  }

  @ResourceTemplate({
    name: 'item',
    uriTemplate: 'catalog://items/{id}',
    server: 'catalog',
    description: 'One catalog item',
  })
  item() {
    return 'an item';
  }

  @Prompt({ name: 'card', server: 'catalog', description: 'A greeting card' })
  card(@Args() { name }: CardArgs) {
    return `Write a card for ${name}.`;
  }
}

@Injectable()
export class Notes {
  @Tool({
    name: 'add_note',
    server: 'notes',
    description:
      'Adds a note to the notebook. The text is kept as written, in the order notes are added, and every later read returns it.',
  })
  add(@Args() input: NoteInput) {
    return input.text;
  }

  @Tool({ name: 'clear', server: 'notes', description: 'Removes every note' })
  clear() {
    return 'cleared';
  }
}

const SERVERS = [
  McpModule.forRoot({ name: 'catalog', version: '1.0.0', http: false }),
  McpModule.forRoot({ name: 'notes', version: '1.0.0', http: false }),
];

/** Both servers. */
@Module({ imports: SERVERS, providers: [Catalog, Notes] })
export class App {}

/** A module without any McpModule server. */
@Module({})
export class Empty {}

@Injectable()
class FailsAtBoot implements OnModuleInit {
  onModuleInit() {
    throw new Error('the database is not configured');
  }
}

/** An app whose boot fails. */
@Module({ imports: SERVERS, providers: [Catalog, Notes, FailsAtBoot] })
export class Broken {}
